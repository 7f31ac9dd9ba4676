"""A job starts only once what it needs is there: every predecessor step of its order line done, and every part
made elsewhere delivered to it. Until then work_item_start refuses, naming what the job waits for, and changes
nothing; a failed job's rework still starts.

The dining table's demo plan (tests/orders/conftest.py network): the top and the legs first, the legs' powder
coating at another workshop (a leg brings the legs over), then assembly, inspection and packing.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.demo.orders import plan_apply_simple, simple_plan
from apps.orders.models import Order, OrderEvent, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.selectors import work_item_waiting_for
from apps.orders.services import (
    order_plan_apply,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_decline,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.services.transitions import transport_leg_transition
from apps.orders.status import InvalidTransition, LegStatus, OrderStatus, WorkItemStatus, WorkItemWaiting
from tests.orders.conftest import deliver_inbound, pay, place_order, tomorrow_morning

pytestmark = pytest.mark.django_db

CARRIER = "Dutch Parcel Co"  # small_network's carrier


def _steps(order: Order) -> dict[str, WorkItem]:
    return {item.step_key: item for item in order.work_items.exclude(status__in=["declined", "cancelled"])}


def _made(item: WorkItem, actor) -> None:
    """Accepted (when offered), started and passed."""
    if WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.OFFERED:
        work_item_accept(work_item_id=item.pk, actor=actor, scope=Scope.SYSTEM)
    work_item_start(work_item_id=item.pk, actor=actor, scope=Scope.SYSTEM)
    work_item_quality_record(work_item_id=item.pk, actor=actor, passed=True, scope=Scope.SYSTEM)


def _state(item: WorkItem) -> tuple:
    stored = WorkItem.objects.get(pk=item.pk)
    events = OrderEvent.objects.filter(work_item_id=item.pk).count()
    return stored.status, stored.actual_start, stored.actual_end, events


def _refused(item: WorkItem, actor) -> WorkItemWaiting:
    """work_item_start refuses with WorkItemWaiting (a 409-style InvalidTransition) and changes nothing."""
    before = _state(item)
    order_status = Order.objects.get(pk=item.order_id).status
    with pytest.raises(WorkItemWaiting) as refused:
        work_item_start(work_item_id=item.pk, actor=actor, scope=Scope.SYSTEM)
    assert isinstance(refused.value, InvalidTransition)
    assert _state(item) == before
    assert Order.objects.get(pk=item.order_id).status == order_status
    return refused.value


def test_a_job_waits_for_its_predecessor_and_the_delivery_then_starts(planned, customer):
    steps = _steps(planned)
    coating, legs = steps["coating"], steps["legs"]
    leg = TransportLeg.objects.get(to_work_item=coating)
    work_item_accept(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)

    refusal = _refused(coating, customer)
    assert str(refusal) == f"Waiting for 'Steel legs' (offered) and the delivery from {CARRIER}."
    assert refusal.waiting_for == ("'Steel legs' (offered)", f"the delivery from {CARRIER}")
    assert refusal.current == WorkItemStatus.ACCEPTED
    assert Order.objects.get(pk=planned.pk).status == OrderStatus.PLANNED  # nothing started anywhere

    work_item_accept(work_item_id=legs.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_start(
        work_item_id=legs.pk, actor=customer, scope=Scope.SYSTEM
    )  # a first step waits for nothing
    assert str(_refused(coating, customer)) == (
        f"Waiting for 'Steel legs' (in progress) and the delivery from {CARRIER}."
    )
    work_item_quality_record(work_item_id=legs.pk, actor=customer, passed=True, scope=Scope.SYSTEM)
    assert _refused(coating, customer).waiting_for == (f"the delivery from {CARRIER}",)
    transport_leg_pick_up(leg_id=leg.pk, actor=customer, scope=Scope.SYSTEM)
    assert _refused(coating, customer).waiting_for == (f"the delivery from {CARRIER}",)  # on the road
    transport_leg_deliver(leg_id=leg.pk, actor=customer, receiver_name="Goods-in", scope=Scope.SYSTEM)

    started = work_item_start(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    assert started.status == WorkItemStatus.IN_PROGRESS and started.actual_start is not None
    assert OrderEvent.objects.filter(work_item=coating, reason__endswith="Production started").count() == 1


def test_a_job_names_every_predecessor_and_groups_deliveries_by_carrier(planned, customer):
    """Assembly follows the top and the coating; what is brought to it by the carrier is named once, counted
    (one delivery or several, as the plan has them)."""
    assembly = _steps(planned)["assembly"]
    inbound = TransportLeg.objects.filter(to_work_item=assembly, carrier__name=CARRIER).count()
    assert inbound >= 1, "the plan brings parts to the assembly"
    work_item_accept(work_item_id=assembly.pk, actor=customer, scope=Scope.SYSTEM)
    assert _refused(assembly, customer).waiting_for == (
        "'Table top' (offered)",
        "'Powder coating of the legs' (offered)",
        f"the delivery from {CARRIER}" if inbound == 1 else f"{inbound} deliveries from {CARRIER}",
    )


def test_a_failed_predecessor_and_one_being_replanned_hold_the_job(planned, customer):
    steps = _steps(planned)
    coating = steps["coating"]
    work_item_accept(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_accept(work_item_id=steps["legs"].pk, actor=customer, scope=Scope.SYSTEM)
    work_item_start(work_item_id=steps["legs"].pk, actor=customer, scope=Scope.SYSTEM)
    work_item_quality_record(work_item_id=steps["legs"].pk, actor=customer, passed=False, scope=Scope.SYSTEM)
    assert _refused(coating, customer).waiting_for[0] == "'Steel legs' (failed quality)"

    top = steps["top"]
    work_item_decline(work_item_id=top.pk, actor=customer, reason="Mill down", scope=Scope.SYSTEM)
    assembly = _steps(planned)["assembly"]
    work_item_accept(work_item_id=assembly.pk, actor=customer, scope=Scope.SYSTEM)
    assert _refused(assembly, customer).waiting_for[0] == "'Table top' (being re-planned)"


def test_a_predecessor_at_the_same_site_needs_only_to_be_done(paid, customer):
    """Planned without legs between the workshops (as if all were one site): "done" is all that counts."""
    items, legs = simple_plan(paid, start=tomorrow_morning())
    order_plan_apply(order_id=paid.pk, items=items, legs=[leg for leg in legs if leg.is_last_mile])
    steps = _steps(Order.objects.get(pk=paid.pk))
    coating = steps["coating"]
    assert not TransportLeg.objects.filter(to_work_item=coating).exists()
    work_item_accept(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    assert _refused(coating, customer).waiting_for == ("'Steel legs' (offered)",)
    _made(steps["legs"], customer)
    assert (
        work_item_start(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM).status
        == WorkItemStatus.IN_PROGRESS
    )


def test_a_cancelled_inbound_leg_is_not_waited_for(planned, customer):
    steps = _steps(planned)
    coating = steps["coating"]
    _made(steps["legs"], customer)
    work_item_accept(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    leg = TransportLeg.objects.get(to_work_item=coating)
    transport_leg_transition(leg_id=leg.pk, to=LegStatus.CANCELLED, actor_label="test")
    assert (
        work_item_start(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM).status
        == WorkItemStatus.IN_PROGRESS
    )


def test_the_rework_of_a_failed_job_still_starts(planned, customer):
    steps = _steps(planned)
    coating = steps["coating"]
    _made(steps["legs"], customer)
    work_item_accept(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    deliver_inbound(coating, customer)
    work_item_start(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_quality_record(
        work_item_id=coating.pk, actor=customer, passed=False, notes="Runs in the paint", scope=Scope.SYSTEM
    )
    assert WorkItem.objects.get(pk=coating.pk).status == WorkItemStatus.FAILED
    reworked = work_item_start(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    assert reworked.status == WorkItemStatus.IN_PROGRESS
    assert OrderEvent.objects.filter(work_item=coating, reason__endswith="Rework started").exists()


def test_a_job_not_accepted_is_refused_for_that_not_for_what_it_waits_for(planned, customer):
    """The state comes first: an offered job says it is offered, whatever it waits for."""
    coating = _steps(planned)["coating"]
    with pytest.raises(InvalidTransition) as refused:
        work_item_start(work_item_id=coating.pk, actor=customer, scope=Scope.SYSTEM)
    assert not isinstance(refused.value, WorkItemWaiting) and str(refused.value) == "This job is offered."


def _selects(call) -> tuple[object, int]:
    """What `call()` returns and how many SELECTs it ran (django-tenants' search_path settings aside)."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, sum(1 for query in captured.captured_queries if query["sql"].startswith("SELECT"))


def test_what_jobs_wait_for_is_read_in_two_queries_however_many(planned, paid_too):
    one = list(planned.work_items.all())
    both = one + list(paid_too.work_items.all())
    waiting, selects = _selects(lambda: work_item_waiting_for(one))
    assert selects == 2 and _selects(lambda: work_item_waiting_for(both))[1] == 2
    by_step = {item.step_key: waiting.get(item.pk) for item in one}
    assert by_step["top"] is None and by_step["legs"] is None  # first steps wait for nothing
    assert by_step["packing"] == ("'Quality inspection' (offered)", f"the delivery from {CARRIER}")
    assert _selects(lambda: work_item_waiting_for([])) == ({}, 0)


@pytest.fixture
def paid_too(table, customer) -> Order:
    """A second planned order of the same customer (two tables)."""
    order = place_order(customer, (table.current_version, 2))
    assert pay(order).status == "paid"
    plan_apply_simple(Order.objects.get(pk=order.pk), start=tomorrow_morning())
    return Order.objects.get(pk=order.pk)
