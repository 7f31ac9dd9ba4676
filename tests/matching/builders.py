"""Rows for matching's database tests: a small network, a product, designs and paid orders.

Everything is written to whatever schema the connection is set to (rolled back with the `db` fixture, or
removed by `network_cleanup` in tests that commit for a worker process)."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.catalog.models import ProductTemplate
from apps.catalog.services import design_create, product_template_import
from apps.orders.models import Order, OrderLine
from apps.orders.services import order_transition
from apps.orders.status import OrderStatus
from apps.suppliers.services import opening_hours_replace
from tests.suppliers.factories import make_asset_owner, make_carrier, make_resource

EINDHOVEN = (Decimal("51.441642"), Decimal("5.469722"))
UTRECHT = (Decimal("52.090737"), Decimal("5.121420"))
AMERSFOORT = (Decimal("52.156111"), Decimal("5.387827"))
CUSTOMER_POINT = (Decimal("52.370216"), Decimal("4.895168"))  # Amsterdam

ROUND_THE_CLOCK = [(d, time(0), time(0)) for d in range(7)]
OFFICE_HOURS = [(d, time(8), time(17)) for d in range(5)]

BRACKET = {
    "slug": "bracket",
    "name": "Steel bracket",
    "category": "Test",
    "margin_percent": 20,
    "transport_buffer_days": 2,
    "parameters": [
        {
            "key": "length",
            "label": "Length",
            "kind": "number",
            "unit": "mm",
            "min": 200,
            "max": 2900,
            "step": 10,
            "default": 800,
        },
        {
            "key": "metal",
            "label": "Metal",
            "kind": "choice",
            "default": "steel",
            "options": [{"value": "steel", "label": "Steel"}, {"value": "aluminium", "label": "Aluminium"}],
        },
        {
            "key": "hours",
            "label": "Cutting hours",
            "kind": "number",
            "min": 1,
            "max": 200,
            "step": 1,
            "default": 1,
        },
    ],
    "steps": [
        {
            "key": "cut",
            "name": "Cutting",
            "process": "laser_cutting",
            "material": "metal",
            "length": "length",
            "width": "200",
            "height": "3",
            "duration": "hours * 60",
            "cost_drivers": {"machine": "duration_min"},
        },
        {
            "key": "bend",
            "name": "Bending",
            "process": "sheet_bending",
            "predecessors": ["cut"],
            "material": "metal",
            "length": "length",
            "width": "200",
            "height": "40",
            "duration": "30",
            "cost_drivers": {"machine": "20"},
        },
        {
            "key": "pack",
            "name": "Packing",
            "process": "packaging",
            "predecessors": ["bend"],
            "length": "length",
            "width": "250",
            "height": "60",
            "duration": "15",
            "cost_drivers": {"box": "5"},
        },
    ],
}


def bracket_template() -> ProductTemplate:
    existing = ProductTemplate.objects.filter(slug=BRACKET["slug"]).first()
    return existing or product_template_import(definition=BRACKET)


def workshop(
    name: str,
    *,
    processes: dict[str, dict] | None = None,
    coordinates=EINDHOVEN,
    hours=ROUND_THE_CLOCK,
    onboarded: bool = True,
    **owner,
):
    """An approved asset owner with one resource per process ({process: overrides})."""
    owner_row = make_asset_owner(name, onboarded=onboarded, coordinates=coordinates, **owner)
    resources = {}
    for process, overrides in (processes or {}).items():
        overrides = dict(overrides)
        weekly = overrides.pop("hours", hours)
        fields = {
            "name": f"{name} {process}",
            "process": process,
            "max_length_mm": 3000,
            "max_width_mm": 1500,
            "max_height_mm": 500,
            "materials": ["steel", "aluminium"],
            "setup_cost_minor": 1000,
            "cost_per_minute_minor": 100,
            "minimum_charge_minor": 0,
            **overrides,
        }
        resource = make_resource(owner_row, **fields)
        opening_hours_replace(resource=resource, intervals=weekly)
        resources[process] = resource
    return owner_row, resources


def full_workshop(name: str, **kwargs):
    return workshop(
        name, processes={"laser_cutting": {}, "sheet_bending": {}, "packaging": {"materials": []}}, **kwargs
    )


def haulier(name: str = "Haulier", *, coordinates=UTRECHT, radius_km: int = 300):
    carrier = make_carrier(name, onboarded=True, coordinates=coordinates)
    carrier.coverage_radius_km = radius_km
    carrier.save(update_fields=["coverage_radius_km"])
    return carrier


def design_version(customer, *, length: int = 800, metal: str = "steel", hours: int = 1):
    design = design_create(
        owner=customer,
        template=bracket_template(),
        name=f"Bracket {uuid.uuid4().hex[:6]}",
        values={"length": length, "metal": metal, "hours": hours},
    )
    return design.current_version


def paid_order(
    customer, version, *, quantity: int = 1, promised: date | None = None, point=CUSTOMER_POINT
) -> Order:
    order = Order.objects.create(
        customer=customer,
        status=OrderStatus.AWAITING_PAYMENT,
        checkout_key=uuid.uuid4(),
        currency="EUR",
        total_minor=10_000,
        promised_delivery_date=promised or (timezone.now() + timedelta(days=10)).date(),
        quote_expires_at=timezone.now() + timedelta(minutes=15),
        recipient_name="Pat Customer",
        address_line="Dam 1",
        postcode="1012 JS",
        city="Amsterdam",
        latitude=point[0],
        longitude=point[1],
    )
    OrderLine.objects.create(
        order=order,
        position=1,
        design_version=version,
        description="Bracket",
        quantity=quantity,
        unit_price_minor=10_000,
        total_minor=10_000 * quantity,
    )
    order_transition(order_id=order.pk, to=OrderStatus.PAID, actor_label="test")
    order.refresh_from_db()
    return order
