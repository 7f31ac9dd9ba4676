"""python manage.py bench_quote --tenant demo --runs 50 → quote latency as JSON on the last line.

Quotes one design of the network (the demo customer's first saved design, or --design-version) against the
seeded network topped up to --suppliers eligible asset owners and --committed committed operations of
synthetic orders. The synthetic rows live inside one transaction that is rolled back at the end: the
database is left as it was. Each measured quote is the whole call a storefront request makes (problem built
from the database, solved, priced, its run recorded); the first (cold caches) is reported apart.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.catalog.models import DesignVersion
from apps.matching.engine.benchmarks.scenarios import TOWNS
from apps.matching.models import MatchingRun, MatchingSettings
from apps.matching.quoting import quote_design_version
from apps.matching.selectors import matching_settings_get
from apps.orders.models import Order, OrderLine, WorkItem
from apps.orders.status import OrderStatus, WorkItemStatus
from apps.suppliers.models import AssetOwner, OpeningHours, Resource
from apps.suppliers.selectors import asset_owner_list_eligible, resource_list_eligible
from apps.suppliers.status import ParticipantStatus
from apps.tenants.models import Tenant


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Measure quote latency against the network plus synthetic suppliers and committed work (rolled back)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", default="demo", help="The network's slug.")
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument("--suppliers", type=int, default=40, help="Eligible asset owners to top up to.")
        parser.add_argument(
            "--committed", type=int, default=500, help="Committed operations of other orders."
        )
        parser.add_argument(
            "--design-version", default="", help="A DesignVersion id (default: a demo design)."
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--time-limit-ms",
            type=int,
            default=None,
            help="Override the network's quote search time for this run (0: constructive plan only).",
        )

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No network {options['tenant']!r}; run `make seed` first.")
        result: dict = {}
        with schema_context(tenant.schema_name):
            try:
                with transaction.atomic():
                    result = self._bench(tenant, options)
                    raise _Rollback
            except _Rollback:
                pass
        self.stdout.write(json.dumps(result))

    def _bench(self, tenant: Tenant, options: dict) -> dict:
        rng = random.Random(options["seed"])
        version = self._design_version(options["design_version"])
        if options["time_limit_ms"] is not None:
            MatchingSettings.objects.update_or_create(
                pk=1, defaults={"quote_time_limit_ms": options["time_limit_ms"]}
            )
        added = _top_up_suppliers(options["suppliers"], rng)
        committed = _committed_load(options["committed"], version, rng)
        times = []
        quote = None
        for _ in range(options["runs"] + 1):
            started = time.perf_counter()
            quote = quote_design_version(design_version=version, tenant=tenant)
            times.append(time.perf_counter() - started)
        assert quote is not None
        cold, warm = times[0], sorted(times[1:])
        run = MatchingRun.objects.get(pk=quote.run_id)
        stats = run.statistics or {}
        return {
            "tenant": tenant.slug,
            "quote_time_limit_ms": matching_settings_get().quote_time_limit_ms,
            "design": str(version),
            "runs": len(warm),
            "suppliers": asset_owner_list_eligible().count(),
            "suppliers_added": added,
            "committed_operations": committed,
            "committed_bookings_in_problem": stats.get("committed_bookings"),
            "operations": stats.get("operations"),
            "candidates_per_operation": stats.get("candidates_per_operation"),
            "carrier_options": stats.get("carrier_options"),
            "method": stats.get("method"),
            "source": quote.source,
            "price_minor": quote.price_minor,
            "delivery_date": quote.delivery_date.isoformat(),
            "asset_owner_count": quote.asset_owner_count,
            "solver_wall_ms": round(1000 * (run.wall_s or 0), 1),
            "cold_ms": round(1000 * cold, 1),
            "median_ms": round(1000 * statistics.median(warm), 1),
            "p95_ms": round(1000 * warm[max(0, math.ceil(0.95 * len(warm)) - 1)], 1),
            "min_ms": round(1000 * warm[0], 1),
            "max_ms": round(1000 * warm[-1], 1),
        }

    def _design_version(self, version_id: str) -> DesignVersion:
        versions = DesignVersion.objects.select_related("design__template")
        version = (
            versions.filter(pk=version_id).first() if version_id else versions.order_by("created_at").first()
        )
        if version is None:
            raise CommandError(
                "No design to quote; seed the demo network (it saves designs) or pass --design-version."
            )
        return version


def _top_up_suppliers(target: int, rng: random.Random) -> int:
    """Synthetic eligible asset owners near Dutch towns, each with three resources copied from the network's own
    (process, size, materials, costs, calendar), until `target` eligible owners exist."""
    templates = list(resource_list_eligible())
    if not templates:
        raise CommandError("The network has no eligible resources to copy.")
    missing = max(0, target - asset_owner_list_eligible().count())
    now = timezone.now()
    for n in range(missing):
        name, lat, lon = TOWNS[n % len(TOWNS)]
        owner = AssetOwner.objects.create(
            name=f"Bench workshop {n} ({name})",
            contact_name="Bench",
            contact_email=f"bench{n}@example.test",
            street="Benchstraat 1",
            postal_code="1000 AA",
            city=name,
            latitude=Decimal(f"{lat + rng.uniform(-0.05, 0.05):.6f}"),
            longitude=Decimal(f"{lon + rng.uniform(-0.05, 0.05):.6f}"),
            status=ParticipantStatus.APPROVED,
            status_changed_at=now,
            stripe_account_id=f"acct_bench_{uuid.uuid4().hex[:12]}",
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            transfers_active=True,
        )
        for template in rng.sample(templates, k=min(3, len(templates))):
            hours = list(template.opening_hours.all())
            template.pk = None
            template.asset_owner = owner
            template.speed_factor = Decimal(f"{rng.uniform(0.8, 1.3):.2f}")
            template.save()
            OpeningHours.objects.bulk_create(
                [
                    OpeningHours(resource=template, weekday=h.weekday, opens=h.opens, closes=h.closes)
                    for h in hours
                ]
            )
    return missing


def _committed_load(operations: int, version: DesignVersion, rng: random.Random) -> int:
    """Synthetic paid-and-planned orders of five operations each, spread over the next three weeks' working
    hours on random eligible resources."""
    resources = list(Resource.objects.filter(pk__in=resource_list_eligible().values("pk")))
    customer = User.objects.create_user(email=f"bench-{uuid.uuid4().hex[:8]}@example.test", password=None)
    start_of_day = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)  # 07:00/08:00 local
    items = []
    for n in range(math.ceil(operations / 5)):
        order = Order.objects.create(
            customer=customer,
            status=OrderStatus.PLANNED,
            checkout_key=uuid.uuid4(),
            currency="EUR",
            total_minor=100_000,
            promised_delivery_date=(timezone.now() + timedelta(days=21)).date(),
            quote_expires_at=timezone.now(),
        )
        line = OrderLine.objects.create(
            order=order,
            position=1,
            design_version=version,
            description="Bench",
            quantity=1,
            unit_price_minor=100_000,
            total_minor=100_000,
        )
        for k in range(min(5, operations - 5 * n)):
            resource = rng.choice(resources)
            day = rng.randrange(0, 21)
            start = start_of_day + timedelta(days=day, minutes=rng.randrange(0, 8 * 60))
            items.append(
                WorkItem(
                    order=order,
                    line=line,
                    step_key=f"bench{k}",
                    name=f"Bench step {k}",
                    process=resource.process,
                    status=rng.choice([WorkItemStatus.OFFERED, WorkItemStatus.ACCEPTED]),
                    resource=resource,
                    asset_owner_id=resource.asset_owner_id,
                    planned_start=start,
                    planned_end=start + timedelta(minutes=rng.randrange(30, 240)),
                    cost_minor=10_000,
                    currency="EUR",
                )
            )
    WorkItem.objects.bulk_create(items)
    return len(items)
