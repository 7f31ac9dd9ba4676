"""What asset owners and carriers do: accept, decline, start, complete and quality-check jobs; pick up and deliver.

Each action finds its job or leg inside the actor's `scope` (required: apps/orders/scope.py — outside it an
item looks like a missing one), asks apps/orders/actions.py whether the action is allowed now (the same answer
the pages and the API render), then swaps the state with an audit event. The order follows by itself
(order_progress_sync).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.uploads import validate_image_upload
from apps.orders.actions import leg_require, work_item_require
from apps.orders.models import EventKind, QualityCheck, TransportLeg, WorkItem
from apps.orders.scope import scoped, scoped_locked_after_order
from apps.orders.services.planning import order_replan_request
from apps.orders.services.progress import order_eta_set, order_progress_sync
from apps.orders.services.transitions import event_record, transport_leg_transition, work_item_transition
from apps.orders.status import LEG_ACTIONS, WORK_ITEM_ACTIONS, LegStatus, WorkItemStatus
from apps.suppliers.models import SupplierOutcomeKind
from apps.suppliers.services import supplier_outcome_record

W = WorkItemStatus


def _job_for(action: str, *, work_item_id: int, scope) -> WorkItem:
    """The job inside the scope, locked, if `action` is allowed on it now; raises DoesNotExist or
    InvalidTransition (WorkItemWaiting for a start it must wait for)."""
    item = scoped_locked_after_order(scope, WorkItem, work_item_id)
    if item is None:
        raise WorkItem.DoesNotExist(f"Work item {work_item_id} does not exist.")
    work_item_require(item, action)
    return item


def _leg_for(action: str, *, leg_id: int, scope) -> TransportLeg:
    """The leg inside the scope, locked, if `action` is allowed on it now (LegWaiting for a pick-up of parts
    not made yet)."""
    leg = scoped_locked_after_order(scope, TransportLeg, leg_id)
    if leg is None:
        raise TransportLeg.DoesNotExist(f"Transport leg {leg_id} does not exist.")
    leg_require(leg, action)
    return leg


@transaction.atomic
def work_item_accept(*, work_item_id: int, actor, scope) -> WorkItem:
    _job_for("accept", work_item_id=work_item_id, scope=scope)
    item = work_item_transition(
        work_item_id=work_item_id,
        to=W.ACCEPTED,
        expected_from=WORK_ITEM_ACTIONS["accept"],
        actor=actor,
        reason="Job accepted",
    )
    order_progress_sync(order_id=item.order_id)
    return item


@transaction.atomic
def work_item_decline(*, work_item_id: int, actor, reason: str, scope) -> WorkItem:
    """Gives a job back (offered or accepted, not started); the order is re-planned. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline, so the network can plan around it."})
    _job_for("decline", work_item_id=work_item_id, scope=scope)
    item = work_item_transition(
        work_item_id=work_item_id,
        to=W.DECLINED,
        expected_from=WORK_ITEM_ACTIONS["decline"],
        actor=actor,
        reason=f"Job declined: {reason}",
        fields={"decline_reason": reason[:500]},
    )
    order_replan_request(order_id=item.order_id, reason=f"Job {item.pk} declined", actor=actor)
    return item


@transaction.atomic
def work_item_start(*, work_item_id: int, actor, scope) -> WorkItem:
    """Starts an accepted job, or reworks one that failed its quality check.

    Only once what it needs is there: every predecessor step of its line done and every inbound leg delivered
    (work_item_waiting_for). Otherwise raises WorkItemWaiting naming what it waits for, and nothing changes.
    A done step and a delivered leg stay so (both states are final), so the check made under the job's row lock
    still holds at the swap. A rework passed the same check when the job first started.
    """
    item = _job_for("start", work_item_id=work_item_id, scope=scope)
    rework = item.status == W.FAILED
    item = work_item_transition(
        work_item_id=work_item_id,
        to=W.IN_PROGRESS,
        expected_from=WORK_ITEM_ACTIONS["start"],
        actor=actor,
        reason="Rework started" if rework else "Production started",
        fields={"actual_start": item.actual_start or timezone.now(), "actual_end": None},
    )
    order_progress_sync(order_id=item.order_id)
    return item


@transaction.atomic
def work_item_complete(*, work_item_id: int, actor, scope) -> WorkItem:
    """Production finished; the job is done once its quality check passes (work_item_quality_record)."""
    item = _job_for("complete", work_item_id=work_item_id, scope=scope)
    WorkItem.objects.filter(pk=item.pk).update(actual_end=timezone.now(), updated_at=timezone.now())
    event_record(
        order_id=item.order_id,
        kind=EventKind.WORK_ITEM,
        actor=actor,
        reason="Production finished; quality check next",
        work_item_id=item.pk,
    )
    return WorkItem.objects.get(pk=item.pk)


@transaction.atomic
def work_item_quality_record(
    *,
    work_item_id: int,
    actor,
    passed: bool,
    measurements: dict | None = None,
    notes: str = "",
    photo=None,
    scope,
) -> QualityCheck:
    """Records a quality check of a job in progress: passed → done, failed → failed (rework or re-plan).

    The photo must be an image of at most 5 MB. Measurements are a flat object of name → number or text.
    """
    measurements = measurements or {}
    if not isinstance(measurements, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float, str)) and not isinstance(v, bool)
        for k, v in measurements.items()
    ):
        raise ValidationError(
            {"measurements": 'An object of name → number or text, e.g. {"width_mm": 1801}.'}
        )
    if photo:
        validate_image_upload(photo)
    item = _job_for("quality", work_item_id=work_item_id, scope=scope)
    check = QualityCheck(
        work_item=item, passed=passed, measurements=measurements, notes=notes[:5000], recorded_by=actor
    )
    if photo:
        check.photo = photo
    check.save()
    work_item_transition(
        work_item_id=item.pk,
        to=W.DONE if passed else W.FAILED,
        expected_from=WORK_ITEM_ACTIONS["quality"],
        actor=actor,
        reason="Quality check passed"
        if passed
        else f"Quality check failed{': ' + notes[:200] if notes else ''}",
        data={"quality_check": check.pk, "measurements": measurements},
        fields={"actual_end": item.actual_end or timezone.now()},
    )
    _quality_outcomes_record(item=WorkItem.objects.get(pk=item.pk), check=check)
    order_progress_sync(order_id=item.order_id)
    return check


def _quality_outcomes_record(*, item: WorkItem, check: QualityCheck) -> None:
    """What the asset owner's quality score counts (apps/suppliers/quality.py): every check passed or failed, and
    each job done on time (finished by its planned end) or late. References make a retried call count once."""
    supplier_outcome_record(
        asset_owner_id=item.asset_owner_id,
        kind=SupplierOutcomeKind.QUALITY_PASS if check.passed else SupplierOutcomeKind.QUALITY_FAIL,
        at=check.created_at,
        reference=f"quality_check:{check.pk}",
    )
    if item.status == W.DONE:
        on_time = item.planned_end is None or item.actual_end <= item.planned_end
        supplier_outcome_record(
            asset_owner_id=item.asset_owner_id,
            kind=SupplierOutcomeKind.ON_TIME if on_time else SupplierOutcomeKind.LATE,
            at=item.actual_end,
            reference=f"work_item:{item.pk}",
        )


@transaction.atomic
def transport_leg_book(*, leg_id: int, scope, actor=None, actor_label: str = "") -> TransportLeg:
    """The carrier confirmed it will drive the leg (a planned leg becomes booked)."""
    if not scoped(scope, TransportLeg).filter(pk=leg_id).exists():
        raise TransportLeg.DoesNotExist(f"Transport leg {leg_id} does not exist.")
    return _leg_book(leg_id=leg_id, actor=actor, actor_label=actor_label)


def _leg_book(*, leg_id: int, actor, actor_label: str = "") -> TransportLeg:
    """Planned → booked; for callers that already found the leg in their scope."""
    return transport_leg_transition(
        leg_id=leg_id,
        to=LegStatus.BOOKED,
        expected_from=LegStatus.PLANNED,
        actor=actor,
        actor_label=actor_label,
        reason="Transport booked",
    )


@transaction.atomic
def transport_leg_pick_up(*, leg_id: int, actor, scope) -> TransportLeg:
    """The carrier collected the part (a planned leg is booked on the way: the carrier turned up).

    Only once the part exists: the job the leg leaves from is done, quality check passed (for the last mile,
    the final step). Otherwise raises LegWaiting naming it, and nothing changes; a done job stays done, so the
    check made under the leg's row lock still holds at the swap.
    """
    leg = _leg_for("pick_up", leg_id=leg_id, scope=scope)
    if leg.status == LegStatus.PLANNED:
        _leg_book(leg_id=leg_id, actor=actor)
    leg = transport_leg_transition(
        leg_id=leg_id,
        to=LegStatus.PICKED_UP,
        expected_from=LegStatus.BOOKED,
        actor=actor,
        reason="Picked up",
        fields={"picked_up_at": timezone.now()},
    )
    if leg.is_last_mile and leg.planned_departure and leg.planned_arrival:
        # Left later than planned: it arrives as much later (the trip itself takes as long as planned).
        arrival = max(leg.planned_arrival, leg.picked_up_at + (leg.planned_arrival - leg.planned_departure))
        order_eta_set(order_id=leg.order_id, eta=arrival, reason="Picked up")
    order_progress_sync(order_id=leg.order_id)
    return leg


@transaction.atomic
def transport_leg_deliver(*, leg_id: int, actor, receiver_name: str, photo=None, scope) -> TransportLeg:
    """Proof of delivery: who received it (required) and optionally a photo (an image of at most 5 MB)."""
    receiver_name = (receiver_name or "").strip()
    if not receiver_name:
        raise ValidationError({"receiver_name": "Who received the delivery?"})
    if photo:
        validate_image_upload(photo)
    _leg_for("deliver", leg_id=leg_id, scope=scope)
    leg = transport_leg_transition(
        leg_id=leg_id,
        to=LegStatus.DELIVERED,
        expected_from=LEG_ACTIONS["deliver"],
        actor=actor,
        reason=f"Delivered, received by {receiver_name[:100]}",
        fields={"delivered_at": timezone.now(), "receiver_name": receiver_name[:150]},
    )
    if photo:
        leg.proof_photo = photo
        leg.save(update_fields=["proof_photo"])
    order_progress_sync(order_id=leg.order_id)
    return leg
