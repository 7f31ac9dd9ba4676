"""Jobs and legs for the portal tests: a real order (demo catalog design → order → plan) whose work items and
transport legs sit on the supplier fixtures' companies. Built through the orders services (transitions,
order_plan_apply); nothing is mocked. The order is paid by state transition, without Stripe: the portal only
reads the payment through the profit-share statement, which stays provisional until a charge is booked."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.demo.catalog import catalog_demo_seed
from apps.orders.models import Order, OrderLine, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    PlannedLeg,
    PlannedWorkItem,
    order_plan_apply,
    order_transition,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import OrderStatus
from tests.conftest import PASSWORD, api_token_for, host_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TOP_COST = 12_000  # what supplier_a's job costs (minor units)
LEGS_COST = 8_000
LEG_COST = 3_500
ORDER_TOTAL = 40_000


@dataclass
class Plan:
    order: Order
    mine: WorkItem  # supplier_a's job
    theirs: WorkItem  # other_supplier_a's job in the same order
    leg: TransportLeg  # carrier_a's last mile
    other_leg: TransportLeg  # other_carrier_a's leg between the two workshops


def tomorrow_at(hour: int) -> datetime:
    return datetime.combine(
        timezone.now().astimezone(AMSTERDAM).date() + timedelta(days=1), time(hour), AMSTERDAM
    )


def paid_order(customer, version, *, total_minor: int = ORDER_TOTAL) -> Order:
    """An order of one line, moved draft → awaiting payment → paid through the order state machine."""
    order = Order.objects.create(
        customer=customer,
        checkout_key=uuid.uuid4(),
        currency="EUR",
        total_minor=total_minor,
        promised_delivery_date=(timezone.now() + timedelta(days=10)).date(),
        quote_expires_at=timezone.now() + timedelta(minutes=30),
        recipient_name="Ada Lovelace",
        address_line="Oudegracht 1",
        postcode="3511 AB",
        city="Utrecht",
        latitude=Decimal("52.090700"),
        longitude=Decimal("5.121400"),
    )
    OrderLine.objects.create(
        order=order,
        position=1,
        design_version=version,
        description="Kitchen table",
        quantity=1,
        unit_price_minor=total_minor,
        total_minor=total_minor,
    )
    order_transition(order_id=order.pk, to=OrderStatus.AWAITING_PAYMENT, actor_label="test")
    order_transition(order_id=order.pk, to=OrderStatus.PAID, actor_label="test")
    return Order.objects.get(pk=order.pk)


def plan_order(supplier, other_supplier, carrier, other_carrier, *, start: datetime | None = None) -> Plan:
    """Dining table: supplier mills the top, other_supplier the legs; other_carrier brings the legs over and
    carrier takes the table to the customer. The top follows the legs, so it may start only once they are done
    and delivered (parts_arrive). Call inside the network's schema."""
    customer = user_create(
        email=f"customer-{uuid.uuid4().hex[:8]}@example.test", password=PASSWORD, role=Role.CUSTOMER
    )
    template = next(t for t in catalog_demo_seed() if t.slug == "dining-table")
    design = design_create(
        owner=customer, template=template, name="Kitchen table", values=template_spec_for(template).defaults()
    )
    order = paid_order(customer, design.current_version)
    line = order.lines.get()
    start = start or tomorrow_at(8)
    items = [
        PlannedWorkItem(
            line_id=line.pk,
            step_key="top",
            name="Table top",
            process="cnc_milling",
            resource_id=supplier.resource.pk,
            asset_owner_id=supplier.company.pk,
            planned_start=start,
            planned_end=start + timedelta(hours=3),
            cost_minor=TOP_COST,
            predecessor_keys=("legs",),
        ),
        PlannedWorkItem(
            line_id=line.pk,
            step_key="legs",
            name="Legs",
            process="laser_cutting",
            resource_id=other_supplier.resource.pk,
            asset_owner_id=other_supplier.company.pk,
            planned_start=start,
            planned_end=start + timedelta(hours=2),
            cost_minor=LEGS_COST,
        ),
    ]
    legs = [
        PlannedLeg(
            carrier_id=other_carrier.company.pk,
            from_asset_owner_id=other_supplier.company.pk,
            to_asset_owner_id=supplier.company.pk,
            planned_departure=start + timedelta(hours=2),
            planned_arrival=start + timedelta(hours=4),
            cost_minor=2_000,
            from_step=(line.pk, "legs"),
            to_step=(line.pk, "top"),
            distance_km=Decimal("12.5"),
            weight_kg=Decimal("8"),
        ),
        PlannedLeg(
            carrier_id=carrier.company.pk,
            from_asset_owner_id=supplier.company.pk,
            to_asset_owner_id=None,
            planned_departure=start + timedelta(hours=5),
            planned_arrival=start + timedelta(hours=9),
            cost_minor=LEG_COST,
            from_step=(line.pk, "top"),
            is_last_mile=True,
            distance_km=Decimal("48.2"),
            weight_kg=Decimal("42.5"),
        ),
    ]
    order_plan_apply(order_id=order.pk, items=items, legs=legs, actor_label="test planner")
    work = {item.step_key: item for item in WorkItem.objects.filter(order=order)}
    return Plan(
        order=Order.objects.get(pk=order.pk),
        mine=work["top"],
        theirs=work["legs"],
        leg=TransportLeg.objects.get(order=order, is_last_mile=True),
        other_leg=TransportLeg.objects.get(order=order, is_last_mile=False),
    )


@pytest.fixture
def plan_a(tenant_a, supplier_a, other_supplier_a, carrier_a, other_carrier_a) -> Plan:
    with schema_context(tenant_a.schema_name):
        return plan_order(supplier_a, other_supplier_a, carrier_a, other_carrier_a)


def parts_arrive(plan: Plan) -> None:
    """What supplier_a's job waits for: the other workshop makes the legs (accepted, started, passed) and the
    other carrier brings them over (picked up, delivered), through the orders services. Call inside the
    network's schema."""
    for service in (work_item_accept, work_item_start):
        service(work_item_id=plan.theirs.pk, actor=None, scope=Scope.SYSTEM)
    work_item_quality_record(work_item_id=plan.theirs.pk, actor=None, passed=True, scope=Scope.SYSTEM)
    transport_leg_pick_up(leg_id=plan.other_leg.pk, actor=None, scope=Scope.SYSTEM)
    transport_leg_deliver(leg_id=plan.other_leg.pk, actor=None, receiver_name="Goods-in", scope=Scope.SYSTEM)


@pytest.fixture
def ready_a(tenant_a, plan_a) -> Plan:
    """plan_a with the legs made and delivered: supplier_a's job may start once accepted."""
    with schema_context(tenant_a.schema_name):
        parts_arrive(plan_a)
    return plan_a


def top_made(plan: Plan) -> None:
    """supplier_a's job (the final step) accepted, started and passed: the last mile may be picked up. Call
    inside the network's schema, after parts_arrive."""
    for service in (work_item_accept, work_item_start):
        service(work_item_id=plan.mine.pk, actor=None, scope=Scope.SYSTEM)
    work_item_quality_record(work_item_id=plan.mine.pk, actor=None, passed=True, scope=Scope.SYSTEM)


@pytest.fixture
def made_a(tenant_a, ready_a) -> Plan:
    """plan_a with every job done: both legs may be picked up (the last mile once it is its turn)."""
    with schema_context(tenant_a.schema_name):
        top_made(ready_a)
    return ready_a


def fresh(model_row):
    """The row as stored now (read in its network's schema by the caller)."""
    return type(model_row).objects.get(pk=model_row.pk)


def api(member, tenant=None) -> Client:
    """A client on `tenant`'s host (default: the member's own) sending the member's API token."""
    with schema_context(member.tenant.schema_name):
        token = api_token_for(member.user)
    return Client(HTTP_HOST=host_of(tenant or member.tenant), HTTP_AUTHORIZATION=f"Token {token}")


def png(size=(8, 8), name: str = "check.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def big_png(name: str = "huge.png") -> SimpleUploadedFile:
    """A real PNG just over 5 MB (random pixels do not compress)."""
    import os

    side = 1400
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) > 5 * 1024 * 1024
    return SimpleUploadedFile(name, data, content_type="image/png")


def not_an_image(name: str = "check.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7 definitely not pixels", content_type="image/png")


def png_bomb(width: int = 20_000, height: int = 10_000, name: str = "bomb.png") -> SimpleUploadedFile:
    """A valid 1-bit PNG of width × height pixels, all black: 20000 × 10000 is about 24 KB on disk and
    200 megapixels (gigabytes of RGB) once decoded. Built chunk by chunk, never decoded here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, data, content_type="image/png")
