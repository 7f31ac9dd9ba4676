"""The order follows its work items and legs: it advances by itself as they do, and its ETA with the plan."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from apps.orders.lateness import arrives_late
from apps.orders.models import EventKind, Order, TransportLeg, WorkItem
from apps.orders.notifications import order_notify_on_commit
from apps.orders.services.transitions import event_record, order_transition
from apps.orders.status import (
    LEG_ACTIVE,
    LEG_ON_THE_WAY,
    WORK_ITEM_ACTIVE,
    WORK_ITEM_STARTED,
    LegStatus,
    OrderStatus,
    WorkItemStatus,
)


def _next_status(order: Order, items: list[str], last_mile: list[str]) -> tuple[str, str] | None:
    """The state the order should move to now (and why), or None. One step at a time; the caller loops."""
    all_done = bool(items) and all(status == WorkItemStatus.DONE for status in items)
    if order.status == OrderStatus.PLANNED and any(status in WORK_ITEM_STARTED for status in items):
        return OrderStatus.IN_PRODUCTION, "Production started"
    if order.status == OrderStatus.IN_PRODUCTION and all_done:
        if not last_mile:
            return OrderStatus.SHIPPED, "All parts made; ready for delivery"
        if any(status in LEG_ON_THE_WAY for status in last_mile):
            return OrderStatus.SHIPPED, "All parts made and on the way to you"
    if order.status == OrderStatus.SHIPPED and last_mile and all(s == LegStatus.DELIVERED for s in last_mile):
        return OrderStatus.DELIVERED, "Delivered"
    return None


@transaction.atomic
def order_progress_sync(*, order_id: int) -> str:
    """Advances the order from the states of its active items and legs; returns the order's status after.

    planned → in_production when the first item starts; → shipped when every item is done and the last
    mile is picked up; → delivered when the last mile is delivered. Called after every item or leg change.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    for _ in range(len(OrderStatus)):
        items = list(
            WorkItem.objects.filter(order_id=order_id, status__in=WORK_ITEM_ACTIVE).values_list(
                "status", flat=True
            )
        )
        last_mile = list(
            TransportLeg.objects.filter(
                order_id=order_id, is_last_mile=True, status__in=LEG_ACTIVE
            ).values_list("status", flat=True)
        )
        step = _next_status(order, items, last_mile)
        if step is None:
            break
        to, reason = step
        order_transition(order_id=order_id, to=to, actor_label="system", reason=reason)
        order.status = to
    return order.status


@transaction.atomic
def order_eta_set(*, order_id: int, eta: datetime, reason: str = "") -> bool:
    """Records the planned arrival; the customer is e-mailed whenever it moves past the promised date.

    Returns True when the ETA changed.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.eta == eta:
        return False
    previous = order.eta
    fields = {"eta": eta}
    late = arrives_late(eta, order.promised_delivery_date)
    newly_late = late and (order.eta_late_notified is None or eta > order.eta_late_notified)
    if newly_late:
        fields["eta_late_notified"] = eta
    Order.objects.filter(pk=order_id).update(**fields)
    event_record(
        order_id=order_id,
        kind=EventKind.PLAN,
        actor_label="system",
        reason=f"Expected arrival {'set' if previous is None else 'moved'}"
        + (": later than promised" if late else "")
        + (f" ({reason})" if reason else ""),
        data={
            "previous": previous.isoformat() if previous else None,
            "eta": eta.isoformat(),
            "promised": order.promised_delivery_date.isoformat(),
            "late": late,
        },
    )
    if newly_late:
        order_notify_on_commit(order_id=order_id, kind="late")
    return True
