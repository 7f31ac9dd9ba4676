"""A carrier picks up a part only once it exists: the job the leg leaves from is done — made and through its
quality check — and for the last mile that is the final step. Until then transport_leg_pick_up refuses with
LegWaiting, naming the job and its state, and nothing changes (no pick-up, no delivery, so no carrier pay).

The dining table's demo plan (tests/orders/conftest.py): the steel legs are made at one workshop and driven to
another for their powder coating; the last mile leaves from the final step.
"""

from __future__ import annotations

import pytest

from apps.orders.actions import leg_allowed
from apps.orders.models import Order, OrderEvent, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import InvalidTransition, LegStatus, LegWaiting, WorkItemStatus
from tests.orders.conftest import deliver_inbound

pytestmark = pytest.mark.django_db

SYSTEM = Scope.SYSTEM


def _state(leg: TransportLeg) -> tuple:
    stored = TransportLeg.objects.get(pk=leg.pk)
    events = OrderEvent.objects.filter(transport_leg_id=leg.pk).count()
    return (
        stored.status,
        stored.picked_up_at,
        stored.delivered_at,
        events,
        Order.objects.get(pk=leg.order_id).status,
    )


def _refused(leg: TransportLeg, actor) -> LegWaiting:
    before = _state(leg)
    with pytest.raises(LegWaiting) as refused:
        transport_leg_pick_up(leg_id=leg.pk, actor=actor, scope=SYSTEM)
    assert isinstance(refused.value, InvalidTransition) and refused.value.to == LegStatus.PICKED_UP
    assert _state(leg) == before
    return refused.value


def test_a_leg_waits_until_the_job_making_its_parts_is_done_and_passed(planned, customer):
    legs_job = planned.work_items.get(step_key="legs")
    leg = TransportLeg.objects.get(from_work_item=legs_job)

    refusal = _refused(leg, customer)
    assert refusal.waiting_for == ("'Steel legs' (offered)",)
    assert str(refusal) == "Waiting for 'Steel legs' (offered)."
    assert refusal.current == LegStatus.PLANNED
    work_item_accept(work_item_id=legs_job.pk, actor=customer, scope=SYSTEM)
    assert _refused(leg, customer).waiting_for == ("'Steel legs' (accepted)",)  # the case of the report
    work_item_start(work_item_id=legs_job.pk, actor=customer, scope=SYSTEM)
    assert _refused(leg, customer).waiting_for == ("'Steel legs' (in progress)",)
    work_item_quality_record(work_item_id=legs_job.pk, actor=customer, passed=False, scope=SYSTEM)
    assert _refused(leg, customer).waiting_for == ("'Steel legs' (failed quality)",)  # made, not passed
    work_item_start(work_item_id=legs_job.pk, actor=customer, scope=SYSTEM)  # the rework
    work_item_quality_record(work_item_id=legs_job.pk, actor=customer, passed=True, scope=SYSTEM)

    assert leg_allowed(leg).can("pick_up")
    picked = transport_leg_pick_up(leg_id=leg.pk, actor=customer, scope=SYSTEM)
    assert picked.status == LegStatus.PICKED_UP and picked.picked_up_at is not None
    delivered = transport_leg_deliver(leg_id=leg.pk, actor=customer, receiver_name="Goods-in", scope=SYSTEM)
    assert delivered.status == LegStatus.DELIVERED


def test_the_last_mile_waits_for_the_final_step(planned, customer):
    last_mile = TransportLeg.objects.get(order=planned, is_last_mile=True, status__in=[LegStatus.PLANNED])
    final = last_mile.from_work_item
    assert final is not None and not final.legs_out.exclude(pk=last_mile.pk).exists()
    assert _refused(last_mile, customer).waiting_for == (f"'{final.name}' (offered)",)
    for item in planned.work_items.order_by("planned_start", "id"):
        if item.pk == final.pk:
            continue
        _make(item, customer)
    assert _refused(last_mile, customer).waiting_for == (f"'{final.name}' (offered)",)  # all but the last
    _make(final, customer)
    assert (
        transport_leg_pick_up(leg_id=last_mile.pk, actor=customer, scope=SYSTEM).status == LegStatus.PICKED_UP
    )


def test_a_leg_whose_source_job_is_gone_or_unknown_waits(planned, customer):
    legs_job = planned.work_items.get(step_key="legs")
    leg = TransportLeg.objects.get(from_work_item=legs_job)
    WorkItem.objects.filter(pk=legs_job.pk).update(status=WorkItemStatus.CANCELLED)  # being re-planned
    assert _refused(leg, customer).waiting_for == ("'Steel legs' (being re-planned)",)
    TransportLeg.objects.filter(pk=leg.pk).update(from_work_item=None)
    assert _refused(leg, customer).waiting_for == ("the job that makes its parts (none is planned)",)


def _make(item: WorkItem, actor) -> None:
    """Accepted, its parts brought over, started and passed (in plan order)."""
    item = WorkItem.objects.get(pk=item.pk)
    if item.status == WorkItemStatus.OFFERED:
        work_item_accept(work_item_id=item.pk, actor=actor, scope=SYSTEM)
    deliver_inbound(item, actor)
    work_item_start(work_item_id=item.pk, actor=actor, scope=SYSTEM)
    work_item_quality_record(work_item_id=item.pk, actor=actor, passed=True, scope=SYSTEM)
