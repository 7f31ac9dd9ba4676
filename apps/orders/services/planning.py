"""The plan of an order: applied from matching's result, offered to asset owners, re-planned when needed.

Matching (above orders) computes plans and calls `order_plan_apply` with plain values; orders asks matching
for a plan or a re-plan by task name through the outbox, never by import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from apps.orders.models import EventKind, Order, OrderLine, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.selectors import order_settings_get
from apps.orders.services.progress import order_eta_set, order_progress_sync
from apps.orders.services.transitions import (
    event_record,
    order_transition,
    transport_leg_transition,
    work_item_transition,
)
from apps.orders.status import (
    LEG_NOT_PICKED_UP,
    LEG_ON_THE_WAY,
    PLANNABLE,
    WORK_ITEM_REPLACEABLE,
    WORK_ITEM_STARTED,
    InvalidTransition,
    LegStatus,
    OrderStatus,
    WorkItemStatus,
)
from apps.outbox.models import OutboxMessage
from apps.outbox.services import outbox_enqueue

COMMIT_TASK = "matching.commit_order"
REPLAN_TASK = "matching.replan_order"


@dataclass(frozen=True)
class PlannedWorkItem:
    """One operation of the plan: which line and routing step, on which resource, when, at what cost."""

    line_id: int
    step_key: str
    name: str
    resource_id: int
    asset_owner_id: int
    planned_start: datetime
    planned_end: datetime
    cost_minor: int
    process: str = ""
    quantity: int = 1
    predecessor_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedLeg:
    """A transport leg of the plan. Steps are (line_id, step_key); `to_step` None with is_last_mile: the customer."""

    carrier_id: int | None
    from_asset_owner_id: int | None
    to_asset_owner_id: int | None
    planned_departure: datetime
    planned_arrival: datetime
    cost_minor: int
    from_step: tuple[int, str] | None = None
    to_step: tuple[int, str] | None = None
    is_last_mile: bool = False
    distance_km: Decimal = Decimal(0)
    weight_kg: Decimal = Decimal(0)


@dataclass(frozen=True)
class PlanResult:
    created_items: list[int] = field(default_factory=list)
    kept_items: list[int] = field(default_factory=list)
    created_legs: list[int] = field(default_factory=list)


@transaction.atomic
def order_plan_apply(
    *,
    order_id: int,
    items: list[PlannedWorkItem],
    legs: list[PlannedLeg],
    run_id: int | None = None,
    reason: str = "Planned by the matching engine",
    actor_label: str = "matching",
) -> PlanResult:
    """Applies a (re-)plan: replaces unstarted items and unstarted legs, offers new jobs, sets the ETA.

    Work already started (in progress or done) stays as it is and a planned item for the same step is ignored;
    an unchanged assignment keeps its item (an accepted job stays accepted). A paid order becomes planned.
    Call with the whole plan of the order. Idempotent for the same plan.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status not in PLANNABLE:
        raise InvalidTransition(
            f"Order {order.reference} is {order.get_status_display().lower()}; it cannot be planned.",
            current=order.status,
            to=OrderStatus.PLANNED,
        )
    result = PlanResult()
    by_step = _items_replace(order=order, items=items, run_id=run_id, actor_label=actor_label, result=result)
    _legs_replace(
        order=order, legs=legs, by_step=by_step, run_id=run_id, actor_label=actor_label, result=result
    )
    event_record(
        order_id=order_id,
        kind=EventKind.PLAN,
        actor_label=actor_label,
        reason=reason,
        data={"run_id": run_id, "items": len(items), "legs": len(legs)},
    )
    if order.status == OrderStatus.PAID:
        order_transition(
            order_id=order_id, to=OrderStatus.PLANNED, expected_from=OrderStatus.PAID, actor_label=actor_label
        )
    arrival = max((leg.planned_arrival for leg in legs if leg.is_last_mile), default=None)
    if arrival is None and items:
        arrival = max(planned.planned_end for planned in items)
    if arrival is not None:
        order_eta_set(order_id=order_id, eta=arrival, reason="Plan")
    order_progress_sync(order_id=order_id)
    return result


def _items_replace(
    *, order: Order, items: list[PlannedWorkItem], run_id: int | None, actor_label: str, result: PlanResult
) -> dict[tuple[int, str], int]:
    """The order's work items made to match `items`: items that stay are kept, the others cancelled and the
    new ones offered. Returns the work item id of each planned (line, step), for the legs to link."""
    line_ids = set(OrderLine.objects.filter(order_id=order.pk).values_list("pk", flat=True))
    if any(planned.line_id not in line_ids for planned in items):
        raise ValueError("The plan names a line of another order.")
    existing = {
        (item.line_id, item.step_key): item
        for item in WorkItem.objects.filter(order_id=order.pk).exclude(
            status__in=[WorkItemStatus.DECLINED, WorkItemStatus.CANCELLED]
        )
    }
    answer_window = timedelta(hours=order_settings_get().offer_response_hours)
    now = timezone.now()
    by_step: dict[tuple[int, str], int] = {}
    for planned in items:
        key = (planned.line_id, planned.step_key)
        current = existing.pop(key, None)
        if current is not None and _item_stays(current, planned):
            result.kept_items.append(current.pk)
            by_step[key] = current.pk
            continue
        if current is not None:
            work_item_transition(
                work_item_id=current.pk,
                to=WorkItemStatus.CANCELLED,
                actor_label=actor_label,
                reason="Re-planned",
            )
        item = _item_offer(
            order=order,
            planned=planned,
            run_id=run_id,
            actor_label=actor_label,
            deadline=offer_answer_deadline(
                now=now, window=answer_window, planned_start=planned.planned_start
            ),
        )
        result.created_items.append(item.pk)
        by_step[key] = item.pk
    # Items the new plan no longer has (a step moved into another item) go, unless started.
    for leftover in existing.values():
        if leftover.status in WORK_ITEM_REPLACEABLE:
            work_item_transition(
                work_item_id=leftover.pk,
                to=WorkItemStatus.CANCELLED,
                actor_label=actor_label,
                reason="Re-planned",
            )
    return by_step


def _item_stays(item: WorkItem, planned: PlannedWorkItem) -> bool:
    """Started work stays whatever the plan says, and so does an unchanged assignment (an accepted job stays
    accepted); a failed item never stays: its step is made again."""
    if item.status == WorkItemStatus.FAILED:
        return False
    return item.status in WORK_ITEM_STARTED or _same_assignment(item, planned)


def _same_assignment(item: WorkItem, planned: PlannedWorkItem) -> bool:
    return (
        item.resource_id == planned.resource_id
        and item.planned_start == planned.planned_start
        and item.planned_end == planned.planned_end
    )


def offer_answer_deadline(*, now: datetime, window: timedelta, planned_start: datetime | None) -> datetime:
    """An offer must be answered within the network's window, and never after its planned slot has begun: an
    answer that comes once the machine should already be running is no answer (the expiry re-plans instead)."""
    deadline = now + window
    return min(deadline, planned_start) if planned_start is not None else deadline


def _item_offer(
    *, order: Order, planned: PlannedWorkItem, run_id: int | None, actor_label: str, deadline: datetime
) -> WorkItem:
    """A new work item for the planned step, offered to its asset owner until `deadline`."""
    item = WorkItem.objects.create(
        order_id=order.pk,
        line_id=planned.line_id,
        step_key=planned.step_key,
        name=planned.name,
        process=planned.process,
        predecessor_keys=list(planned.predecessor_keys),
        quantity=planned.quantity,
        resource_id=planned.resource_id,
        asset_owner_id=planned.asset_owner_id,
        planned_start=planned.planned_start,
        planned_end=planned.planned_end,
        cost_minor=planned.cost_minor,
        currency=order.currency,
        plan_run_id=run_id,
    )
    work_item_transition(
        work_item_id=item.pk,
        to=WorkItemStatus.OFFERED,
        actor_label=actor_label,
        reason="Offered to the asset owner",
        fields={"offer_deadline": deadline},
    )
    return item


def _legs_replace(*, order, legs, by_step, run_id, actor_label, result) -> None:
    for old in TransportLeg.objects.filter(order=order, status__in=LEG_NOT_PICKED_UP):
        transport_leg_transition(
            leg_id=old.pk, to=LegStatus.CANCELLED, actor_label=actor_label, reason="Re-planned"
        )
    started_last_mile = TransportLeg.objects.filter(
        order=order, is_last_mile=True, status__in=LEG_ON_THE_WAY
    ).exists()
    for planned in legs:
        if planned.is_last_mile and started_last_mile:
            continue
        leg = TransportLeg.objects.create(
            order=order,
            carrier_id=planned.carrier_id,
            from_asset_owner_id=planned.from_asset_owner_id,
            to_asset_owner_id=None if planned.is_last_mile else planned.to_asset_owner_id,
            from_work_item_id=by_step.get(planned.from_step) if planned.from_step else None,
            to_work_item_id=by_step.get(planned.to_step) if planned.to_step else None,
            is_last_mile=planned.is_last_mile,
            planned_departure=planned.planned_departure,
            planned_arrival=planned.planned_arrival,
            cost_minor=planned.cost_minor,
            currency=order.currency,
            distance_km=planned.distance_km,
            weight_kg=planned.weight_kg,
            plan_run_id=run_id,
        )
        result.created_legs.append(leg.pk)


@transaction.atomic
def order_replan_request(*, order_id: int, reason: str, actor=None, actor_label: str = "") -> None:
    """Asks matching to re-plan the order (by task name, through the outbox), with an audit event."""
    event = event_record(
        order_id=order_id,
        kind=EventKind.PLAN,
        actor=actor,
        actor_label=actor_label,
        reason=f"Re-plan requested: {reason}",
        customer_visible=False,
    )
    outbox_enqueue(
        task_name=REPLAN_TASK,
        kwargs={"order_id": order_id, "reason": reason[:200]},
        dedup_key=f"order:{order_id}:replan:{event.pk}",
    )


@transaction.atomic
def order_declines_override(*, order_id: int, actor, scope) -> int:
    """Staff let the companies that declined this order's jobs be planned for those steps again (each on a
    machine other than the one it declined) and ask for a re-plan; returns how many declines were overridden.

    Without this, a re-plan after a decline leaves the declining company out of that step altogether. Staff
    only: any other scope raises PermissionDenied (fail-closed).
    """
    if scope is not Scope.STAFF:
        raise PermissionDenied("Only the network's staff may override a decline.")
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status not in PLANNABLE:
        raise InvalidTransition(
            f"Order {order.reference} is {order.get_status_display().lower()}: nothing to re-plan."
        )
    count = WorkItem.objects.filter(
        order=order, status=WorkItemStatus.DECLINED, decline_overridden=False
    ).update(decline_overridden=True)
    if count:
        order_replan_request(
            order_id=order.pk,
            reason=f"Staff let {count} declining compan{'y' if count == 1 else 'ies'} take the step again",
            actor=actor,
        )
    return count


def offers_expire(*, now: datetime | None = None) -> list[int]:
    """Declines offers not answered by their deadline and asks for a re-plan of each order; returns item ids.

    Each item is its own compare-and-swap: an offer accepted a moment before is left alone. An order's
    declines and its re-plan request commit together, so a worker killed in between never leaves
    declined jobs that nobody re-plans.
    """
    now = now or timezone.now()
    overdue = WorkItem.objects.filter(status=WorkItemStatus.OFFERED, offer_deadline__lt=now).values_list(
        "pk", "order_id"
    )
    items_by_order: dict[int, list[int]] = {}
    for item_id, order_id in overdue:
        items_by_order.setdefault(order_id, []).append(item_id)
    expired: list[int] = []
    for order_id, item_ids in sorted(items_by_order.items()):
        expired.extend(_order_offers_expire(order_id=order_id, item_ids=item_ids))
    return expired


@transaction.atomic
def _order_offers_expire(*, order_id: int, item_ids: list[int]) -> list[int]:
    declined = []
    for item_id in item_ids:
        try:
            with transaction.atomic():
                work_item_transition(
                    work_item_id=item_id,
                    to=WorkItemStatus.DECLINED,
                    expected_from=WorkItemStatus.OFFERED,
                    actor_label="system",
                    reason="No answer before the offer deadline",
                    fields={"decline_reason": "Offer expired: no answer before the deadline."},
                )
        except InvalidTransition:
            continue
        declined.append(item_id)
    if declined:
        order_replan_request(order_id=order_id, reason="Offers expired", actor_label="system")
    return declined


def order_planning_enqueue(*, order_id: int) -> None:
    """Asks matching to plan (commit) the order through the outbox, in the caller's transaction.

    Each call is a new message (numbered): a re-queue after a lost task must really be sent again.
    """
    prefix = f"order:{order_id}:commit_order:"
    attempt = OutboxMessage.objects.filter(dedup_key__startswith=prefix).count() + 1
    outbox_enqueue(task_name=COMMIT_TASK, kwargs={"order_id": order_id}, dedup_key=f"{prefix}{attempt}")


def orders_requeue_stale_paid(*, now: datetime | None = None) -> list[int]:
    """Paid orders still unplanned long after planning was asked for are sent to matching again.

    Recovers from a commit task lost with a killed worker (the commit task itself is idempotent).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=order_settings_get().stale_paid_minutes)
    requeued = []
    stale = Order.objects.filter(status=OrderStatus.PAID, planning_requested_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    for order_id in list(stale):
        with transaction.atomic():
            changed = Order.objects.filter(
                pk=order_id, status=OrderStatus.PAID, planning_requested_at__lt=cutoff
            ).update(planning_requested_at=now)
            if not changed:
                continue
            event_record(
                order_id=order_id,
                kind=EventKind.PLAN,
                actor_label="system",
                reason="Planning asked for again (no plan yet)",
                customer_visible=False,
            )
            order_planning_enqueue(order_id=order_id)
        requeued.append(order_id)
    return requeued
