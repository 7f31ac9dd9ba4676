"""The state machines of an order, a work item and a transport leg: statuses and their allowed moves.

Every status change goes through one compare-and-swap function per machine (apps/orders/services/transitions.py)
that checks the tables below; nothing else writes a status field.
"""

from django.db import models

from apps.core.errors import Conflict


class InvalidTransition(Conflict):
    """The move is not in the table, or the row was no longer in the expected state (someone else moved it)."""

    def __init__(self, message: str, *, current: str = "", to: str = ""):
        super().__init__(message)
        self.current = current
        self.to = to

    def conflict_details(self) -> dict:
        return {"status": self.current} if self.current else {}


class WorkItemWaiting(InvalidTransition):
    """A job that may not start yet: a predecessor step is not done, or a part is not delivered.

    `waiting_for` names each of them in words ("'Legs' (in progress)", "the delivery from Carrier X").
    """

    def __init__(self, waiting_for, *, current: str = ""):
        self.waiting_for = tuple(waiting_for)
        super().__init__(waiting_message(self.waiting_for), current=current, to=WorkItemStatus.IN_PROGRESS)

    def conflict_details(self) -> dict:
        return {**super().conflict_details(), "waiting_for": list(self.waiting_for)}


def waiting_message(waiting_for) -> str:
    """The sentence shown for a job that may not start yet, e.g. 'Waiting for A, B and C.'"""
    parts = list(waiting_for)
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Waiting for {listed}."


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PAID = "paid", "Paid"
    PLANNED = "planned", "Planned"
    IN_PRODUCTION = "in_production", "In production"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"
    DISPUTED = "disputed", "Disputed"


S = OrderStatus

# from → the states it may move to. A refund is "partial or full" by amount (Order.refunded_minor), not by state.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_PAYMENT, S.CANCELLED}),
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PLANNED, S.CANCELLED, S.DISPUTED}),
    S.PLANNED: frozenset({S.IN_PRODUCTION, S.CANCELLED, S.DISPUTED}),
    S.IN_PRODUCTION: frozenset({S.SHIPPED, S.DISPUTED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.DISPUTED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED, S.DISPUTED}),
    S.COMPLETED: frozenset({S.REFUNDED, S.DISPUTED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset({S.DISPUTED}),
    S.DISPUTED: frozenset({S.COMPLETED, S.REFUNDED}),
}

# Named groups, used by selectors, pages and rules.
OPEN = frozenset({S.DRAFT, S.AWAITING_PAYMENT, S.PAID, S.PLANNED, S.IN_PRODUCTION, S.SHIPPED})
PAID_STATES = frozenset(
    {S.PAID, S.PLANNED, S.IN_PRODUCTION, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.REFUNDED, S.DISPUTED}
)
# The customer may cancel (with a full refund when paid) until production starts.
CANCELLABLE = frozenset({S.DRAFT, S.AWAITING_PAYMENT, S.PAID, S.PLANNED})
# A refund may be requested once the goods arrived (within the network's window).
REFUND_REQUESTABLE = frozenset({S.DELIVERED, S.COMPLETED})
# Orders the network is committed to make: they count towards plan, lateness and utilisation.
COMMITTED = frozenset({S.PAID, S.PLANNED, S.IN_PRODUCTION, S.SHIPPED})
FINISHED = frozenset({S.DELIVERED, S.COMPLETED})


class WorkItemStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done (quality passed)"
    FAILED = "failed", "Failed quality"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled (replaced or order cancelled)"


W = WorkItemStatus

WORK_ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    W.PLANNED: frozenset({W.OFFERED, W.CANCELLED}),
    W.OFFERED: frozenset({W.ACCEPTED, W.DECLINED, W.CANCELLED}),
    # A supplier that accepted may still give the job back (machine down): that is a decline, re-planned.
    W.ACCEPTED: frozenset({W.IN_PROGRESS, W.DECLINED, W.CANCELLED}),
    W.IN_PROGRESS: frozenset({W.DONE, W.FAILED}),
    # Failed quality: rework on the same resource, or replaced by a re-plan.
    W.FAILED: frozenset({W.IN_PROGRESS, W.CANCELLED}),
    W.DONE: frozenset(),
    W.DECLINED: frozenset(),
    W.CANCELLED: frozenset(),
}
# Items that still belong to the plan (declined and cancelled ones are history).
WORK_ITEM_ACTIVE = frozenset({W.PLANNED, W.OFFERED, W.ACCEPTED, W.IN_PROGRESS, W.DONE, W.FAILED})
WORK_ITEM_STARTED = frozenset({W.IN_PROGRESS, W.DONE, W.FAILED})
# Items that may be started (production, or the rework after a failed check) once nothing holds them up.
WORK_ITEM_STARTABLE = frozenset({W.ACCEPTED, W.FAILED})
# Items a re-plan may move: not started yet.
WORK_ITEM_REPLANNABLE = frozenset({W.PLANNED, W.OFFERED, W.ACCEPTED})
# Items the asset owner may give back (decline): offered or accepted, not started.
WORK_ITEM_DECLINABLE = frozenset({W.OFFERED, W.ACCEPTED})
# Items the asset owner may report a problem on: its own open work (not done, declined or cancelled).
WORK_ITEM_OPEN_FOR_PROBLEMS = frozenset({W.OFFERED, W.ACCEPTED, W.IN_PROGRESS, W.FAILED})


class LegStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    BOOKED = "booked", "Booked"
    PICKED_UP = "picked_up", "Picked up"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled (replaced or order cancelled)"


L = LegStatus

LEG_TRANSITIONS: dict[str, frozenset[str]] = {
    L.PLANNED: frozenset({L.BOOKED, L.CANCELLED}),
    L.BOOKED: frozenset({L.PICKED_UP, L.CANCELLED}),
    L.PICKED_UP: frozenset({L.DELIVERED}),
    L.DELIVERED: frozenset(),
    L.CANCELLED: frozenset(),
}
LEG_ACTIVE = frozenset({L.PLANNED, L.BOOKED, L.PICKED_UP, L.DELIVERED})


def transition_allowed(table: dict[str, frozenset[str]], current: str, to: str) -> bool:
    return to in table.get(current, frozenset())
