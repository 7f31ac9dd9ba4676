"""Placing an order from a cart and applying its payment. Quotes and Stripe results arrive here as values."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.orders import hooks
from apps.orders.models import (
    Cart,
    EventKind,
    Order,
    OrderLine,
    OrderPayment,
    PaymentStatus,
)
from apps.orders.quotes import OrderQuote
from apps.orders.selectors import order_settings_get
from apps.orders.services.cart import cart_locked
from apps.orders.services.planning import order_planning_enqueue
from apps.orders.services.transitions import event_record, order_transition
from apps.orders.status import PAYABLE, InvalidTransition, OrderStatus

ADDRESS_FIELDS = (
    "recipient_name",
    "recipient_phone",
    "address_line",
    "postcode",
    "city",
    "country",
    "latitude",
    "longitude",
    "place_id",
)


class CheckoutError(InvalidInput):
    """The cart cannot be checked out as it is; `field` names the input at fault when there is one."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field

    @property
    def field_errors(self) -> dict:
        return {self.field or "checkout_key": [str(self)]}


def _lock_until():
    return timezone.now() + timedelta(minutes=order_settings_get().quote_lock_minutes)


def order_find_by_checkout_key(*, customer, checkout_key) -> Order | None:
    return Order.objects.filter(customer=customer, checkout_key=checkout_key).first()


def order_create_from_cart(
    *, customer, checkout_key: uuid.UUID, quote: OrderQuote, descriptions: dict
) -> Order:
    """Creates the order (draft) from the cart with the quote's prices, empties the cart and renews its key.

    One transaction holding the cart row lock: a second submission of the same checkout waits, then finds
    the order this one made (same checkout_key) and returns it. Raises CheckoutError when the cart changed
    or belongs to another submission. `descriptions` maps design version ids to the name shown on the line.
    """
    try:
        with transaction.atomic():
            cart = cart_locked(customer=customer)
            existing = order_find_by_checkout_key(customer=customer, checkout_key=checkout_key)
            if existing is not None:
                return existing
            if cart.checkout_key != checkout_key:
                raise CheckoutError("This checkout is out of date; review your cart and try again.")
            return _order_create(cart=cart, customer=customer, quote=quote, descriptions=descriptions)
    except IntegrityError:
        # A concurrent submission of the same key won the unique constraint: its order is the order.
        existing = order_find_by_checkout_key(customer=customer, checkout_key=checkout_key)
        if existing is None:
            raise
        return existing


def _option_fields(quote: OrderQuote) -> dict:
    """The lead-time option an order is placed (or re-quoted) in: the commit plans it with the same lots and
    must deliver by its day (the promised date)."""
    option = quote.chosen
    if option is None:
        return {
            "delivery_option": "",
            "delivery_option_label": "",
            "delivery_option_note": "",
            "quote_lots": 1,
        }
    return {
        "delivery_option": option.kind,
        "delivery_option_label": option.label[:40],
        "delivery_option_note": option.faster_because[:200],
        "quote_lots": option.lots,
    }


def _order_create(*, cart: Cart, customer, quote: OrderQuote, descriptions: dict) -> Order:
    lines = list(cart.lines.select_related("design_version__design__template"))
    if not lines:
        raise CheckoutError("Your cart is empty.")
    if not cart.has_coordinates:
        raise CheckoutError("Add a shipping address first.", field="address")
    quoted = {(str(q.design_version_id), q.quantity): q for q in quote.lines}
    order = Order.objects.create(
        customer=customer,
        checkout_key=cart.checkout_key,
        currency=quote.currency,
        total_minor=quote.total_minor,
        requested_delivery_date=cart.requested_delivery_date,
        promised_delivery_date=quote.delivery_date,
        quote_expires_at=_lock_until(),
        **_option_fields(quote),
        **{field: getattr(cart, field) for field in ADDRESS_FIELDS},
    )
    order_lines = []
    for position, line in enumerate(lines, start=1):
        line_quote = quoted.get((str(line.design_version_id), line.quantity))
        if line_quote is None:
            raise CheckoutError("The cart changed after it was quoted; review it and try again.")
        order_lines.append(
            OrderLine(
                order=order,
                position=position,
                design_version_id=line.design_version_id,
                description=descriptions.get(str(line.design_version_id), "Design")[:200],
                quantity=line.quantity,
                unit_price_minor=line_quote.total_minor // line.quantity,
                total_minor=line_quote.total_minor,
                delivery_date=line_quote.delivery_date,
                designer_id=line.design_version.design.template.designer_id,
                royalty_minor=line_quote.royalty_minor,
            )
        )
    if len(order_lines) != len(quote.lines):
        raise CheckoutError("The cart changed after it was quoted; review it and try again.")
    OrderLine.objects.bulk_create(order_lines)
    cart.lines.all().delete()
    Cart.objects.filter(pk=cart.pk).update(
        checkout_key=uuid.uuid4(),
        quote_total_minor=None,
        quote_delivery_date=None,
        quote_expires_at=None,
        quote_fingerprint="",
        quote_lines=[],
    )
    event_record(
        order_id=order.pk,
        kind=EventKind.QUOTE,
        actor=customer,
        reason="Order placed",
        data={
            "total_minor": quote.total_minor,
            "currency": quote.currency,
            "delivery_date": quote.delivery_date.isoformat(),
        },
        to_status=OrderStatus.DRAFT,
    )
    return order


@transaction.atomic
def order_quote_extend(*, order_id: int) -> Order:
    """The re-quote gave the same price and date: the lock runs again from now."""
    Order.objects.filter(pk=order_id, status__in=PAYABLE).update(
        quote_expires_at=_lock_until(), updated_at=timezone.now()
    )
    return Order.objects.get(pk=order_id)


@transaction.atomic
def order_requote_apply(*, order_id: int, quote: OrderQuote, actor=None) -> Order:
    """A re-quote changed the price or date of an unpaid order: a new revision the customer must accept.

    The old PaymentIntent is superseded (its amount is wrong); the next payment step creates one for the
    new revision.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status not in PAYABLE:
        raise InvalidTransition(f"Order {order.reference} is already {order.get_status_display().lower()}.")
    by_version = {(str(q.design_version_id), q.quantity): q for q in quote.lines}
    for line in order.lines.all():
        line_quote = by_version.get((str(line.design_version_id), line.quantity))
        if line_quote is None:
            raise ValueError("The re-quote does not cover the order's lines.")
        OrderLine.objects.filter(pk=line.pk).update(
            unit_price_minor=line_quote.total_minor // line.quantity,
            total_minor=line_quote.total_minor,
            delivery_date=line_quote.delivery_date,
            royalty_minor=line_quote.royalty_minor,
        )
    previous = {"total_minor": order.total_minor, "delivery_date": order.promised_delivery_date.isoformat()}
    Order.objects.filter(pk=order.pk).update(
        total_minor=quote.total_minor,
        promised_delivery_date=quote.delivery_date,
        quote_expires_at=_lock_until(),
        quote_revision=order.quote_revision + 1,
        **_option_fields(quote),
        payment_intent_id="",
        updated_at=timezone.now(),
    )
    OrderPayment.objects.filter(order=order, status=PaymentStatus.REQUIRES_PAYMENT).update(
        status=PaymentStatus.SUPERSEDED
    )
    event_record(
        order_id=order.pk,
        kind=EventKind.QUOTE,
        actor=actor,
        reason="The quote expired and was renewed with a new price or date",
        data={
            "previous": previous,
            "current": {"total_minor": quote.total_minor, "delivery_date": quote.delivery_date.isoformat()},
        },
    )
    return Order.objects.get(pk=order.pk)


def payment_intent_key(order: Order) -> str:
    """The PaymentIntent's idempotency key: one intent per order and quote revision."""
    base = f"order:{order.pk}:payment_intent"
    return base if order.quote_revision == 1 else f"{base}:r{order.quote_revision}"


@transaction.atomic
def order_payment_attach(
    *, order_id: int, intent: dict, idempotency_key: str, quote_revision: int
) -> OrderPayment:
    """Records the PaymentIntent created for the order's current revision and moves draft → awaiting_payment.

    Idempotent: the same intent again returns the stored row.
    """
    payment, _ = OrderPayment.objects.get_or_create(
        payment_intent_id=intent["id"],
        defaults={
            "order_id": order_id,
            "quote_revision": quote_revision,
            "idempotency_key": idempotency_key,
            "client_secret": intent.get("client_secret") or "",
            "amount_minor": intent["amount"],
            "currency": str(intent["currency"]).upper(),
        },
    )
    Order.objects.filter(pk=order_id, quote_revision=quote_revision, payment_intent_id="").update(
        payment_intent_id=intent["id"], updated_at=timezone.now()
    )
    status = Order.objects.filter(pk=order_id).values_list("status", flat=True).get()
    if status == OrderStatus.DRAFT:
        order_transition(
            order_id=order_id,
            to=OrderStatus.AWAITING_PAYMENT,
            expected_from=OrderStatus.DRAFT,
            actor_label="checkout",
        )
    return payment


@transaction.atomic
def order_payment_attempt_begin(*, order_id: int) -> tuple[OrderPayment, int]:
    """The next confirm attempt number of the order's current payment (each attempt needs its own Stripe key)."""
    order = Order.objects.get(pk=order_id)
    payment = OrderPayment.objects.select_for_update().get(
        order_id=order_id, quote_revision=order.quote_revision
    )
    payment.confirm_attempts += 1
    payment.save(update_fields=["confirm_attempts", "updated_at"])
    return payment, payment.confirm_attempts


class PaymentOutcome:
    APPLIED = "applied"  # this call moved the order to paid
    ALREADY = "already"  # an earlier call (webhook or confirm response) did
    UNKNOWN = "unknown"  # not a payment of ours
    ORDER_CANCELLED = "order_cancelled"  # money arrived for a cancelled order: refund it
    SUPERSEDED = "superseded"  # money arrived on an intent replaced by a re-quote: refund it


@transaction.atomic
def order_payment_apply(
    *,
    payment_intent_id: str,
    amount_minor: int,
    currency: str,
    charge_id: str = "",
    actor_label: str = "Stripe",
) -> str:
    """Applies a succeeded payment: compare-and-swap awaiting_payment → paid, planning asked for via the outbox.

    Safe to call any number of times and in any order with the webhook: the payment row is locked and the
    order moves only from awaiting_payment, so the second caller finds it done. Returns a PaymentOutcome.
    """
    payment = OrderPayment.objects.select_for_update().filter(payment_intent_id=payment_intent_id).first()
    if payment is None:
        return PaymentOutcome.UNKNOWN
    if payment.status == PaymentStatus.SUCCEEDED:
        return PaymentOutcome.ALREADY
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if amount_minor != payment.amount_minor or currency.upper() != payment.currency:
        event_record(
            order_id=order.pk,
            kind=EventKind.PAYMENT,
            actor_label=actor_label,
            reason="Payment amount does not match the order; staff must check it",
            data={"payment_intent": payment_intent_id, "amount_minor": amount_minor, "currency": currency},
            customer_visible=False,
        )
    previous_status = payment.status
    OrderPayment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.SUCCEEDED, charge_id=charge_id, last_error="", updated_at=timezone.now()
    )
    if order.status == OrderStatus.CANCELLED:
        return PaymentOutcome.ORDER_CANCELLED
    if previous_status == PaymentStatus.SUPERSEDED or payment.quote_revision != order.quote_revision:
        return PaymentOutcome.SUPERSEDED
    if order.status == OrderStatus.DRAFT:
        order_transition(order_id=order.pk, to=OrderStatus.AWAITING_PAYMENT, actor_label=actor_label)
    if order.status not in PAYABLE:
        return PaymentOutcome.ALREADY
    now = timezone.now()
    order_transition(
        order_id=order.pk,
        to=OrderStatus.PAID,
        expected_from=OrderStatus.AWAITING_PAYMENT,
        actor_label=actor_label,
        reason="Payment received",
        data={"payment_intent": payment_intent_id, "amount_minor": amount_minor},
        fields={
            "payment_intent_id": payment_intent_id,
            "charge_id": charge_id,
            "payment_error": "",
            "planning_requested_at": now,
        },
    )
    order_planning_enqueue(order_id=order.pk)
    hooks.publish(
        "order.paid",
        order_id=order.pk,
        payment_intent_id=payment_intent_id,
        charge_id=charge_id,
        amount_minor=amount_minor,
        currency=payment.currency,
    )
    return PaymentOutcome.APPLIED


def order_payment_check_schedule(*, payment_id: int, next_check_at) -> None:
    """When the money sweeper next asks Stripe about this unpaid intent (it asks less often as it ages)."""
    OrderPayment.objects.filter(pk=payment_id).update(stripe_next_check_at=next_check_at)


@transaction.atomic
def order_payment_fail(*, payment_intent_id: str, message: str, actor_label: str = "Stripe") -> bool:
    """A declined or failed attempt: the order stays awaiting payment with the reason shown; a retry may follow.

    Returns False when there is nothing to record (unknown intent, or it already succeeded).
    """
    payment = OrderPayment.objects.select_for_update().filter(payment_intent_id=payment_intent_id).first()
    if payment is None or payment.status == PaymentStatus.SUCCEEDED:
        return False
    message = (message or "The payment failed.")[:300]
    OrderPayment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.FAILED if payment.status != PaymentStatus.SUPERSEDED else payment.status,
        last_error=message,
        updated_at=timezone.now(),
    )
    Order.objects.filter(pk=payment.order_id, status=OrderStatus.AWAITING_PAYMENT).update(
        payment_error=message, updated_at=timezone.now()
    )
    event_record(
        order_id=payment.order_id,
        kind=EventKind.PAYMENT,
        actor_label=actor_label,
        reason=f"Payment failed: {message}",
        data={"payment_intent": payment_intent_id},
    )
    return True


@transaction.atomic
def order_payment_retry_ready(*, order_id: int) -> None:
    """A failed payment is being retried: it awaits a card again."""
    order = Order.objects.get(pk=order_id)
    OrderPayment.objects.filter(
        order_id=order_id, quote_revision=order.quote_revision, status=PaymentStatus.FAILED
    ).update(status=PaymentStatus.REQUIRES_PAYMENT, updated_at=timezone.now())
