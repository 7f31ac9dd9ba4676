"""Which actions are allowed now, for a job, a leg or (the customer's) an order: the one answer that the services
raise on and the pages and the API render from.

The state tables in apps/orders/status.py say what each state permits; this adds what the state alone does not
say — what a job or a leg still waits for, a job whose production already finished, the refund window, an open
refund request. The services still swap states with compare-and-swap, so a concurrent change is refused there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from apps.orders.models import Order, RefundRequestStatus, TransportLeg, WorkItem
from apps.orders.selectors import leg_waiting_for, order_settings_get, work_item_waiting_for
from apps.orders.status import (
    LEG_ACTIONS,
    ORDER_ACTIONS,
    WORK_ITEM_ACTIONS,
    InvalidTransition,
    LegStatus,
    LegWaiting,
    WorkItemStatus,
    WorkItemWaiting,
    waiting_message,
)


@dataclass(frozen=True)
class Allowed:
    """The actions allowed now; for the others, why not (a sentence), and what the next step waits for."""

    status: str
    actions: frozenset[str]
    refused: dict[str, str] = field(default_factory=dict)
    waiting_for: tuple[str, ...] = ()

    def can(self, action: str) -> bool:
        return action in self.actions

    @property
    def waiting_text(self) -> str:
        """'Waiting for …' while the next step must wait, else ""."""
        return waiting_message(self.waiting_for)


def _by_state(table: dict[str, frozenset[str]], status: str) -> set[str]:
    return {action for action, states in table.items() if status in states}


# --- jobs -------------------------------------------------------------------------------------------------


def work_items_allowed(items: Iterable[WorkItem]) -> dict[int, Allowed]:
    """Job id → its allowed actions, in a fixed number of queries for any number of jobs."""
    items = list(items)
    startable = [item for item in items if item.status in WORK_ITEM_ACTIONS["start"]]
    waiting = work_item_waiting_for(startable)
    return {item.pk: _work_item_allowed(item, waiting.get(item.pk, ())) for item in items}


def work_item_allowed(item: WorkItem) -> Allowed:
    return work_items_allowed([item])[item.pk]


def _work_item_allowed(item: WorkItem, waiting_for: tuple[str, ...]) -> Allowed:
    actions = _by_state(WORK_ITEM_ACTIONS, item.status)
    refused: dict[str, str] = {}
    if "start" in actions and waiting_for:
        actions.discard("start")
        refused["start"] = waiting_message(waiting_for)
    if "complete" in actions and item.actual_end is not None:
        actions.discard("complete")
        refused["complete"] = "Production is already finished: record the quality check."
    return Allowed(status=item.status, actions=frozenset(actions), refused=refused, waiting_for=waiting_for)


# Refusals that say more than "This job is <state>."
_JOB_REFUSALS = {
    "complete": "Only a job in progress can be completed.",
    "quality": "Quality is checked on a job in progress.",
}


def work_item_require(item: WorkItem, action: str) -> Allowed:
    """Raises (WorkItemWaiting naming what the job waits for, or InvalidTransition) unless `action` is allowed."""
    allowed = work_item_allowed(item)
    if not allowed.can(action):
        if action == "start" and allowed.waiting_for:
            raise WorkItemWaiting(allowed.waiting_for, current=item.status)
        label = WorkItemStatus(item.status).label.lower()
        message = allowed.refused.get(action) or _JOB_REFUSALS.get(action) or f"This job is {label}."
        raise InvalidTransition(message, current=item.status)
    return allowed


# --- legs -------------------------------------------------------------------------------------------------


def legs_allowed(legs: Iterable[TransportLeg]) -> dict[int, Allowed]:
    """Leg id → its allowed actions, in one query for any number of legs."""
    legs = list(legs)
    waiting = leg_waiting_for(legs)
    result = {}
    for leg in legs:
        actions = _by_state(LEG_ACTIONS, leg.status)
        refused = {}
        waiting_for = waiting.get(leg.pk, ())
        if "pick_up" in actions and waiting_for:
            actions.discard("pick_up")
            refused["pick_up"] = waiting_message(waiting_for)
        result[leg.pk] = Allowed(
            status=leg.status, actions=frozenset(actions), refused=refused, waiting_for=waiting_for
        )
    return result


def leg_allowed(leg: TransportLeg) -> Allowed:
    return legs_allowed([leg])[leg.pk]


def leg_require(leg: TransportLeg, action: str) -> Allowed:
    """Raises (LegWaiting naming what the leg waits for, or InvalidTransition) unless `action` is allowed."""
    allowed = leg_allowed(leg)
    if not allowed.can(action):
        if action == "pick_up" and allowed.waiting_for:
            raise LegWaiting(allowed.waiting_for, current=leg.status)
        raise InvalidTransition(f"This leg is {LegStatus(leg.status).label.lower()}.", current=leg.status)
    return allowed


# --- the customer's order ---------------------------------------------------------------------------------


def order_allowed(order: Order, *, now: datetime | None = None) -> Allowed:
    """What the customer may do with the order now: pay, cancel, request_refund.

    Reads the order's work items and refund requests (prefetched ones when the caller has them).
    """
    now = now or timezone.now()
    actions = _by_state(ORDER_ACTIONS, order.status)
    refused = {
        "pay": "This order needs no payment.",
        "cancel": "This order can no longer be cancelled: production has started.",
        "request_refund": "A refund can be asked for once the order has been delivered.",
    }
    if "cancel" in actions and any(
        item.status == WorkItemStatus.IN_PROGRESS for item in order.work_items.all()
    ):
        actions.discard("cancel")
        refused["cancel"] = "Production has started; the order can no longer be cancelled."
    if "request_refund" in actions:
        window = order_settings_get().refund_window_days  # read once, for the deadline and its message
        deadline = refund_deadline(order, window_days=window)
        if deadline is None:
            actions.discard("request_refund")
        elif now > deadline:
            actions.discard("request_refund")
            refused["request_refund"] = f"Refunds can be asked for within {window} days of delivery."
        elif order.refunded_minor >= order.total_minor:
            actions.discard("request_refund")
            refused["request_refund"] = "This order has been refunded in full."
        elif any(r.status == RefundRequestStatus.OPEN for r in order.refund_requests.all()):
            actions.discard("request_refund")
            refused["request_refund"] = "You already asked for a refund of this order; we are looking at it."
    for action in actions:
        refused.pop(action, None)
    return Allowed(status=order.status, actions=frozenset(actions), refused=refused)


def refund_deadline(order: Order, *, window_days: int | None = None) -> datetime | None:
    """The last moment the customer may ask for a refund (None before delivery); `window_days` when the caller
    has already read the network's order settings."""
    if order.delivered_at is None:
        return None
    if window_days is None:
        window_days = order_settings_get().refund_window_days
    return order.delivered_at + timedelta(days=window_days)


def order_require(order: Order, action: str, *, now: datetime | None = None) -> Allowed:
    allowed = order_allowed(order, now=now)
    if not allowed.can(action):
        raise InvalidTransition(allowed.refused.get(action, "Not possible now."), current=order.status)
    return allowed
