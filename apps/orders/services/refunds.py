"""Cancelling, refunding (also refunds made in Stripe), refund requests, disputes and completion: the database side.

Money goes back through the payment gateway after the refund row is committed (apps/orders/refunding.py);
the row's idempotency key makes every retry of that call the same refund.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.currencies import charge_step
from apps.core.money import Money
from apps.orders import hooks
from apps.orders.actions import order_require
from apps.orders.models import (
    EventKind,
    Order,
    OrderEvent,
    OrderRefund,
    RefundRequest,
    RefundRequestStatus,
    TransportLeg,
    WorkItem,
)
from apps.orders.notifications import order_notify_on_commit
from apps.orders.ports import PaymentDisputed
from apps.orders.scope import Scope, scoped
from apps.orders.selectors import order_settings_get
from apps.orders.services.transitions import (
    event_record,
    order_transition,
    transport_leg_transition,
    work_item_transition,
)
from apps.orders.status import (
    LEG_NOT_PICKED_UP,
    STAFF_REFUNDABLE,
    TRANSITIONS,
    WORK_ITEM_NOT_STARTED,
    InvalidTransition,
    LegStatus,
    OrderStatus,
    WorkItemStatus,
    transition_allowed,
)


def full_refund_key(order_id: int) -> str:
    return f"order:{order_id}:refund:full"


def _refund_row(*, order: Order, amount_minor: int, key: str, reason: str, actor) -> OrderRefund:
    """The refund to send, and the order's refunded amount raised by it, in the caller's transaction."""
    refund = OrderRefund.objects.filter(idempotency_key=key).first()
    if refund is not None:
        return refund
    if amount_minor <= 0 or order.refunded_minor + amount_minor > order.total_minor:
        raise ValidationError(
            {"amount_minor": "The refund must be positive and at most what is left to refund."}
        )
    _require_refundable_step(amount_minor, order.currency)
    refund = OrderRefund.objects.create(
        order=order,
        amount_minor=amount_minor,
        currency=order.currency,
        idempotency_key=key,
        charge_id=order.charge_id,
        reason=reason[:500],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Order.objects.filter(pk=order.pk).update(refunded_minor=order.refunded_minor + amount_minor)
    event_record(
        order_id=order.pk,
        kind=EventKind.REFUND,
        actor=actor,
        reason=f"Refund of {amount_minor} {order.currency} minor units: {reason}"[:500],
        data={"refund_id": refund.pk, "amount_minor": amount_minor},
    )
    return refund


def _require_refundable_step(amount_minor: int, currency: str) -> None:
    """Stripe refunds three-decimal currencies only in amounts ending in 0, ISK and UGX in whole units."""
    step = charge_step(currency)
    if amount_minor % step:
        raise ValidationError(
            {
                "amount_minor": f"Stripe refunds {currency} in steps of {step} minor units; {amount_minor} is not."
            }
        )


def _order_locked(*, order_id: int, scope) -> Order:
    """The order inside the scope (its customer, or Scope.STAFF/SYSTEM), locked; Order.DoesNotExist outside."""
    return scoped(scope, Order).select_for_update().get(pk=order_id)


@transaction.atomic
def order_cancel(*, order_id: int, actor, reason: str, scope, actor_label: str = "") -> OrderRefund | None:
    """Cancels an order before production starts; a paid one gets a full refund row (sent after commit).

    Open jobs and legs are cancelled with it. Raises InvalidTransition once production started (or later).
    """
    order = _order_locked(order_id=order_id, scope=scope)
    order_require(order, "cancel")
    order_transition(
        order_id=order_id,
        to=OrderStatus.CANCELLED,
        actor=actor,
        actor_label=actor_label,
        reason=reason or "Cancelled",
    )
    for item_id in WorkItem.objects.filter(order_id=order_id, status__in=WORK_ITEM_NOT_STARTED).values_list(
        "pk", flat=True
    ):
        work_item_transition(
            work_item_id=item_id, to=WorkItemStatus.CANCELLED, actor=actor, reason="Order cancelled"
        )
    for leg_id in TransportLeg.objects.filter(order_id=order_id, status__in=LEG_NOT_PICKED_UP).values_list(
        "pk", flat=True
    ):
        transport_leg_transition(leg_id=leg_id, to=LegStatus.CANCELLED, actor=actor, reason="Order cancelled")
    if not order.charge_id:
        return None
    return _refund_row(
        order=order,
        amount_minor=order.total_minor - order.refunded_minor,
        key=full_refund_key(order_id),
        reason="Order cancelled before production",
        actor=actor,
    )


@transaction.atomic
def order_refund_for_stray_payment(
    *, order_id: int, charge_id: str, amount_minor: int, payment_intent_id: str
):
    """Money that arrived for a cancelled order or a superseded quote goes back in full.

    It was never counted as the order's payment, so the order's refunded amount stays. The refund row is keyed by the payment intent, so however often the event arrives it is one refund.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    key = f"order:{order_id}:refund:pi:{payment_intent_id}"
    existing = OrderRefund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    refund = OrderRefund.objects.create(
        order=order,
        amount_minor=amount_minor,
        currency=order.currency,
        idempotency_key=key,
        charge_id=charge_id,
        reason="Payment arrived for a cancelled order or an outdated quote",
    )
    event_record(
        order_id=order_id,
        kind=EventKind.REFUND,
        actor_label="system",
        reason="A payment arrived after the order was cancelled or re-quoted; it is refunded in full",
        data={"refund_id": refund.pk, "payment_intent": payment_intent_id, "charge": charge_id},
    )
    return refund


@transaction.atomic
def order_refund_made_outside(
    *,
    order_id: int,
    stripe_refund_id: str,
    charge_id: str,
    amount_minor: int,
    currency: str,
    reason: str,
    scope,
) -> OrderRefund:
    """A refund the platform did not make (in Stripe's Dashboard, or by Stripe preventing a dispute): recorded
    once, keyed by its Stripe id, already sent. The order's refunded amount rises with it when it is the order's
    own charge, so staff and the customer can never ask back more than is left."""
    order = _order_locked(order_id=order_id, scope=scope)  # first: two events of one refund wait here
    key = f"stripe_refund:{stripe_refund_id}"
    existing = OrderRefund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    refund = OrderRefund.objects.create(
        order=order,
        amount_minor=amount_minor,
        currency=currency.upper(),
        idempotency_key=key,
        charge_id=charge_id,
        stripe_refund_id=stripe_refund_id,
        reason=reason[:500],
    )
    if charge_id == order.charge_id:
        refunded = min(order.total_minor, order.refunded_minor + amount_minor)
        Order.objects.filter(pk=order.pk).update(refunded_minor=refunded)
    event_record(
        order_id=order.pk,
        kind=EventKind.REFUND,
        actor_label="Stripe",
        reason=f"Refund of {amount_minor} {currency.upper()} minor units made in Stripe: {reason}"[:500],
        data={"refund_id": refund.pk, "stripe_refund_id": stripe_refund_id, "amount_minor": amount_minor},
    )
    order_notify_on_commit(
        order_id=order.pk, kind="refunded", extra={"amount": Money(amount_minor, currency.upper()).format()}
    )
    return refund


@transaction.atomic
def order_refund_sent(*, refund_id: int, stripe_refund_id: str) -> OrderRefund:
    """Stripe accepted the refund: its id is stored and listeners (the ledger) and the customer are told."""
    refund = OrderRefund.objects.select_for_update().get(pk=refund_id)
    if refund.stripe_refund_id:
        return refund
    refund.stripe_refund_id = stripe_refund_id
    refund.save(update_fields=["stripe_refund_id"])
    hooks.publish(
        "order.refunded",
        order_id=refund.order_id,
        refund_id=refund.pk,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        stripe_refund_id=stripe_refund_id,
    )
    order_notify_on_commit(
        order_id=refund.order_id,
        kind="refunded",
        extra={"amount": Money(refund.amount_minor, refund.currency).format()},
    )
    return refund


@transaction.atomic
def refund_request_create(
    *, order_id: int, customer, reason: str, amount_minor: int | None = None
) -> RefundRequest:
    """A customer (the scope: only their own orders) asks for money back after delivery, within the network's
    refund window. A second request while one is open is a ValidationError on "reason"."""
    order = _order_locked(order_id=order_id, scope=customer)
    try:
        order_require(order, "request_refund")
    except InvalidTransition as refused:
        if order.refund_requests.filter(status=RefundRequestStatus.OPEN).exists():
            raise ValidationError({"reason": str(refused)}) from None
        raise
    errors = {}
    left = order.total_minor - order.refunded_minor
    amount = left if amount_minor is None else amount_minor
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Tell us what went wrong."
    if not isinstance(amount, int) or amount <= 0 or amount > left:
        errors["amount_minor"] = f"Ask for between 1 and {left} (minor units)."
    elif amount % charge_step(order.currency):
        errors["amount_minor"] = (
            f"Stripe refunds {order.currency} in steps of {charge_step(order.currency)} minor units."
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            request = RefundRequest.objects.create(
                order=order, requested_by=customer, reason=reason[:5000], amount_minor=amount
            )
    except IntegrityError:
        raise ValidationError(
            {"reason": "You already asked for a refund of this order; we are looking at it."}
        ) from None
    event_record(
        order_id=order_id,
        kind=EventKind.REFUND,
        actor=customer,
        reason="Refund requested",
        data={"refund_request_id": request.pk, "amount_minor": amount},
    )
    return request


@transaction.atomic
def refund_request_decide(
    *, request_id: int, actor, approve: bool, scope, amount_minor: int | None = None, note: str = ""
) -> OrderRefund | None:
    """Staff answer a refund request. Approving records the refund (sent after commit) and marks the order refunded."""
    request = scoped(scope, RefundRequest).select_for_update().get(pk=request_id)
    if request.status != RefundRequestStatus.OPEN:
        raise InvalidTransition("This request was already answered.")
    order = Order.objects.select_for_update().get(pk=request.order_id)
    now = timezone.now()
    if approve and order.status == OrderStatus.DISPUTED:
        raise InvalidTransition(PaymentDisputed.MESSAGE, current=order.status)
    if not approve:
        RefundRequest.objects.filter(pk=request.pk).update(
            status=RefundRequestStatus.REJECTED, decided_by=actor, decided_at=now, decision_note=note[:500]
        )
        event_record(
            order_id=order.pk,
            kind=EventKind.REFUND,
            actor=actor,
            reason=f"Refund request declined. {note}"[:500],
        )
        return None
    amount = amount_minor or request.amount_minor
    refund = _refund_row(
        order=order,
        amount_minor=amount,
        key=f"order:{order.pk}:refund:rr{request.pk}",
        reason="Refund request approved",
        actor=actor,
    )
    RefundRequest.objects.filter(pk=request.pk).update(
        status=RefundRequestStatus.APPROVED, decided_by=actor, decided_at=now, decision_note=note[:500]
    )
    if order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        order_transition(order_id=order.pk, to=OrderStatus.REFUNDED, actor=actor, reason="Refund approved")
    return refund


@transaction.atomic
def order_refund_staff(*, order_id: int, actor, amount_minor: int, reason: str, scope) -> OrderRefund:
    """Staff refund part or all of a delivered (or disputed) order outside a customer request."""
    order = _order_locked(order_id=order_id, scope=scope)
    if order.status == OrderStatus.DISPUTED:
        raise InvalidTransition(PaymentDisputed.MESSAGE, current=order.status)
    if order.status not in STAFF_REFUNDABLE:
        raise InvalidTransition("Refund an order once delivered; cancel it before that.")
    count = OrderRefund.objects.filter(order=order).count() + 1
    refund = _refund_row(
        order=order,
        amount_minor=amount_minor,
        key=f"order:{order.pk}:refund:staff{count}",
        reason=reason,
        actor=actor,
    )
    if order.status != OrderStatus.REFUNDED:
        order_transition(order_id=order.pk, to=OrderStatus.REFUNDED, actor=actor, reason=reason or "Refunded")
    return refund


@transaction.atomic
def order_mark_disputed(*, order_id: int, actor, reason: str, scope, actor_label: str = "") -> None:
    _order_locked(order_id=order_id, scope=scope)
    order_transition(
        order_id=order_id,
        to=OrderStatus.DISPUTED,
        actor=actor,
        actor_label=actor_label,
        reason=reason or "Disputed",
    )


@transaction.atomic
def order_dispute_decided(*, order_id: int, lost: bool, reason: str, scope) -> str | None:
    """Stripe decided the order's chargeback. Lost: the bank gave the customer the money back, the order is
    refunded. Won: the order goes back to the state it was disputed in, and carries on (and settles) from there.
    Returns the state it moved to, or None when it was not disputed (an inquiry never disputes the order)."""
    order = _order_locked(order_id=order_id, scope=scope)
    if order.status != OrderStatus.DISPUTED:
        # Seen only once decided (its earlier events lost or late): a loss still refunds the order, by way of
        # disputed so that its history says why.
        if not lost or order.status == OrderStatus.REFUNDED:
            return None
        if not transition_allowed(TRANSITIONS, order.status, OrderStatus.DISPUTED):
            return None
            return None
        order_transition(order_id=order_id, to=OrderStatus.DISPUTED, actor_label="Stripe", reason=reason)
    if lost:
        to = OrderStatus.REFUNDED
    else:
        to = (
            OrderEvent.objects.filter(
                order_id=order_id, kind=EventKind.STATUS, to_status=OrderStatus.DISPUTED
            )
            .exclude(from_status__in=["", OrderStatus.DISPUTED])
            .order_by("-pk")
            .values_list("from_status", flat=True)
            .first()
        )
        if to is None:
            return None
    order_transition(
        order_id=order_id,
        to=to,
        expected_from=OrderStatus.DISPUTED,
        actor_label="Stripe",
        reason=reason,
        returning=not lost,
    )
    return to


@transaction.atomic
def order_complete(*, order_id: int, scope, actor=None, reason: str = "Completed") -> None:
    _order_locked(order_id=order_id, scope=scope)
    order_transition(order_id=order_id, to=OrderStatus.COMPLETED, actor=actor, reason=reason)


def orders_complete_after_window(*, now=None) -> list[int]:
    """Delivered orders whose refund window has passed are completed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=order_settings_get().refund_window_days)
    done = []
    for order_id in Order.objects.filter(status=OrderStatus.DELIVERED, delivered_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        try:
            order_complete(order_id=order_id, scope=Scope.SYSTEM, reason="The refund window passed")
        except InvalidTransition:
            continue
        done.append(order_id)
    return done
