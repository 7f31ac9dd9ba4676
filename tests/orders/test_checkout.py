"""Checkout and payment: orders pinned to design versions, one PaymentIntent per order, locked quotes, and every
fault of the issue — expired quote, design changed, declined card, double submit, webhook before or after the
confirm response, payments arriving for a cancelled order, Stripe unreachable at checkout."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from apps.catalog.models import ProductTemplate
from apps.catalog.services import design_update
from apps.orders import checkout
from apps.orders.models import (
    Cart,
    Order,
    OrderEvent,
    OrderPayment,
    OrderRefund,
    PaymentStatus,
)
from apps.orders.scope import Scope
from apps.orders.services import CheckoutError
from apps.orders.status import OrderStatus
from apps.outbox.models import OutboxMessage
from apps.payouts import stripe_client
from apps.payouts.models import StripeWrite, WebhookEvent
from apps.payouts.webhooks.inbox import webhook_event_process
from tests.orders.conftest import fill_cart, pay, place_order
from tests.orders.helpers import post_webhook, stripe_events

pytestmark = pytest.mark.django_db


def _quoted(customer):
    result = checkout.cart_quote(customer=customer)
    assert result.quote is not None, result.error
    return result


def _place(customer, quoted):
    return checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    )


def _raise_prices(template_slug: str, margin: int = 80) -> None:
    """Staff change the product's margin: the next quote for the same design costs more."""
    ProductTemplate.objects.filter(slug=template_slug).update(margin_percent=margin)


def test_checkout_pins_lines_to_versions_and_creates_one_payment_intent(table, customer, stripe_server):
    fill_cart(customer, (table.current_version, 2))
    quoted = _quoted(customer)
    result = _place(customer, quoted)
    order = result.order
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert (order.total_minor, order.promised_delivery_date) == (
        quoted.quote.total_minor,
        quoted.quote.delivery_date,
    )
    line = order.lines.get()
    assert (line.design_version_id, line.quantity, line.total_minor) == (
        table.current_version.pk,
        2,
        order.total_minor,
    )
    assert order.latitude is not None and order.city == "Utrecht"
    assert order.quote_expires_at > timezone.now() + timedelta(minutes=14)
    intent = stripe_client.payment_intent_retrieve(payment_intent_id=order.payment_intent_id)
    assert intent["transfer_group"] == f"order_{order.pk}"
    assert intent["amount"] == order.total_minor
    assert StripeWrite.objects.filter(
        idempotency_key=f"order:{order.pk}:payment_intent", stripe_object_id=order.payment_intent_id
    ).exists()
    cart = Cart.objects.get(customer=customer)
    assert not cart.lines.exists() and cart.checkout_key != order.checkout_key


def test_submitting_the_same_checkout_twice_makes_one_order(table, customer):
    fill_cart(customer, (table.current_version, 1))
    quoted = _quoted(customer)
    first = _place(customer, quoted)
    second = _place(customer, quoted)
    assert first.order.pk == second.order.pk
    assert Order.objects.filter(customer=customer).count() == 1
    assert OrderPayment.objects.filter(order=first.order).count() == 1


def test_an_outdated_checkout_key_is_refused(table, customer):
    fill_cart(customer, (table.current_version, 1))
    quoted = _quoted(customer)
    with pytest.raises(CheckoutError):
        checkout.checkout_place(
            customer=customer,
            checkout_key=uuid.uuid4(),
            seen_total_minor=quoted.quote.total_minor,
            seen_delivery_date=quoted.quote.delivery_date,
        )
    assert not Order.objects.filter(customer=customer).exists()


def test_expired_quote_with_a_new_price_is_shown_before_an_order_is_made(table, customer):
    fill_cart(customer, (table.current_version, 1))
    quoted = _quoted(customer)
    Cart.objects.filter(customer=customer).update(quote_expires_at=timezone.now() - timedelta(seconds=1))
    _raise_prices("dining-table")
    result = _place(customer, quoted)
    assert result.changed and result.order is None
    assert result.quote.total_minor > quoted.quote.total_minor
    assert result.previous_total_minor == quoted.quote.total_minor
    assert not Order.objects.filter(customer=customer).exists()
    # The customer accepts the new terms.
    accepted = checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=result.quote.total_minor,
        seen_delivery_date=result.quote.delivery_date,
    )
    assert accepted.order.total_minor == result.quote.total_minor


def test_expired_quote_with_the_same_terms_places_the_order(table, customer):
    fill_cart(customer, (table.current_version, 1))
    quoted = _quoted(customer)
    Cart.objects.filter(customer=customer).update(quote_expires_at=timezone.now() - timedelta(seconds=1))
    result = _place(customer, quoted)
    assert not result.changed and result.order.total_minor == quoted.quote.total_minor


def test_a_design_changed_after_quoting_is_requoted_on_its_new_version(table, customer):
    version_1 = table.current_version
    fill_cart(customer, (version_1, 1))
    quoted = _quoted(customer)
    version_2 = design_update(design=table, values={**version_1.values, "width": 2400})
    result = _place(customer, quoted)
    assert result.changed and result.order is None
    assert result.design_changes == ["Kitchen table"]
    assert Cart.objects.get(customer=customer).lines.get().design_version_id == version_2.pk
    placed = checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=result.quote.total_minor,
        seen_delivery_date=result.quote.delivery_date,
    )
    assert placed.order.lines.get().design_version_id == version_2.pk
    assert placed.order.total_minor == result.quote.total_minor != quoted.quote.total_minor


def test_declined_card_keeps_the_order_awaiting_payment_and_a_retry_pays(awaiting):
    declined = pay(awaiting, "pm_card_chargeDeclined")
    assert declined.status == "declined" and "declined" in declined.message.lower()
    order = Order.objects.get(pk=awaiting.pk)
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert "declined" in order.payment_error.lower()
    assert OrderPayment.objects.get(order=order).status == PaymentStatus.FAILED
    assert pay(order).status == "paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment_error == "" and order.charge_id
    assert (
        OutboxMessage.objects.filter(task_name="matching.commit_order", kwargs={"order_id": order.pk}).count()
        == 1
    )


def test_expired_lock_at_payment_requotes_and_shows_the_change(awaiting):
    Order.objects.filter(pk=awaiting.pk).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    _raise_prices("dining-table")
    result = pay(awaiting)
    assert result.status == "requoted"
    order = Order.objects.get(pk=awaiting.pk)
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.quote_revision == 2
    assert order.total_minor > awaiting.total_minor == result.previous_total_minor
    assert (
        OrderPayment.objects.get(payment_intent_id=awaiting.payment_intent_id).status
        == PaymentStatus.SUPERSEDED
    )
    assert StripeWrite.objects.filter(idempotency_key=f"order:{order.pk}:payment_intent:r2").exists()
    # Nothing was charged on the old intent; paying again accepts the new price.
    assert pay(order).status == "paid"
    order.refresh_from_db()
    intent = stripe_client.payment_intent_retrieve(payment_intent_id=order.payment_intent_id)
    assert (intent["status"], intent["amount"]) == ("succeeded", order.total_minor)
    old = stripe_client.payment_intent_retrieve(payment_intent_id=awaiting.payment_intent_id)
    assert old["status"] != "succeeded"


def test_expired_lock_with_unchanged_terms_is_extended_and_paid(awaiting):
    Order.objects.filter(pk=awaiting.pk).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    assert pay(awaiting).status == "paid"
    order = Order.objects.get(pk=awaiting.pk)
    assert order.quote_revision == 1 and order.quote_expires_at > timezone.now()


def _succeeded_event(server, order):
    events = stripe_events(server, event_type="payment_intent.succeeded", object_id=order.payment_intent_id)
    assert len(events) == 1
    return events[0]


def test_webhook_first_then_confirm_response_pays_once(awaiting, client_a, stripe_server):
    """Stripe's webhook is processed before the confirm call's answer is applied: one payment, one plan request."""
    gateway_result = stripe_client.payment_intent_confirm(
        payment_intent_id=awaiting.payment_intent_id,
        payment_method="pm_card_visa",
        idempotency_key="t:confirm:1",
    )
    response = post_webhook(client_a, _succeeded_event(stripe_server, awaiting))
    assert response.status_code == 200
    event = WebhookEvent.objects.get(stripe_event_id=response.json()["id"])
    assert webhook_event_process(event_id=event.pk) == "processed"
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.PAID
    late = checkout.payment_result_apply(order=awaiting, intent=gateway_result, actor_label="checkout")
    assert late.status == "paid"
    assert OrderEvent.objects.filter(order=awaiting, to_status=OrderStatus.PAID).count() == 1
    assert OutboxMessage.objects.filter(kwargs={"order_id": awaiting.pk}).count() == 1
    assert OrderEvent.objects.get(order=awaiting, to_status=OrderStatus.PAID).actor_label == "Stripe webhook"


def test_confirm_response_first_then_webhook_changes_nothing(awaiting, client_a, stripe_server):
    assert pay(awaiting).status == "paid"
    response = post_webhook(client_a, _succeeded_event(stripe_server, awaiting))
    event = WebhookEvent.objects.get(stripe_event_id=response.json()["id"])
    assert webhook_event_process(event_id=event.pk) == "processed"
    assert OrderEvent.objects.filter(order=awaiting, to_status=OrderStatus.PAID).count() == 1
    assert OutboxMessage.objects.filter(kwargs={"order_id": awaiting.pk}).count() == 1
    # The same event delivered again is stored once and changes nothing.
    again = post_webhook(client_a, _succeeded_event(stripe_server, awaiting))
    assert again.json()["duplicate"] is True


def test_payment_failed_webhook_records_the_reason(awaiting, client_a, stripe_server):
    with pytest.raises(stripe_client.CardDeclined):
        stripe_client.payment_intent_confirm(
            payment_intent_id=awaiting.payment_intent_id,
            payment_method="pm_card_chargeDeclined",
            idempotency_key="t:confirm:declined",
        )
    events = stripe_events(
        stripe_server, event_type="payment_intent.payment_failed", object_id=awaiting.payment_intent_id
    )
    response = post_webhook(client_a, events[0])
    webhook_event_process(event_id=WebhookEvent.objects.get(stripe_event_id=response.json()["id"]).pk)
    order = Order.objects.get(pk=awaiting.pk)
    assert order.status == OrderStatus.AWAITING_PAYMENT and "declined" in order.payment_error.lower()


def test_money_arriving_for_a_cancelled_order_is_refunded_in_full(awaiting, customer):
    from apps.orders.refunding import order_cancel_and_refund

    order_cancel_and_refund(
        order_id=awaiting.pk, actor=customer, reason="Changed my mind", scope=Scope.SYSTEM
    )
    # The customer's bank confirms the (old) intent anyway, e.g. from another tab with Stripe's own page.
    intent = stripe_client.payment_intent_confirm(
        payment_intent_id=awaiting.payment_intent_id,
        payment_method="pm_card_visa",
        idempotency_key="t:late:1",
    )
    outcome = checkout.payment_intent_succeeded_apply(intent=intent, actor_label="Stripe webhook")
    assert outcome == "order_cancelled"
    refund = OrderRefund.objects.get(order=awaiting)
    assert refund.amount_minor == awaiting.total_minor and refund.stripe_refund_id
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.CANCELLED
    # A redelivered event does not refund twice.
    checkout.payment_intent_succeeded_apply(intent=intent, actor_label="Stripe webhook")
    assert OrderRefund.objects.filter(order=awaiting).count() == 1


def test_stripe_unreachable_at_checkout_leaves_a_draft_the_pay_page_completes(table, customer, stripe_server):
    fill_cart(customer, (table.current_version, 1))
    quoted = _quoted(customer)
    requests.post(
        f"{stripe_server}/_test/fail_next", json={"count": 3, "mode": "500", "when": "before"}, timeout=5
    ).raise_for_status()
    result = _place(customer, quoted)
    assert result.order.status == OrderStatus.DRAFT and result.order.payment_intent_id == ""
    # Later, Stripe is back: the payment step creates the intent (same key) and pays.
    assert pay(result.order).status == "paid"
    order = Order.objects.get(pk=result.order.pk)
    assert order.status == OrderStatus.PAID
    assert [e.to_status for e in order.events.filter(kind="status")] == ["awaiting_payment", "paid"]


def test_two_lines_are_quoted_together_and_summed(network_a, customer):
    """One plan for both lines: the lines' shares sum to the order's total, and a line of three is priced by
    the plan (setup once per batch), not as three times one."""
    from tests.orders.conftest import design_for

    table = design_for(customer, network_a["dining-table"], "Table")
    shelf = design_for(customer, network_a["bookshelf"], "Shelf")
    order = place_order(customer, (table.current_version, 1), (shelf.current_version, 3))
    lines = list(order.lines.order_by("position"))
    assert [line.quantity for line in lines] == [1, 3]
    assert order.total_minor == sum(line.total_minor for line in lines)
    assert order.promised_delivery_date == max(line.delivery_date for line in lines)
    assert lines[1].unit_price_minor == lines[1].total_minor // 3
