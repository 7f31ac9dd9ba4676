"""The state machines: every allowed move works and leaves an event, every other move is refused and changes
nothing, and a stale compare-and-swap loses."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalog.models import Design, DesignVersion, ProductTemplate
from apps.core.transitions import InvalidTransition as CoreInvalidTransition
from apps.core.transitions import transition, transition_if
from apps.orders.models import EventKind, Order, OrderEvent, OrderLine, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    order_cancel,
    order_complete,
    order_mark_disputed,
    order_refund_staff,
    order_transition,
    refund_request_decide,
    transport_leg_book,
    transport_leg_deliver,
    transport_leg_pick_up,
    transport_leg_transition,
    work_item_accept,
    work_item_complete,
    work_item_decline,
    work_item_problem_report,
    work_item_quality_record,
    work_item_start,
    work_item_transition,
)
from apps.orders.services.refunds import order_dispute_decided, order_refund_made_outside
from apps.orders.status import (
    LEG_TRANSITIONS,
    TRANSITIONS,
    WORK_ITEM_TRANSITIONS,
    InvalidTransition,
    LegStatus,
    OrderStatus,
    WorkItemStatus,
)
from tests.suppliers.factories import make_asset_owner, make_carrier

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
    assert all(targets <= set(WorkItemStatus.values) for targets in WORK_ITEM_TRANSITIONS.values())
    assert all(targets <= set(LegStatus.values) for targets in LEG_TRANSITIONS.values())


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


SCOPED_SERVICES = [
    (work_item_accept, {"work_item_id": 1, "actor": None}),
    (work_item_decline, {"work_item_id": 1, "actor": None, "reason": "Mill down"}),
    (work_item_start, {"work_item_id": 1, "actor": None}),
    (work_item_complete, {"work_item_id": 1, "actor": None}),
    (work_item_quality_record, {"work_item_id": 1, "actor": None, "passed": True}),
    (work_item_problem_report, {"work_item_id": 1, "actor": None, "reason": "Oak is late"}),
    (transport_leg_book, {"leg_id": 1}),
    (transport_leg_pick_up, {"leg_id": 1, "actor": None}),
    (transport_leg_deliver, {"leg_id": 1, "actor": None, "receiver_name": "Ada"}),
    (order_cancel, {"order_id": 1, "actor": None, "reason": "x"}),
    (order_refund_staff, {"order_id": 1, "actor": None, "amount_minor": 1, "reason": "x"}),
    (order_mark_disputed, {"order_id": 1, "actor": None, "reason": "x"}),
    (order_dispute_decided, {"order_id": 1, "lost": True, "reason": "x"}),
    (
        order_refund_made_outside,
        {
            "order_id": 1,
            "stripe_refund_id": "re_1",
            "charge_id": "ch_1",
            "amount_minor": 1,
            "currency": "EUR",
            "reason": "x",
        },
    ),
    (order_complete, {"order_id": 1}),
    (refund_request_decide, {"request_id": 1, "actor": None, "approve": False}),
]


@pytest.mark.parametrize(("service", "kwargs"), SCOPED_SERVICES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_service_called_without_a_scope_is_refused_not_run_on_every_row(in_tenant_a, service, kwargs):
    """Fail-closed: forgetting the scope (or passing None, once "all rows") is a TypeError, before any read."""
    with pytest.raises(TypeError):
        service(**kwargs)
    with pytest.raises(TypeError):
        service(**kwargs, scope=None)


def test_a_company_cannot_act_on_another_companys_job_through_the_service(make_item):
    mine, theirs = make_asset_owner("Mine Works"), make_asset_owner("Their Works")
    item = make_item(WorkItemStatus.OFFERED)
    WorkItem.objects.filter(pk=item.pk).update(asset_owner=theirs)
    for scope in (mine, WorkItem.objects.filter(asset_owner=mine)):
        with pytest.raises(WorkItem.DoesNotExist):
            work_item_accept(work_item_id=item.pk, actor=None, scope=scope)
    item.refresh_from_db()
    assert item.status == WorkItemStatus.OFFERED and not OrderEvent.objects.filter(work_item=item).exists()
    assert work_item_accept(work_item_id=item.pk, actor=None, scope=theirs).status == WorkItemStatus.ACCEPTED


def test_a_customer_cannot_cancel_another_customers_order_through_the_service(
    bare_order, make_user, tenant_a
):
    order = bare_order(OrderStatus.AWAITING_PAYMENT)
    with pytest.raises(Order.DoesNotExist):
        order_cancel(
            order_id=order.pk, actor=None, reason="Not mine", scope=make_user(tenant_a, Role.CUSTOMER)
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    order_cancel(order_id=order.pk, actor=order.customer, reason="Mine", scope=order.customer)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_scope_of_the_wrong_kind_is_refused(make_item):
    item = make_item(WorkItemStatus.OFFERED)
    with pytest.raises(TypeError):
        work_item_accept(work_item_id=item.pk, actor=None, scope=TransportLeg.objects.all())
    with pytest.raises(TypeError):
        work_item_accept(work_item_id=item.pk, actor=None, scope=make_carrier("Wrong Kind Haulage"))
    assert (
        work_item_accept(work_item_id=item.pk, actor=None, scope=Scope.STAFF).status
        == WorkItemStatus.ACCEPTED
    )


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


def test_the_core_swap_moves_only_from_the_expected_states_and_names_the_state_it_found(make_item):
    """apps.core.transitions.transition: one conditional UPDATE; a loser learns the state the row is in now."""
    item = make_item(WorkItemStatus.OFFERED)
    left = transition(WorkItem, item.pk, WorkItemStatus.OFFERED, WorkItemStatus.ACCEPTED, decline_reason="")
    assert (
        left == WorkItemStatus.OFFERED and WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.ACCEPTED
    )
    with pytest.raises(InvalidTransition) as lost:
        transition(
            WorkItem, item.pk, {WorkItemStatus.OFFERED, WorkItemStatus.PLANNED}, WorkItemStatus.DECLINED
        )
    assert (lost.value.current, lost.value.to) == (WorkItemStatus.ACCEPTED, WorkItemStatus.DECLINED)
    with pytest.raises(WorkItem.DoesNotExist):  # outside the rows it may move
        transition(
            WorkItem.objects.filter(asset_owner_id=-1), item.pk, WorkItemStatus.ACCEPTED, WorkItemStatus.DONE
        )
    with pytest.raises(WorkItem.DoesNotExist):
        transition(WorkItem, 987654321, WorkItemStatus.ACCEPTED, WorkItemStatus.DONE)
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.ACCEPTED
    # The non-raising form, for writers to which "someone already did it" is normal (payouts' sends, webhooks).
    assert transition_if(WorkItem, item.pk, WorkItemStatus.ACCEPTED, WorkItemStatus.IN_PROGRESS) is True
    assert transition_if(WorkItem, item.pk, WorkItemStatus.ACCEPTED, WorkItemStatus.IN_PROGRESS) is False
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.IN_PROGRESS


def test_every_invalid_transition_is_the_core_one():
    """Suppliers' participant status, tenants and orders raise the same exception (callers catch one)."""
    from apps.suppliers.services import participants

    assert participants.InvalidTransition is InvalidTransition is CoreInvalidTransition


def test_a_job_action_locks_its_order_before_the_job_and_the_job_alone(make_item):
    """Every writer locks an order before its jobs and legs. A job action locked the job first, and its order in
    the same statement (the job's ordering joins the order), so a re-plan or a progress task holding the order
    and waiting for the job deadlocked with it (seen in the fulfilment journey). Now: the order first, then the
    job with FOR UPDATE OF the job's table only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = make_asset_owner("Lock Works")
    item = make_item(WorkItemStatus.OFFERED)
    WorkItem.objects.filter(pk=item.pk).update(asset_owner=owner)
    with CaptureQueriesContext(connection) as captured:
        work_item_accept(work_item_id=item.pk, actor=None, scope=owner)
    locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert 'FROM "orders_order" WHERE "orders_order"."id" = ' in locks[0], locks[0]
    assert 'FROM "orders_workitem"' in locks[1] and locks[1].endswith('FOR UPDATE OF "orders_workitem"'), (
        locks[1]
    )
