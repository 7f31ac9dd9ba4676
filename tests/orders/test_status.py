"""The state machines: every allowed move works and leaves an event, every other move is refused and changes
nothing, and a stale compare-and-swap loses."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalog.models import Design, DesignVersion, ProductTemplate
from apps.orders.models import EventKind, Order, OrderEvent, OrderLine, TransportLeg, WorkItem
from apps.orders.services import order_transition, transport_leg_transition, work_item_transition
from apps.orders.status import (
    LEG_TRANSITIONS,
    TRANSITIONS,
    WORK_ITEM_TRANSITIONS,
    InvalidTransition,
    LegStatus,
    OrderStatus,
    WorkItemStatus,
)

pytestmark = pytest.mark.django_db


def _pairs(table, choices):
    allowed = [(a, b) for a in choices.values for b in choices.values if b in table[a]]
    forbidden = [(a, b) for a in choices.values for b in choices.values if b not in table[a]]
    return allowed, forbidden


ORDER_ALLOWED, ORDER_FORBIDDEN = _pairs(TRANSITIONS, OrderStatus)
ITEM_ALLOWED, ITEM_FORBIDDEN = _pairs(WORK_ITEM_TRANSITIONS, WorkItemStatus)
LEG_ALLOWED, LEG_FORBIDDEN = _pairs(LEG_TRANSITIONS, LegStatus)


@pytest.fixture
def bare_order(in_tenant_a, make_user, tenant_a):
    customer = make_user(tenant_a, Role.CUSTOMER)

    def make(status: str) -> Order:
        return Order.objects.create(
            customer=customer,
            status=status,
            checkout_key=uuid.uuid4(),
            currency="EUR",
            total_minor=10000,
            promised_delivery_date=date.today() + timedelta(days=10),
            quote_expires_at=timezone.now() + timedelta(minutes=15),
            latitude=52,
            longitude=5,
        )

    return make


def test_every_state_appears_in_the_tables():
    assert set(TRANSITIONS) == set(OrderStatus.values)
    assert set(WORK_ITEM_TRANSITIONS) == set(WorkItemStatus.values)
    assert set(LEG_TRANSITIONS) == set(LegStatus.values)
    assert all(targets <= set(OrderStatus.values) for targets in TRANSITIONS.values())


@pytest.mark.parametrize(("current", "to"), ORDER_ALLOWED)
def test_allowed_order_transition_moves_and_records_an_event(bare_order, current, to):
    order = bare_order(current)
    left = order_transition(order_id=order.pk, to=to, actor=order.customer, reason="test")
    order.refresh_from_db()
    assert (left, order.status) == (current, to)
    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.from_status, event.to_status, event.actor_id, event.reason) == (
        EventKind.STATUS,
        current,
        to,
        order.customer_id,
        "test",
    )


@pytest.mark.parametrize(("current", "to"), ORDER_FORBIDDEN)
def test_forbidden_order_transition_is_refused_and_changes_nothing(bare_order, current, to):
    order = bare_order(current)
    with pytest.raises(InvalidTransition):
        order_transition(order_id=order.pk, to=to, actor=None)
    order.refresh_from_db()
    assert order.status == current
    assert not OrderEvent.objects.filter(order=order).exists()


def test_stale_expected_state_loses_the_swap(bare_order):
    """Two writers read awaiting_payment; the first moves it to paid, the second (expecting awaiting) loses."""
    order = bare_order(OrderStatus.AWAITING_PAYMENT)
    order_transition(order_id=order.pk, to=OrderStatus.PAID, expected_from=OrderStatus.AWAITING_PAYMENT)
    with pytest.raises(InvalidTransition):
        order_transition(order_id=order.pk, to=OrderStatus.PAID, expected_from=OrderStatus.AWAITING_PAYMENT)
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1


def test_entering_a_state_stamps_its_time(bare_order):
    order = bare_order(OrderStatus.SHIPPED)
    order_transition(order_id=order.pk, to=OrderStatus.DELIVERED)
    order.refresh_from_db()
    assert order.delivered_at is not None and order.completed_at is None


def test_missing_order_raises_does_not_exist(in_tenant_a):
    with pytest.raises(Order.DoesNotExist):
        order_transition(order_id=987654321, to=OrderStatus.PAID)


@pytest.fixture
def make_item(bare_order):
    order = bare_order(OrderStatus.PLANNED)
    template = ProductTemplate.objects.create(
        name="Stool", slug=f"stool-{uuid.uuid4().hex[:6]}", category="Furniture"
    )
    design = Design.objects.create(
        owner=order.customer, template=template, name="Stool", share_token=uuid.uuid4().hex
    )
    version = DesignVersion.objects.create(design=design, number=1, values={}, operations=[])
    line = OrderLine.objects.create(
        order=order,
        position=1,
        design_version=version,
        description="x",
        quantity=1,
        unit_price_minor=1,
        total_minor=1,
    )

    def make(status: str) -> WorkItem:
        return WorkItem.objects.create(
            order=order, line=line, step_key="top", name="Top", status=status, currency="EUR"
        )

    return make


@pytest.mark.parametrize(("current", "to"), ITEM_ALLOWED)
def test_allowed_work_item_transition(make_item, current, to):
    item = make_item(current)
    moved = work_item_transition(work_item_id=item.pk, to=to, reason="test")
    assert moved.status == to
    event = OrderEvent.objects.get(work_item=item)
    assert (event.kind, event.from_status, event.to_status) == (EventKind.WORK_ITEM, current, to)


@pytest.mark.parametrize(("current", "to"), ITEM_FORBIDDEN)
def test_forbidden_work_item_transition(make_item, current, to):
    item = make_item(current)
    with pytest.raises(InvalidTransition):
        work_item_transition(work_item_id=item.pk, to=to)
    item.refresh_from_db()
    assert item.status == current
    assert not OrderEvent.objects.filter(work_item=item).exists()


def test_work_item_outside_the_callers_scope_looks_missing(make_item):
    item = make_item(WorkItemStatus.OFFERED)
    with pytest.raises(WorkItem.DoesNotExist):
        work_item_transition(
            work_item_id=item.pk, to=WorkItemStatus.ACCEPTED, scope=WorkItem.objects.filter(asset_owner_id=-1)
        )
    item.refresh_from_db()
    assert item.status == WorkItemStatus.OFFERED


@pytest.fixture
def make_leg(bare_order):
    order = bare_order(OrderStatus.PLANNED)

    def make(status: str) -> TransportLeg:
        return TransportLeg.objects.create(order=order, status=status, currency="EUR", is_last_mile=True)

    return make


@pytest.mark.parametrize(("current", "to"), LEG_ALLOWED)
def test_allowed_leg_transition(make_leg, current, to):
    leg = make_leg(current)
    assert transport_leg_transition(leg_id=leg.pk, to=to).status == to
    assert OrderEvent.objects.filter(transport_leg=leg, from_status=current, to_status=to).count() == 1


@pytest.mark.parametrize(("current", "to"), LEG_FORBIDDEN)
def test_forbidden_leg_transition(make_leg, current, to):
    leg = make_leg(current)
    with pytest.raises(InvalidTransition):
        transport_leg_transition(leg_id=leg.pk, to=to)
    leg.refresh_from_db()
    assert leg.status == current
