"""The state machines of an order, a work item and a transport leg: statuses and their allowed moves.

Every status change goes through one writer per machine (apps/orders/services/transitions.py) that checks the
tables below and swaps with apps.core.transitions; nothing else writes a status field. The named groups and the
action tables say which states a rule covers, once.
"""

from django.db import models

from apps.core.transitions import InvalidTransition  # the orders services' callers import it from here


class Waiting(InvalidTransition):
    """The move is allowed from this state, but not yet: something else must happen first.

    `waiting_for` names each of them in words ("'Legs' (in progress)", "the delivery from Carrier X"); the API
    answers 409 with it, the pages show it where the button would be.
    """

    def __init__(self, waiting_for, *, current: str = "", to: str = ""):
        self.waiting_for = tuple(waiting_for)
        super().__init__(waiting_message(self.waiting_for), current=current, to=to)


class WorkItemWaiting(Waiting):
    """A job that may not start yet: a predecessor step is not done, or a part is not delivered."""

    def __init__(self, waiting_for, *, current: str = ""):
        super().__init__(waiting_for, current=current, to=WorkItemStatus.IN_PROGRESS)


class LegWaiting(Waiting):
    """A leg that may not be picked up yet: the job making what it carries is not done (quality passed)."""

    def __init__(self, waiting_for, *, current: str = ""):
        super().__init__(waiting_for, current=current, to=LegStatus.PICKED_UP)


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
    # A chargeback decided: lost → refunded; won → back to where the order was when it was disputed.
    S.DISPUTED: frozenset(
        {S.PAID, S.PLANNED, S.IN_PRODUCTION, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.REFUNDED}
    ),
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
# Orders the customer still has to pay.
PAYABLE = frozenset({S.DRAFT, S.AWAITING_PAYMENT})
# Orders matching may (re-)plan: paid, and not all of it made yet.
PLANNABLE = frozenset({S.PAID, S.PLANNED, S.IN_PRODUCTION})
# Orders staff may refund (in part or in full) outside a customer request: the goods arrived. Not a disputed
# one: Stripe refuses to refund a charge under a chargeback (`charge_disputed`) until the dispute is decided.
STAFF_REFUNDABLE = frozenset({S.DELIVERED, S.COMPLETED, S.REFUNDED})


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
# Items not started yet: a re-plan may move them, a cancelled order cancels them.
WORK_ITEM_NOT_STARTED = frozenset({W.PLANNED, W.OFFERED, W.ACCEPTED})
# Items a new plan replaces: not started yet, or failed and to be made elsewhere.
WORK_ITEM_REPLACEABLE = WORK_ITEM_NOT_STARTED | {W.FAILED}
# Items nobody has accepted yet: the periodic re-optimisation may still move them to another workshop.
WORK_ITEM_UNACCEPTED = frozenset({W.PLANNED, W.OFFERED})
# Items that still hold their resource in the schedule (done work has released it; declined and cancelled never will).
WORK_ITEM_HOLDING = WORK_ITEM_REPLACEABLE | {W.IN_PROGRESS}
# Changes of an item that alter its order's plan (re-planned, given back or cancelled), hence its statements.
WORK_ITEM_PLAN_CHANGING = frozenset({W.PLANNED, W.DECLINED, W.CANCELLED})
# Items that may be started (production, or the rework after a failed check) once nothing holds them up.
WORK_ITEM_STARTABLE = frozenset({W.ACCEPTED, W.FAILED})
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
# Legs not picked up yet: a re-plan replaces them, a cancelled order cancels them, the carrier picks them up.
LEG_NOT_PICKED_UP = frozenset({L.PLANNED, L.BOOKED})
# Legs whose parts left their workshop.
LEG_ON_THE_WAY = frozenset({L.PICKED_UP, L.DELIVERED})


# What each party may do, by state: the services refuse anything else, the pages and the API show only these.
# (apps/orders/actions.py adds what the state alone does not say: what a job or leg waits for, the refund
# window.) Keys are the action names the pages and the API use.
WORK_ITEM_ACTIONS: dict[str, frozenset[str]] = {
    "accept": frozenset({W.OFFERED}),
    "decline": WORK_ITEM_DECLINABLE,
    "start": WORK_ITEM_STARTABLE,
    "complete": frozenset({W.IN_PROGRESS}),  # production finished (once), the quality check next
    "quality": frozenset({W.IN_PROGRESS}),
    "problem": WORK_ITEM_OPEN_FOR_PROBLEMS,
}
LEG_ACTIONS: dict[str, frozenset[str]] = {
    "pick_up": LEG_NOT_PICKED_UP,
    "deliver": frozenset({L.PICKED_UP}),
}
# The customer's: pay, cancel (until production starts), ask for a refund (after delivery).
ORDER_ACTIONS: dict[str, frozenset[str]] = {
    "pay": PAYABLE,
    "cancel": CANCELLABLE,
    "request_refund": REFUND_REQUESTABLE,
}


def transition_allowed(table: dict[str, frozenset[str]], current: str, to: str) -> bool:
    return to in table.get(current, frozenset())
