"""The checkout flow: quote the cart, place the order, pay. Pages and the API call these; they call services.

Quotes come from the quoting port and payments from the payment port (apps/orders/ports.py). Calls to them
happen outside database transactions; each step that writes is one service (one transaction), so a crash
between steps leaves a consistent order that the next attempt continues (same idempotency keys).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from apps.core.currencies import minimum_charge
from apps.core.money import format_minor
from apps.orders import ports
from apps.orders.models import Cart, Order, OrderPayment, PaymentStatus
from apps.orders.quotes import DeliveryOption, LineQuote, OrderQuote, QuoteRequestLine
from apps.orders.refunding import refund_issue
from apps.orders.selectors import cart_lines_for
from apps.orders.services.cart import (
    cart_fingerprint,
    cart_get_or_create,
    cart_quote_is_fresh,
    cart_quote_store,
    cart_request_lines,
    cart_versions_refresh,
)
from apps.orders.services.orders import (
    CheckoutError,
    PaymentOutcome,
    order_create_from_cart,
    order_find_by_checkout_key,
    order_payment_apply,
    order_payment_attach,
    order_payment_attempt_begin,
    order_payment_fail,
    order_payment_retry_ready,
    order_quote_extend,
    order_requote_apply,
    payment_intent_key,
)
from apps.orders.services.refunds import order_refund_for_stray_payment
from apps.orders.status import PAID_STATES, PAYABLE

# Stripe's test cards, as the local pay form accepts them, mapped to Stripe's test payment methods.
TEST_CARDS = {
    "4242424242424242": "pm_card_visa",
    "5555555555554444": "pm_card_mastercard",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
}


@dataclass
class CartQuote:
    cart: Cart
    quote: OrderQuote | None
    design_changes: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class PlaceResult:
    order: Order | None = None
    quote: OrderQuote | None = None
    changed: bool = False  # the price or date differs from what the customer saw: show it, ask again
    design_changes: list[str] = field(default_factory=list)
    previous_total_minor: int | None = None
    previous_delivery_date: date | None = None


@dataclass
class PayResult:
    order: Order
    # "paid", "already_paid", "declined", "requires_action", "requoted", "not_payable" (the order's state no
    # longer takes money: a client error, not an outage) and "unavailable" (Stripe or quoting is down).
    status: str
    message: str = ""
    previous_total_minor: int | None = None
    previous_delivery_date: date | None = None


def _quote(lines: list[QuoteRequestLine], *, latitude, longitude, requested_date) -> OrderQuote:
    """The quoter's answer; without an address (None) it quotes to the network's default delivery point, a
    price to show, never to order (an order needs the customer's address)."""
    if not lines:
        raise CheckoutError("Your cart is empty.")
    destination = None if latitude is None or longitude is None else (float(latitude), float(longitude))
    return ports.quoter()(lines=lines, destination=destination, requested_date=requested_date)


def cart_quote(*, customer) -> CartQuote:
    """Quotes the cart as it is now (designs moved to their current versions first) and locks the quote: to
    the customer's saved address, or to the network's default delivery point until one is given."""
    design_changes = cart_versions_refresh(customer=customer)
    cart = cart_get_or_create(customer=customer)
    try:
        quote = _quote(
            cart_request_lines(cart),
            latitude=cart.latitude,
            longitude=cart.longitude,
            requested_date=cart.requested_delivery_date,
        )
    except (CheckoutError, ports.QuoteUnavailable) as error:
        return CartQuote(cart=cart, quote=None, design_changes=design_changes, error=str(error))
    cart = cart_quote_store(customer=customer, quote=quote, fingerprint=cart_fingerprint(cart))
    return CartQuote(cart=cart, quote=quote, design_changes=design_changes)


def _descriptions(cart: Cart) -> dict[str, str]:
    return {
        str(line.design_version_id): f"{line.design_version.design.name} (v{line.design_version.number})"
        for line in cart_lines_for(cart)
    }


def checkout_place(
    *,
    customer,
    checkout_key,
    seen_total_minor: int | None,
    seen_delivery_date: date | None,
    delivery_option: str = "",
) -> PlaceResult:
    """Places the order the customer saw the quote of, in the lead-time option they chose (default: the
    quote's own), then creates its PaymentIntent.

    The same checkout_key twice gives the same order. When the quote expired, the cart or a design changed,
    the cart is re-quoted; if that moves the price or the date away from what the customer saw, or the option
    is no longer offered, no order is made and the result carries the new quote to show (`changed`). Raises
    CheckoutError, QuoteUnavailable, and the design check's Conflict for a design nobody in the network can
    make.
    """
    try:
        checkout_key = uuid.UUID(str(checkout_key))
    except (TypeError, ValueError):
        raise CheckoutError("This checkout is out of date; review your cart and try again.") from None
    if placed := _already_placed(customer=customer, checkout_key=checkout_key):
        return placed
    design_changes = cart_versions_refresh(customer=customer)
    cart = cart_get_or_create(customer=customer)
    if cart.checkout_key != checkout_key:
        # A second submission of the same checkout (a double click) may have just placed the order and renewed
        # the cart's key between the look-up above and this read: its order is this submission's order too.
        if placed := _already_placed(customer=customer, checkout_key=checkout_key):
            return placed
        raise CheckoutError("This checkout is out of date; review your cart and try again.")
    quote = _cart_quote_if_fresh(cart)
    if quote is None or design_changes:
        quote = _quote(
            cart_request_lines(cart),
            latitude=cart.latitude,
            longitude=cart.longitude,
            requested_date=cart.requested_delivery_date,
        )
        cart = cart_quote_store(customer=customer, quote=quote, fingerprint=cart_fingerprint(cart))
    chosen = quote.choose(delivery_option) if delivery_option else quote
    if chosen is None:  # the option seen is no longer offered: show what is
        return PlaceResult(
            quote=quote,
            changed=True,
            design_changes=design_changes,
            previous_total_minor=seen_total_minor,
            previous_delivery_date=seen_delivery_date,
        )
    quote = chosen
    if design_changes or not quote.same_terms(total_minor=seen_total_minor, delivery_date=seen_delivery_date):
        return PlaceResult(
            quote=quote,
            changed=True,
            design_changes=design_changes,
            previous_total_minor=seen_total_minor,
            previous_delivery_date=seen_delivery_date,
        )
    for line in cart_lines_for(cart):  # never an order for a design the network cannot make
        ports.design_check(design_version=line.design_version)
    _refuse_below_minimum_charge(quote)
    order = order_create_from_cart(
        customer=customer, checkout_key=checkout_key, quote=quote, descriptions=_descriptions(cart)
    )
    return PlaceResult(order=order_payment_ensure(order=order), quote=quote)


def _refuse_below_minimum_charge(quote: OrderQuote) -> None:
    """Stripe refuses charges below its minimum for the currency (amount_too_small): refuse before the order
    exists, so nothing is left half-made."""
    minimum = minimum_charge(quote.currency)
    if minimum is not None and quote.total_minor < minimum:
        raise CheckoutError(
            f"The smallest order we can take payment for is {format_minor(minimum, quote.currency)}; this one "
            f"comes to {format_minor(quote.total_minor, quote.currency)}. Add to your cart to check out.",
            field="expected_total_minor",
        )


def _already_placed(*, customer, checkout_key: uuid.UUID) -> PlaceResult | None:
    """The order an earlier submission of this checkout made, ready to pay; None if there is none."""
    existing = order_find_by_checkout_key(customer=customer, checkout_key=checkout_key)
    return PlaceResult(order=order_payment_ensure(order=existing)) if existing is not None else None


def _cart_quote_if_fresh(cart: Cart) -> OrderQuote | None:
    """The quote locked on the cart, if it still holds for exactly this cart."""
    if not cart_quote_is_fresh(cart):
        return None
    lines = [
        LineQuote(
            design_version_id=uuid.UUID(line["design_version_id"]),
            quantity=line["quantity"],
            total_minor=line["total_minor"],
            delivery_date=date.fromisoformat(line["delivery_date"]),
            royalty_minor=int(line.get("royalty_minor", 0)),
        )
        for line in cart.quote_lines
    ]
    if not lines:
        return None
    return OrderQuote(
        currency=cart.currency,
        total_minor=cart.quote_total_minor,
        delivery_date=cart.quote_delivery_date,
        lines=tuple(lines),
        options=tuple(DeliveryOption.from_json(option) for option in cart.quote_options or ()),
        option=cart.quote_option,
        lots=next((int(o["lots"]) for o in cart.quote_options or () if o["kind"] == cart.quote_option), 1),
    )


def order_payment_ensure(*, order: Order) -> Order:
    """Makes sure the order's current quote revision has a PaymentIntent (created once, by its key).

    A Stripe outage leaves the order as it is (draft without an intent); the pay page tries again.
    """
    if order.status not in PAYABLE:
        return order
    if OrderPayment.objects.filter(order=order, quote_revision=order.quote_revision).exists():
        return Order.objects.get(pk=order.pk)
    key = payment_intent_key(order)
    try:
        intent = ports.payments().intent_create(
            amount_minor=order.total_minor,
            currency=order.currency,
            transfer_group=order.transfer_group,
            metadata={"order_id": str(order.pk), "quote_revision": str(order.quote_revision)},
            idempotency_key=key,
        )
    except ports.PaymentUnavailable:
        return order
    order_payment_attach(
        order_id=order.pk, intent=intent, idempotency_key=key, quote_revision=order.quote_revision
    )
    return Order.objects.get(pk=order.pk)


def order_requote(*, order: Order) -> tuple[Order, bool]:
    """Re-quotes an unpaid order whose lock expired. Returns (order, changed): changed means the customer must
    see the new price or date before paying; unchanged extends the lock."""
    lines = [
        QuoteRequestLine(design_version_id=line.design_version_id, quantity=line.quantity)
        for line in order.lines.all()
    ]
    quote = _quote(
        lines,
        latitude=order.latitude,
        longitude=order.longitude,
        requested_date=order.requested_delivery_date,
    )
    # the option bought, re-priced; if the network no longer offers it, the quote's own (a changed quote)
    quote = (quote.choose(order.delivery_option) if order.delivery_option else None) or quote
    if quote.same_terms(total_minor=order.total_minor, delivery_date=order.promised_delivery_date):
        return order_quote_extend(order_id=order.pk), False
    order = order_requote_apply(order_id=order.pk, quote=quote)
    return order_payment_ensure(order=order), True


def payment_method_for_card(card_number: str) -> str | None:
    return TEST_CARDS.get("".join(ch for ch in card_number if ch.isdigit()))


def checkout_pay(*, order: Order, payment_method: str) -> PayResult:
    """Confirms the order's PaymentIntent server-side (local mode) and applies the result at once.

    The `payment_intent.succeeded` webhook may arrive before or after this returns; whichever comes second
    changes nothing (order_payment_apply is a compare-and-swap).
    """
    if order.status in PAID_STATES:
        return PayResult(order=order, status="already_paid")
    if order.status not in PAYABLE:
        return PayResult(order=order, status="not_payable", message="This order can no longer be paid.")
    if order.quote_expires_at <= timezone.now():
        previous = (order.total_minor, order.promised_delivery_date)
        try:
            order, changed = order_requote(order=order)
        except (CheckoutError, ports.QuoteUnavailable) as error:
            return PayResult(order=order, status="unavailable", message=str(error))
        if changed:
            return PayResult(
                order=order,
                status="requoted",
                message="Your quote expired; the new price or delivery date is shown. Pay again to accept it.",
                previous_total_minor=previous[0],
                previous_delivery_date=previous[1],
            )
    order = order_payment_ensure(order=order)
    if not order.payment_intent_id:
        return PayResult(
            order=order, status="unavailable", message="Payments are unavailable; try again shortly."
        )
    order_payment_retry_ready(order_id=order.pk)
    payment, attempt = order_payment_attempt_begin(order_id=order.pk)
    gateway = ports.payments()
    try:
        intent = gateway.intent_confirm(
            payment_intent_id=payment.payment_intent_id,
            payment_method=payment_method,
            idempotency_key=f"order:{order.pk}:confirm:r{payment.quote_revision}:{attempt}",
        )
    except ports.PaymentDeclined as declined:
        order_payment_fail(
            payment_intent_id=payment.payment_intent_id, message=str(declined), actor_label="checkout"
        )
        return PayResult(order=Order.objects.get(pk=order.pk), status="declined", message=str(declined))
    except ports.PaymentUnavailable as error:
        # The confirm may have gone through although its answer was lost: Stripe's state decides.
        try:
            intent = gateway.intent_retrieve(payment_intent_id=payment.payment_intent_id)
        except ports.PaymentUnavailable:
            return PayResult(order=order, status="unavailable", message=f"Payments are unavailable: {error}")
    return payment_result_apply(order=order, intent=intent, actor_label="checkout")


def payment_result_apply(*, order: Order, intent: dict, actor_label: str) -> PayResult:
    """Applies a PaymentIntent's state (from the confirm answer, a retrieve or a webhook)."""
    status = intent.get("status")
    if status == "succeeded":
        outcome = payment_intent_succeeded_apply(intent=intent, actor_label=actor_label)
        order = Order.objects.get(pk=order.pk)
        if outcome in (PaymentOutcome.APPLIED, PaymentOutcome.ALREADY):
            return PayResult(order=order, status="paid")
        return PayResult(order=order, status="not_payable", message="This payment is being refunded.")
    if status in ("requires_action", "requires_confirmation"):
        return PayResult(
            order=order, status="requires_action", message="Your bank needs you to confirm the payment."
        )
    message = ((intent.get("last_payment_error") or {}).get("message")) or "The payment did not go through."
    order_payment_fail(payment_intent_id=intent["id"], message=message, actor_label=actor_label)
    return PayResult(order=Order.objects.get(pk=order.pk), status="declined", message=message)


def payment_intent_succeeded_apply(*, intent: dict, actor_label: str) -> str:
    """Applies a succeeded PaymentIntent; money that belongs to no payable order is refunded in full."""
    charge = intent.get("latest_charge") or ""
    charge_id = charge.get("id", "") if isinstance(charge, dict) else str(charge)
    outcome = order_payment_apply(
        payment_intent_id=intent["id"],
        amount_minor=int(intent["amount"]),
        currency=str(intent["currency"]),
        charge_id=charge_id,
        actor_label=actor_label,
    )
    if outcome in (PaymentOutcome.ORDER_CANCELLED, PaymentOutcome.SUPERSEDED) and charge_id:
        payment = OrderPayment.objects.get(payment_intent_id=intent["id"])
        refund = order_refund_for_stray_payment(
            order_id=payment.order_id,
            charge_id=charge_id,
            amount_minor=int(intent["amount"]),
            payment_intent_id=intent["id"],
        )
        refund_issue(refund_id=refund.pk, charge_id=charge_id)
    return outcome


def payment_intent_failed_apply(*, intent: dict, actor_label: str) -> bool:
    message = ((intent.get("last_payment_error") or {}).get("message")) or "The payment failed."
    if OrderPayment.objects.filter(payment_intent_id=intent["id"], status=PaymentStatus.SUCCEEDED).exists():
        return False
    return order_payment_fail(payment_intent_id=intent["id"], message=message, actor_label=actor_label)
