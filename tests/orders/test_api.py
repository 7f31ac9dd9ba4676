"""The cart and order API: the same flow as the pages, 400 with field messages on bad input, 409 when the
quote changed, and 404 for another customer's or another network's order on every endpoint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate
from apps.orders.models import Cart, Order, RefundRequest
from apps.orders.status import OrderStatus
from tests.conftest import api_token_for
from tests.orders.conftest import design_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_a, customer, tenant_a, in_tenant_a):
    """Alpha's client authenticated by the customer's API token."""
    token = api_token_for(customer)
    client_a.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client_a


def _fill(api, version) -> dict:
    assert (
        api.post(
            "/api/v1/cart/lines/",
            {"design_version": str(version.pk), "quantity": 2},
            content_type="application/json",
        ).status_code
        == 201
    )
    response = api.put(
        "/api/v1/cart/",
        {
            "recipient_name": "Ada",
            "recipient_phone": "+31 6 1234 5678",
            "address_line": "Oudegracht 1",
            "postcode": "3511 AB",
            "city": "Utrecht",
            "country": "NL",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    quoted = api.post("/api/v1/cart/quote/")
    assert quoted.status_code == 200, quoted.json()
    return quoted.json()


def _create(api, cart: dict):
    return api.post(
        "/api/v1/orders/",
        {
            "checkout_key": cart["checkout_key"],
            "expected_total_minor": cart["quote"]["total_minor"],
            "expected_delivery_date": cart["quote"]["delivery_date"],
        },
        content_type="application/json",
    )


def test_cart_to_paid_order_through_the_api(api, table):
    cart = _fill(api, table.current_version)
    assert cart["lines"][0]["quantity"] == 2 and cart["quote"]["total_minor"] > 0
    created = _create(api, cart)
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["status"] == "awaiting_payment" and order["payment"]["client_secret"]
    assert order["actions"] == ["cancel", "pay"]  # apps.orders.actions, as the order page shows them
    assert order["lines"][0]["design_version"] == str(table.current_version.pk)
    # The recipient's phone travels from the cart to the order, for the last leg's driver.
    assert cart["recipient_phone"] == order["recipient_phone"] == "+31 6 1234 5678"
    again = _create(api, cart)
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    declined = api.post(
        f"/api/v1/orders/{order['id']}/pay/",
        {"payment_method": "pm_card_chargeDeclined"},
        content_type="application/json",
    )
    assert declined.status_code == 402 and declined.json()["status"] == "awaiting_payment"
    paid = api.post(
        f"/api/v1/orders/{order['id']}/pay/",
        {"payment_method": "pm_card_visa"},
        content_type="application/json",
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    detail = api.get(f"/api/v1/orders/{order['id']}/").json()
    assert [e["to_status"] for e in detail["events"] if e["kind"] == "status"] == ["awaiting_payment", "paid"]
    assert detail["plan"] == {"work_items": [], "transport_legs": []}
    listed = api.get("/api/v1/orders/").json()
    assert [o["id"] for o in listed["results"]] == [order["id"]]


def test_bad_input_gets_field_messages(api, table):
    response = api.post(
        "/api/v1/cart/lines/",
        {"design_version": "not-a-uuid", "quantity": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"design_version", "quantity"}
    response = api.put(
        "/api/v1/cart/",
        {"recipient_name": "", "address_line": "x", "city": "Nowhere"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "recipient_name" in response.json()
    response = api.put(
        "/api/v1/cart/",
        {"recipient_name": "Ada", "address_line": "x", "city": "Nowhere"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["city"] == [
        "We could not find “Nowhere” in Netherlands. Check the spelling, or give the nearest town."
    ]
    response = api.post("/api/v1/orders/", {"checkout_key": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert {"checkout_key", "expected_total_minor", "expected_delivery_date"} <= set(response.json())
    response = api.post("/api/v1/cart/quote/")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_quote_changed_answers_409_with_the_new_terms(api, table, customer):
    cart = _fill(api, table.current_version)
    Cart.objects.filter(customer=customer).update(quote_expires_at=timezone.now())
    ProductTemplate.objects.filter(slug="dining-table").update(margin_percent=95)
    response = _create(api, cart)
    assert response.status_code == 409
    assert response.json()["quote"]["total_minor"] > cart["quote"]["total_minor"]
    assert not Order.objects.filter(customer=customer).exists()


def test_another_customers_design_cannot_go_in_my_cart(api, network_a, other_customer):
    theirs = design_for(other_customer, network_a["dining-table"], "Theirs")
    response = api.post(
        "/api/v1/cart/lines/",
        {"design_version": str(theirs.current_version.pk)},
        content_type="application/json",
    )
    assert response.status_code == 400 and "design_version" in response.json()


def test_cancel_and_refund_request_endpoints(api, paid):
    assert (
        api.post(
            f"/api/v1/orders/{paid.pk}/refund-request/", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 409
    )
    cancelled = api.post(
        f"/api/v1/orders/{paid.pk}/cancel/", {"reason": "Oops"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["refunded_minor"] == paid.total_minor
    assert (
        api.post(f"/api/v1/orders/{paid.pk}/cancel/", {}, content_type="application/json").status_code == 409
    )


def test_refund_request_endpoint_after_delivery(api, paid):
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    bad = api.post(
        f"/api/v1/orders/{paid.pk}/refund-request/",
        {"reason": "Broken", "amount_minor": paid.total_minor + 5},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "amount_minor" in bad.json()
    ok = api.post(
        f"/api/v1/orders/{paid.pk}/refund-request/",
        {"reason": "Broken", "amount_minor": 500},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert RefundRequest.objects.get(order=paid).amount_minor == 500


ENDPOINTS = [
    ("get", "/api/v1/orders/{pk}/"),
    ("post", "/api/v1/orders/{pk}/pay/"),
    ("post", "/api/v1/orders/{pk}/cancel/"),
    ("post", "/api/v1/orders/{pk}/refund-request/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_another_customers_order_is_404(client_a, awaiting, other_customer, method, url):
    token = api_token_for(other_customer)
    response = getattr(client_a, method)(
        url.format(pk=awaiting.pk),
        {"payment_method": "pm_card_visa", "reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 404
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_an_order_of_another_network_is_404(client_b, tenant_a, tenant_b, make_user, awaiting, method, url):
    from django_tenants.utils import schema_context

    stranger = make_user(tenant_b, Role.CUSTOMER)
    with schema_context(tenant_b.schema_name):
        token = api_token_for(stranger)
    response = getattr(client_b, method)(
        url.format(pk=awaiting.pk),
        {"payment_method": "pm_card_visa", "reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 404
    connection.set_tenant(tenant_a)
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.AWAITING_PAYMENT


def test_another_customers_cart_line_is_404(client_a, table, customer, other_customer):
    from tests.orders.conftest import fill_cart

    fill_cart(customer, (table.current_version, 1))
    line = Cart.objects.get(customer=customer).lines.get()
    token = api_token_for(other_customer)
    response = client_a.delete(f"/api/v1/cart/lines/{line.pk}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404
    assert Cart.objects.get(customer=customer).lines.count() == 1


def test_anonymous_gets_401(client_a, in_tenant_a):
    """No credentials is 401 with the token scheme's challenge, not 403."""
    for url in ("/api/v1/orders/", "/api/v1/cart/"):
        response = client_a.get(url)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Token")


def test_removing_a_cart_line_answers_204_as_documented(client_a, table, customer):
    """DELETE was documented as 204 No Content and answered 200 with the cart."""
    from tests.orders.conftest import fill_cart

    fill_cart(customer, (table.current_version, 1))
    line = Cart.objects.get(customer=customer).lines.get()
    token = api_token_for(customer)
    response = client_a.delete(f"/api/v1/cart/lines/{line.pk}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Cart.objects.get(customer=customer).lines.exists()
