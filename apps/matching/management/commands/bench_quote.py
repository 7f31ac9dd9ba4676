"""python manage.py bench_quote --tenant demo --runs 50 → quote latency as JSON on the last line.

Quotes, against the seeded network topped up to --suppliers eligible asset owners and --committed committed
operations of synthetic orders:
- a cart of --cart-lines saved demo designs (distinct templates), --quantity each, to a customer address: one
  matching problem, all lead-time options, solved every time (cache bypassed), its run recorded — the figure
  the cart and checkout wait for; then the same question served from the quote cache;
- with --pages N: N anonymous configurator page GETs of each cart template (cached quotes and price breaks)
  and N GETs of a tenant-routed DRF list (the framework floor measured the same way, in-process), as
  requests per second.
The synthetic rows live inside one transaction that is rolled back at the end: the database is left as it was.
The first quote (cold caches) is reported apart.
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
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.catalog.models import DesignVersion
from apps.matching.engine.benchmarks.scenarios import TOWNS
from apps.matching.models import MatchingRun, MatchingSettings
from apps.matching.quoting import QuoteItem, quote_items
from apps.matching.selectors import matching_settings_get
from apps.orders.models import Order, OrderLine, WorkItem
from apps.orders.status import OrderStatus, WorkItemStatus
from apps.suppliers.models import AssetOwner, OpeningHours, Resource
from apps.suppliers.selectors import asset_owner_list_eligible, resource_list_eligible
from apps.suppliers.status import ParticipantStatus
from apps.tenants.models import Tenant

CUSTOMER_ADDRESS = (52.370216, 4.895168)  # Dam, Amsterdam


class _Rollback(Exception):
    pass


def _timed(call, count: int) -> tuple[dict, object]:
    """Latency of `count` calls in ms: the first (cold) apart, then median, p95, min and max of the rest."""
    times, answer = [], None
    for _ in range(count):
        started = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - started)
    cold, warm = times[0], sorted(times[1:]) or times
    return {
        "cold_ms": round(1000 * cold, 1),
        "median_ms": round(1000 * statistics.median(warm), 1),
        "p95_ms": round(1000 * warm[max(0, math.ceil(0.95 * len(warm)) - 1)], 1),
        "min_ms": round(1000 * warm[0], 1),
        "max_ms": round(1000 * warm[-1], 1),
    }, answer


def _page_throughput(tenant: Tenant, versions: list[DesignVersion], count: int) -> dict:
    """Requests per second of the configurator pages (anonymous GET, one per cart template in turn) and of the
    framework floor (an anonymous tenant-routed DRF list), through the whole Django stack in this process,
    after one warm-up round each."""
    host = tenant.domains.order_by("-is_primary").first().domain
    client = Client(HTTP_HOST=host)
    pages = [f"/catalog/{v.design.template.slug}/" for v in versions]
    floor = ["/api/v1/catalog/templates/"]

    def rate(urls: list[str]) -> float:
        for url in urls:
            assert client.get(url).status_code == 200, url
        started = time.perf_counter()
        for n in range(count):
            client.get(urls[n % len(urls)])
        return round(count / (time.perf_counter() - started), 1)

    configurator, framework = rate(pages), rate(floor)
    return {
        "requests": count,
        "configurator_rps": configurator,
        "floor_rps": framework,
        "configurator_share_of_floor": round(configurator / framework, 3),
    }


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
        parser.add_argument("--cart-lines", type=int, default=3, help="Designs in the quoted cart.")
        parser.add_argument("--quantity", type=int, default=10, help="Quantity of each cart line.")
        parser.add_argument(
            "--pages", type=int, default=0, help="Configurator and floor page GETs to time (0: none)."
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
        versions = self._cart_versions(options["design_version"], options["cart_lines"])
        if options["time_limit_ms"] is not None:
            MatchingSettings.objects.update_or_create(
                pk=1, defaults={"quote_time_limit_ms": options["time_limit_ms"]}
            )
        added = _top_up_suppliers(options["suppliers"], rng)
        committed = _committed_load(options["committed"], versions[0], rng)
        items = [
            QuoteItem(v.operations, options["quantity"], v.design.template.margin_percent) for v in versions
        ]
        first = versions[0]

        def ask(use_cache: bool):
            return quote_items(
                items=items,
                template=first.design.template,
                values=dict(first.values),
                tenant=tenant,
                destination=CUSTOMER_ADDRESS,
                requested_date=None,
                parameters={"bench": True},
                use_cache=use_cache,
            )

        solved, quote = _timed(lambda: ask(False), options["runs"] + 1)
        cached, _ = _timed(lambda: ask(True), options["runs"] + 1)
        run = MatchingRun.objects.get(pk=quote.run_id) if quote.run_id else None
        stats = run.statistics if run else {}
        result = {
            "tenant": tenant.slug,
            "quote_time_limit_ms": matching_settings_get().quote_time_limit_ms,
            "cart": [str(v) for v in versions],
            "quantity": options["quantity"],
            "runs": options["runs"],
            "suppliers": asset_owner_list_eligible().count(),
            "suppliers_added": added,
            "committed_operations": committed,
            "committed_bookings_in_problem": stats.get("committed_bookings"),
            "operations": stats.get("operations"),
            "candidates_per_operation": stats.get("candidates_per_operation"),
            "carrier_options": stats.get("carrier_options"),
            "source": quote.source,
            "options": [
                {
                    "kind": o.kind,
                    "price_minor": o.price_minor,
                    "delivery_date": o.delivery_date.isoformat(),
                    "lots": o.lots,
                    "method": o.method,
                    "faster_because": o.faster_because,
                }
                for o in quote.options
            ],
            "method": quote.method,
            "solver_wall_ms": round(1000 * (run.wall_s or 0), 1) if run else None,
            "cold_ms": solved["cold_ms"],
            "median_ms": solved["median_ms"],
            "p95_ms": solved["p95_ms"],
            "min_ms": solved["min_ms"],
            "max_ms": solved["max_ms"],
            "cached_median_ms": cached["median_ms"],
            "cached_p95_ms": cached["p95_ms"],
        }
        if options["pages"]:
            result["pages"] = _page_throughput(tenant, versions, options["pages"])
        return result

    def _cart_versions(self, version_id: str, lines: int) -> list[DesignVersion]:
        """--design-version alone, or the first saved design version of each of `lines` templates."""
        if version_id:
            return [self._design_version(version_id)]
        chosen: dict[int, DesignVersion] = {}
        for version in DesignVersion.objects.select_related("design__template").order_by("created_at"):
            chosen.setdefault(version.design.template_id, version)
            if len(chosen) == lines:
                break
        if not chosen:
            raise CommandError("No design to quote; seed the demo network (it saves designs).")
        return list(chosen.values())

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
