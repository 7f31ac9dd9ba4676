"""The one writer of each status field: compare-and-swap (apps.core.transitions) against the TRANSITIONS
tables, plus an audit event.

The swap changes exactly one row or nobody: a concurrent writer that moved the row first makes this call raise
InvalidTransition instead of overwriting its change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.core.transitions import transition
from apps.orders import hooks
from apps.orders.models import EventKind, Order, OrderEvent, TransportLeg, WorkItem
from apps.orders.notifications import order_notify_on_commit
from apps.orders.status import (
    LEG_TRANSITIONS,
    TRANSITIONS,
    WORK_ITEM_TRANSITIONS,
    InvalidTransition,
    LegStatus,
    OrderStatus,
    WorkItemStatus,
    transition_allowed,
)

# The timestamp an order gets when it enters a state.
_ORDER_STAMPS = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.PLANNED: "planned_at",
    OrderStatus.IN_PRODUCTION: "production_started_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}
# Job and leg moves the customer sees on the order page; offers, acceptances and replacements are internal.
_VISIBLE_ITEM_STATES = frozenset({WorkItemStatus.IN_PROGRESS, WorkItemStatus.DONE})
_VISIBLE_LEG_STATES = frozenset({LegStatus.PICKED_UP, LegStatus.DELIVERED})
# States the customer hears about by e-mail.
_ORDER_MAILS = {
    OrderStatus.PAID: "paid",
    OrderStatus.PLANNED: "planned",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.CANCELLED: "cancelled",
}


def event_record(
    *,
    order_id: int,
    kind: str,
    actor=None,
    actor_label: str = "",
    reason: str = "",
    data: dict | None = None,
    from_status: str = "",
    to_status: str = "",
    work_item_id: int | None = None,
    transport_leg_id: int | None = None,
    customer_visible: bool = True,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order_id=order_id,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or ("" if getattr(actor, "pk", None) else "system"),
        reason=reason[:500],
        data=data or {},
        from_status=from_status,
        to_status=to_status,
        work_item_id=work_item_id,
        transport_leg_id=transport_leg_id,
        customer_visible=customer_visible,
    )


def _swap(*, model, pk, current: str, to: str, table, expected_from, values: dict, noun: str, label=str):
    """The caller's expected state(s), then the table, then the one compare-and-swap (apps.core.transitions)
    from the state just read — a concurrent writer that moved the row first makes this raise."""
    allowed_from = {expected_from} if isinstance(expected_from, str) else expected_from
    if allowed_from is not None and current not in allowed_from:
        raise InvalidTransition(f"This {noun} is {label(current)}.", current=current, to=to)
    if not transition_allowed(table, current, to):
        message = f"Cannot move this {noun} from {label(current)} to {label(to)}."
        raise InvalidTransition(message, current=current, to=to)
    transition(
        model,
        pk,
        current,
        to,
        message=lambda _now: f"This {noun} changed meanwhile; reload and try again.",
        **values,
    )


def _item_label(status: str) -> str:
    return WorkItemStatus(status).label.lower()


def _leg_label(status: str) -> str:
    return LegStatus(status).label.lower()


@transaction.atomic
def order_transition(
    *,
    order_id: int,
    to: str,
    actor=None,
    reason: str = "",
    expected_from: str | None = None,
    actor_label: str = "",
    data: dict | None = None,
    fields: dict | None = None,
    returning: bool = False,
) -> str:
    """Moves an order to `to` if the table allows it from its current state; returns the state it left.

    `expected_from` narrows the swap to one source state (e.g. awaiting_payment → paid only). `fields` are
    written in the same UPDATE. `returning`: the order goes back to a state it had (a won chargeback), so the
    state's timestamp (e.g. delivered_at, which starts the refund window) and its e-mail are not repeated.
    Raises Order.DoesNotExist or InvalidTransition; writes one OrderEvent.
    """
    current = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
    if current is None:
        raise Order.DoesNotExist(f"Order {order_id} does not exist.")
    now = timezone.now()
    values = {"updated_at": now, **(fields or {})}
    if to in _ORDER_STAMPS and not returning:
        values[_ORDER_STAMPS[to]] = now
    _swap(
        model=Order,
        pk=order_id,
        current=current,
        to=to,
        table=TRANSITIONS,
        expected_from=expected_from,
        values=values,
        noun="order",
    )
    event_record(
        order_id=order_id,
        kind=EventKind.STATUS,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        data=data,
        from_status=current,
        to_status=to,
    )
    if to in _ORDER_MAILS and not returning:
        order_notify_on_commit(order_id=order_id, kind=_ORDER_MAILS[to])
    hooks.publish("order.status_changed", order_id=order_id, from_status=current, to_status=to)
    return current


@dataclass(frozen=True)
class _Machine:
    """What differs between the job and the leg machine; _row_transition is the rest."""

    model: type
    table: dict
    noun: str
    label: Callable[[str], str]
    read_fields: tuple[str, ...]
    event_kind: str
    event_reason: Callable[[object, str], str]
    event_field: str  # the OrderEvent field naming the row
    hook_topic: str
    hook_field: str
    visible: frozenset[str]  # states whose event the customer sees


_JOB = _Machine(
    model=WorkItem,
    table=WORK_ITEM_TRANSITIONS,
    noun="job",
    label=_item_label,
    read_fields=("id", "status", "order_id", "name"),
    event_kind=EventKind.WORK_ITEM,
    event_reason=lambda item, reason: f"{item.name}: {reason}" if reason else item.name,
    event_field="work_item_id",
    hook_topic="work_item.status_changed",
    hook_field="work_item_id",
    visible=_VISIBLE_ITEM_STATES,
)
_LEG = _Machine(
    model=TransportLeg,
    table=LEG_TRANSITIONS,
    noun="leg",
    label=_leg_label,
    read_fields=("id", "status", "order_id", "is_last_mile"),
    event_kind=EventKind.TRANSPORT_LEG,
    event_reason=lambda leg, reason: (
        f"{'Delivery to you' if leg.is_last_mile else 'Transport between workshops'}: {reason}"
    ),
    event_field="transport_leg_id",
    hook_topic="transport_leg.status_changed",
    hook_field="leg_id",
    visible=_VISIBLE_LEG_STATES,
)


def _row_transition(
    machine: _Machine, pk: int, to: str, *, actor, actor_label, reason, expected_from, data, fields
):
    row = machine.model.objects.filter(pk=pk).only(*machine.read_fields).first()
    if row is None:
        raise machine.model.DoesNotExist(
            f"{machine.model._meta.verbose_name.capitalize()} {pk} does not exist."
        )
    current = row.status
    _swap(
        model=machine.model,
        pk=pk,
        current=current,
        to=to,
        table=machine.table,
        expected_from=expected_from,
        values={"updated_at": timezone.now(), **(fields or {})},
        noun=machine.noun,
        label=machine.label,
    )
    event_record(
        order_id=row.order_id,
        kind=machine.event_kind,
        actor=actor,
        actor_label=actor_label,
        reason=machine.event_reason(row, reason),
        data=data,
        from_status=current,
        to_status=to,
        customer_visible=to in machine.visible,
        **{machine.event_field: pk},
    )
    hooks.publish(
        machine.hook_topic,
        order_id=row.order_id,
        from_status=current,
        to_status=to,
        **{machine.hook_field: pk},
    )
    return machine.model.objects.get(pk=pk)


@transaction.atomic
def work_item_transition(
    *,
    work_item_id: int,
    to: str,
    actor=None,
    reason: str = "",
    expected_from: str | frozenset[str] | None = None,
    actor_label: str = "",
    data: dict | None = None,
    fields: dict | None = None,
) -> WorkItem:
    """Moves a work item along WORK_ITEM_TRANSITIONS (compare-and-swap) and records an order event.

    The writer under the services: it takes no scope, so call it only from a service that already found the
    item inside its actor's scope (apps/orders/scope.py), or from the system's own planning and cancelling.
    """
    return _row_transition(
        _JOB,
        work_item_id,
        to,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        expected_from=expected_from,
        data=data,
        fields=fields,
    )


@transaction.atomic
def transport_leg_transition(
    *,
    leg_id: int,
    to: str,
    actor=None,
    reason: str = "",
    expected_from: str | frozenset[str] | None = None,
    actor_label: str = "",
    data: dict | None = None,
    fields: dict | None = None,
) -> TransportLeg:
    """Moves a transport leg along LEG_TRANSITIONS (compare-and-swap) and records an order event.

    Like work_item_transition, it takes no scope: call it from a service that found the leg in its scope.
    """
    return _row_transition(
        _LEG,
        leg_id,
        to,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        expected_from=expected_from,
        data=data,
        fields=fields,
    )
