"""The network a load run works in: a copy of the demo network (its schema cloned with every row), plus the
customers, designs, planned jobs and signed-in sessions the run acts on.

The demo network is only read, by the clone. Everything the run writes — orders placed at checkout, jobs accepted
and started, webhook events — lands in the copy, which `load_network_drop` removes afterwards. The copy is
recognised by its name, so a network that merely happens to use the same subdomain is never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_list_active, template_spec_for
from apps.catalog.services import design_create
from apps.catalog.spec import ParameterKind
from apps.demo.orders import demo_order_place, plan_apply_simple
from apps.orders.models import Order, Place, WorkItem
from apps.orders.services.orders import order_payment_apply
from apps.orders.status import WorkItemStatus
from apps.payouts.stripe_client import stripe_settings_get
from apps.suppliers.models import AssetOwner
from apps.suppliers.services import participant_member_add
from apps.tenants.models import Domain, Tenant, TenantStatus
from apps.tenants.services import tenant_delete
from apps.tenants.subdomains import schema_name_for, validate_subdomain

COPY_PREFIX = "Load benchmark copy of "
EMAIL_DOMAIN = "load.invalid"  # never a deliverable address: mail the run triggers goes nowhere
TOWN = "Utrecht"


class LoadNetworkError(Exception):
    pass


@dataclass(frozen=True)
class LoadNetwork:
    tenant: Tenant
    host: str
    plan: dict  # what locust acts on (apps/demo/load/locustfile.py reads it as JSON)


def load_network_drop(*, slug: str) -> bool:
    """Drops the copy named `slug` if there is one; False when there was none. Refuses any other network."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return False
    if not tenant.name.startswith(COPY_PREFIX) or tenant.status == TenantStatus.TEMPLATE:
        raise LoadNetworkError(f"{slug!r} is a real network, not a load benchmark copy; it was left alone.")
    tenant_delete(tenant=tenant, confirm_slug=slug)
    return True


def load_network_create(
    *, source_slug: str, slug: str, customers: int, suppliers: int, job_orders: int
) -> LoadNetwork:
    """Clones `source_slug` into a new network `slug` and prepares what the run acts on.

    Call with settings.STRIPE_LOCAL_URL pointing at a local Stripe server (checkout creates PaymentIntents).
    """
    source = Tenant.objects.filter(slug=source_slug).first()
    if source is None:
        raise LoadNetworkError(f"No network {source_slug!r}; seed it first (manage.py seed_demo).")
    load_network_drop(slug=slug)  # a copy left behind by a run that was killed
    tenant = network_clone(source, slug)
    host = f"{slug}.{settings.PLATFORM_DOMAIN}"
    with schema_context(tenant.schema_name):
        place = Place.objects.filter(name=TOWN).first()
        if place is None or not ProductTemplate.objects.filter(active=True).exists():
            raise LoadNetworkError(f"{source_slug!r} has no catalog or places; run manage.py seed_demo.")
        plan = {
            "host": host,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "place": place.pk,
            "town": place.name,  # what customers type; the gazetteer finds it
            "country": place.country,
            "templates": _templates(),
            "customers": [_customer(index) for index in range(customers)],
            "suppliers": _supplier_jobs(tenant, place, job_orders=job_orders, suppliers=suppliers),
            "webhook_secret": stripe_settings_get().webhook_secret,
        }
    return LoadNetwork(tenant=tenant, host=host, plan=plan)


@transaction.atomic
def network_clone(source: Tenant, slug: str) -> Tenant:
    """A benchmark copy of `source` named `slug`, with every row; `load_network_drop` removes it."""
    validate_subdomain(slug)
    schema = schema_name_for(slug)
    if schema_exists(schema):
        raise LoadNetworkError(f"Schema {schema} exists without a network row; drop it by hand first.")
    tenant = Tenant.objects.create(
        schema_name=schema,
        name=f"{COPY_PREFIX}{source.name}"[:100],
        slug=slug,
        currency=source.currency,
        time_zone=source.time_zone,
        accent_color=source.accent_color,
    )
    # Tables, rows and sequences: the copy starts as the demo network is now.
    CloneSchema().clone_schema(source.schema_name, schema, "DATA")
    Domain.objects.create(domain=f"{slug}.{settings.PLATFORM_DOMAIN}", tenant=tenant, is_primary=True)
    return tenant


def _templates() -> list[dict]:
    """Each active template's defaults and one numeric parameter the run varies (so no answer is a cached one)."""
    rows = []
    for template in template_list_active().order_by("position", "name"):
        spec = template_spec_for(template)
        number = next((p for p in spec.parameters if p.kind == ParameterKind.NUMBER and p.step), None)
        vary = None
        if number is not None:
            vary = {
                "key": number.key,
                "min": str(number.min_value),
                "step": str(number.step),
                "count": int((number.max_value - number.min_value) / number.step) + 1,
            }
        rows.append(
            {
                "slug": template.slug,
                "values": {key: str(value) for key, value in spec.defaults().items()},
                "vary": vary,
            }
        )
    return rows


def _session_for(user: User) -> str:
    """A signed-in session stored in the current network's schema (what the login page would create)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _customer(index: int) -> dict:
    """A customer of the run with one design to order (templates taken in turn)."""
    user = user_create(
        email=f"customer-{index}@{EMAIL_DOMAIN}", password=None, role=Role.CUSTOMER, full_name="Load Customer"
    )
    templates = list(template_list_active().order_by("position", "name"))
    template = templates[index % len(templates)]
    design = design_create(
        owner=user, template=template, name="Load design", values=template_spec_for(template).defaults()
    )
    return {"session": _session_for(user), "design_version": str(design.current_version_id)}


def _supplier_jobs(tenant: Tenant, place: Place, *, job_orders: int, suppliers: int) -> list[dict]:
    """Orders placed, paid and planned for the run, so the workshops have offers to accept and start (the
    orders' first steps, which wait for nothing); the `suppliers` asset owners with the most of them each get a
    member signed in for the run."""
    buyer = user_create(
        email=f"jobs@{EMAIL_DOMAIN}", password=None, role=Role.CUSTOMER, full_name="Load Jobs Buyer"
    )
    templates = list(template_list_active().order_by("position", "name"))
    versions = [
        design_create(
            owner=buyer, template=t, name=f"Load {t.slug}", values=template_spec_for(t).defaults()
        ).current_version
        for t in templates
    ]
    tz = ZoneInfo(tenant.time_zone)
    start = datetime.combine(timezone.now().astimezone(tz).date() + timedelta(days=1), time(8), tz)
    orders = [_paid_order(buyer, versions[index % len(versions)], place) for index in range(job_orders)]
    for order in orders:
        plan_apply_simple(order, start=start)
    # First steps only: the run accepts and then starts each job, and a later step may not start before the
    # steps it follows are done and their parts delivered.
    offered = WorkItem.objects.filter(
        order__in=orders, status=WorkItemStatus.OFFERED, predecessor_keys=[]
    ).order_by("planned_start")
    by_owner: dict[int, list[int]] = {}
    for item in offered:
        by_owner.setdefault(item.asset_owner_id, []).append(item.pk)
    busiest = sorted(by_owner.items(), key=lambda pair: -len(pair[1]))[:suppliers]
    slots = []
    for owner_id, item_ids in busiest:
        member = user_create(
            email=f"supplier-{owner_id}@{EMAIL_DOMAIN}",
            password=None,
            role=Role.SUPPLIER_MEMBER,
            full_name="Load Planner",
        )
        participant_member_add(participant=AssetOwner.objects.get(pk=owner_id), user=member)
        slots.append({"session": _session_for(member), "jobs": item_ids})
    return slots


def _paid_order(buyer: User, version, place: Place) -> Order:
    """Cart → quote → order through the checkout services, then paid (the payment is booked on our side only)."""
    order = demo_order_place(buyer, versions=[version], quantities=[1], place=place)
    order_payment_apply(
        payment_intent_id=order.payment_intent_id,
        amount_minor=order.total_minor,
        currency=order.currency,
        charge_id=f"ch_load_{order.pk}",
        actor_label="load benchmark",
    )
    return Order.objects.get(pk=order.pk)
