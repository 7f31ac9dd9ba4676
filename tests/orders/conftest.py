"""Orders fixtures: alpha with the demo catalog, a small supplier network, a customer with designs, and helpers
that walk an order through the real services (local Stripe server for payments)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.demo.catalog import catalog_demo_seed
from apps.demo.orders import plan_apply_simple
from apps.orders import checkout
from apps.orders.models import Order, Place, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    AddressInput,
    cart_address_set,
    cart_line_add,
    transport_leg_deliver,
    transport_leg_pick_up,
)
from apps.orders.status import LegStatus
from apps.processes.standard import STANDARD_PROCESS_CODES
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.services import opening_hours_replace, rate_card_update, resource_create
from apps.suppliers.status import ParticipantStatus
from tests.portal.conftest import (  # noqa: F401 - supplier companies, for the problem reports
    carrier_a,
    other_carrier_a,
    other_supplier_a,
    supplier_a,
)
from tests.portal.jobs.builders import plan_a, ready_a  # noqa: F401 - a planned order on those companies

SITES = [
    ("Utrecht Woodworks", "Utrecht", "52.090700", "5.121400"),
    ("Eindhoven Metal", "Eindhoven", "51.441600", "5.469700"),
    ("Amersfoort Finishing", "Amersfoort", "52.156100", "5.387800"),
]


def small_network() -> dict:
    """Three workshops that together can make every demo product, and one carrier (eligible for matching)."""
    owners = []
    for index, (name, city, lat, lon) in enumerate(SITES):
        owners.append(
            AssetOwner.objects.create(
                name=name,
                contact_name="Planner",
                contact_email=f"planner{index}@example.test",
                street="Industrieweg 1",
                postal_code="1234 AB",
                city=city,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                status=ParticipantStatus.APPROVED,
                stripe_account_id=f"acct_test_owner_{index}",
                charges_enabled=True,
                payouts_enabled=True,
                details_submitted=True,
                transfers_active=True,
            )
        )
    resources = [
        open_cell(owners[index % len(owners)], code) for index, code in enumerate(STANDARD_PROCESS_CODES)
    ]
    carrier = Carrier.objects.create(
        name="Dutch Parcel Co",
        contact_name="Dispatch",
        contact_email="dispatch@example.test",
        street="Havenweg 2",
        postal_code="3511 AA",
        city="Utrecht",
        latitude=Decimal("52.0907"),
        longitude=Decimal("5.1214"),
        status=ParticipantStatus.APPROVED,
        stripe_account_id="acct_test_carrier",
        coverage_radius_km=250,  # the whole country from Utrecht: the demo seed ships to Groningen and Maastricht
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
        transfers_active=True,
    )
    rate_card_update(carrier=carrier, base_fee_minor=1500, per_km_minor=90, per_kg_minor=10)
    return {"owners": owners, "resources": resources, "carrier": carrier}


@pytest.fixture
def network_a(in_tenant_a, stripe_server):
    """Alpha with the demo catalog and a small supplier network (rolled back after the test)."""
    templates = {template.slug: template for template in catalog_demo_seed()}
    small_network()
    return templates


@pytest.fixture
def other_customer(tenant_a, make_user):
    return make_user(tenant_a, Role.CUSTOMER)


def design_for(customer, template, name: str = "My design", **values):
    spec = template_spec_for(template)
    return design_create(owner=customer, template=template, name=name, values={**spec.defaults(), **values})


@pytest.fixture
def table(network_a, customer):
    """A dining table design of the customer (version 1)."""
    return design_for(customer, network_a["dining-table"], "Kitchen table")


def open_cell(owner: AssetOwner, process: str):
    """A work cell for `process` at `owner`, big enough for the demo catalog, open 07:00–19:00 every day."""
    resource = resource_create(
        asset_owner=owner,
        name=f"{process} cell",
        process=process,
        max_length_mm=3000,
        max_width_mm=1500,
        max_height_mm=1500,
        setup_cost_minor=1500,
        cost_per_minute_minor=80,
        minimum_charge_minor=2500,
        tolerance_mm=Decimal("0.100"),
    )
    opening_hours_replace(resource=resource, intervals=[(day, time(7), time(19)) for day in range(7)])
    return resource


def fill_cart(customer, *versions_and_quantities, town: str = "Utrecht", requested=None):
    for version, quantity in versions_and_quantities:
        cart_line_add(customer=customer, design_version=version, quantity=quantity)
    cart_address_set(
        customer=customer,
        address=AddressInput(
            recipient_name="Ada Lovelace",
            address_line="Oudegracht 1",
            place_id=Place.objects.get(name=town).pk,
        ),
        requested_delivery_date=requested,
    )


def place_order(customer, *versions_and_quantities) -> Order:
    """Cart → quote → place: an order awaiting payment with its PaymentIntent."""
    fill_cart(customer, *versions_and_quantities)
    quoted = checkout.cart_quote(customer=customer)
    assert quoted.quote is not None, quoted.error
    result = checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    )
    assert result.order is not None and not result.changed
    return result.order


def pay(order: Order, payment_method: str = "pm_card_visa") -> checkout.PayResult:
    return checkout.checkout_pay(order=Order.objects.get(pk=order.pk), payment_method=payment_method)


@pytest.fixture
def awaiting(table, customer) -> Order:
    return place_order(customer, (table.current_version, 1))


@pytest.fixture
def paid(awaiting) -> Order:
    assert pay(awaiting).status == "paid"
    return Order.objects.get(pk=awaiting.pk)


def tomorrow_morning() -> datetime:
    tz = ZoneInfo("Europe/Amsterdam")
    return datetime.combine(timezone.now().astimezone(tz).date() + timedelta(days=1), time(8), tz)


@pytest.fixture
def planned(paid) -> Order:
    plan_apply_simple(paid, start=tomorrow_morning())
    return Order.objects.get(pk=paid.pk)


def deliver_inbound(item: WorkItem, actor) -> list[TransportLeg]:
    """Brings a job the parts made at other workshops (each open inbound leg picked up and delivered), which
    work_item_start waits for. Returns the legs delivered."""
    legs = list(
        TransportLeg.objects.filter(to_work_item_id=item.pk)
        .exclude(status__in=[LegStatus.DELIVERED, LegStatus.CANCELLED])
        .order_by("planned_departure", "id")
    )
    for leg in legs:
        if leg.status != LegStatus.PICKED_UP:
            transport_leg_pick_up(leg_id=leg.pk, actor=actor, scope=Scope.SYSTEM)
        transport_leg_deliver(leg_id=leg.pk, actor=actor, receiver_name="Goods-in", scope=Scope.SYSTEM)
    return legs


@pytest.fixture
def back_to_a(tenant_a):
    """Re-points the connection at alpha after a request on another network's host switched it."""

    def back():
        connection.set_tenant(tenant_a)

    return back
