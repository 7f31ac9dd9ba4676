"""Stripe's minimum charge (EUR €0.50, JPY ¥50, HUF 175 Ft...): an order below it is refused at checkout with a
clear message — on the page and as a 400 by field in the API — and nothing is written: no order, no PaymentIntent,
no Stripe write. The old code placed the order and left it without a payment (Stripe answers amount_too_small)."""

from __future__ import annotations

import dataclasses

import pytest

from apps.orders import checkout
from apps.orders.models import Cart, Order, OrderPayment
from apps.orders.services import CheckoutError
from apps.orders.services.cart import cart_fingerprint, cart_quote_store
from apps.payouts.models import StripeWrite
from tests.conftest import api_token_for
from tests.orders.conftest import fill_cart

pytestmark = pytest.mark.django_db


def _quoted_at(customer, total_minor: int) -> Cart:
    """The cart's real quote, locked at a price of `total_minor` (as a cheap product would be quoted)."""
    quote = checkout.cart_quote(customer=customer).quote
    assert quote is not None
    line = dataclasses.replace(quote.lines[0], total_minor=total_minor)
    cheap = dataclasses.replace(quote, total_minor=total_minor, lines=(line,))
    cart = Cart.objects.get(customer=customer)
    return cart_quote_store(customer=customer, quote=cheap, fingerprint=cart_fingerprint(cart))


def _nothing_written(customer) -> None:
    assert not Order.objects.filter(customer=customer).exists()
    assert not OrderPayment.objects.exists()
    assert not StripeWrite.objects.filter(operation="payment_intent.create").exists()


def test_checkout_refuses_an_order_below_stripes_minimum(table, customer):
    fill_cart(customer, (table.current_version, 1))
    cart = _quoted_at(customer, 49)  # EUR: Stripe's minimum is €0.50
    with pytest.raises(CheckoutError) as refused:
        checkout.checkout_place(
            customer=customer,
            checkout_key=cart.checkout_key,
            seen_total_minor=49,
            seen_delivery_date=cart.quote_delivery_date,
        )
    assert "€0.50" in str(refused.value) and "€0.49" in str(refused.value)
    assert refused.value.field_errors.keys() == {"expected_total_minor"}
    _nothing_written(customer)
    cart = _quoted_at(customer, 50)  # the minimum itself is fine
    result = checkout.checkout_place(
        customer=customer,
        checkout_key=cart.checkout_key,
        seen_total_minor=50,
        seen_delivery_date=cart.quote_delivery_date,
    )
    assert result.order.total_minor == 50 and result.order.payment_intent_id


def test_checkout_page_shows_the_minimum_inline(signed_in, table, customer):
    fill_cart(customer, (table.current_version, 1))
    cart = _quoted_at(customer, 30)
    response = signed_in.post(
        "/checkout/",
        {
            "checkout_key": str(cart.checkout_key),
            "seen_total_minor": 30,
            "seen_delivery_date": cart.quote_delivery_date.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The smallest order we can take payment for is €0.50" in response.content.decode()
    _nothing_written(customer)


def test_order_api_answers_400_by_field_below_the_minimum(client_a, table, customer):
    client_a.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token_for(customer)}"
    fill_cart(customer, (table.current_version, 1))
    cart = _quoted_at(customer, 10)
    response = client_a.post(
        "/api/v1/orders/",
        {
            "checkout_key": str(cart.checkout_key),
            "expected_total_minor": 10,
            "expected_delivery_date": cart.quote_delivery_date.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "€0.50" in response.json()["expected_total_minor"][0]
    _nothing_written(customer)
