"""The customer's pages: cart, checkout, pay (local card form), order list and order page with its live fragment,
cancel and refund request — and every one of them is a 404 for another customer and on another network."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog.models import ProductTemplate
from apps.core.when import format_span
from apps.orders.models import Cart, Order, OrderEvent, RefundRequest, WorkItem
from apps.orders.status import OrderStatus
from tests.conftest import sign_in
from tests.orders.conftest import design_for, fill_cart, pay, place_order, tomorrow_morning

pytestmark = pytest.mark.django_db


def _quote_through_pages(client) -> dict:
    response = client.post("/cart/quote/")
    assert response.status_code == 302, response.content[:500]
    page = client.get("/cart/")
    cart = page.context["cart"]
    return {
        "checkout_key": str(cart.checkout_key),
        "seen_total_minor": cart.quote_total_minor,
        "seen_delivery_date": cart.quote_delivery_date.isoformat(),
    }


def test_the_whole_checkout_through_the_pages(signed_in, table, customer):
    response = signed_in.post(
        "/cart/add/", {"design_version": str(table.current_version.pk), "quantity": "2"}
    )
    assert response.status_code == 302
    response = signed_in.post(
        "/cart/address/",
        {
            "recipient_name": "Ada",
            "address_line": "Oudegracht 1",
            "postcode": "3511 AB",
            "city": "Utrecht",
            "country": "NL",
        },
    )
    assert response.status_code == 302
    page = signed_in.get("/cart/")
    assert b"Kitchen table" in page.content and b"Place order and pay" in page.content, "quoted on sight"
    form = _quote_through_pages(signed_in)
    page = signed_in.get("/cart/")
    assert b"Place order and pay" in page.content
    response = signed_in.post("/checkout/", form)
    assert response.status_code == 302
    order = Order.objects.get(customer=customer)
    assert response["Location"] == f"/orders/{order.pk}/pay/"
    pay_page = signed_in.get(f"/orders/{order.pk}/pay/")
    assert pay_page.status_code == 200 and b"4242 4242 4242 4242" in pay_page.content
    # Double submit of the same checkout form: the same order.
    assert signed_in.post("/checkout/", form)["Location"] == f"/orders/{order.pk}/pay/"
    assert Order.objects.filter(customer=customer).count() == 1
    declined = signed_in.post(
        f"/orders/{order.pk}/pay/", {"card_number": "4000 0000 0000 0002", "expiry": "12/34", "cvc": "123"}
    )
    assert declined.status_code == 402 and b"declined" in declined.content
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    paid = signed_in.post(
        f"/orders/{order.pk}/pay/", {"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
    )
    assert paid.status_code == 302 and paid["Location"] == f"/orders/{order.pk}/"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    detail = signed_in.get(f"/orders/{order.pk}/")
    assert b"Payment received" in detail.content and order.reference.encode() in detail.content


def test_unknown_card_numbers_get_a_field_error(signed_in, awaiting):
    response = signed_in.post(
        f"/orders/{awaiting.pk}/pay/", {"card_number": "1234 5678 9012 3456", "expiry": "12/34", "cvc": "123"}
    )
    assert response.status_code == 400
    assert "card_number" in response.context["form"].errors


def test_a_typed_address_is_located_and_an_unknown_town_is_said_inline(signed_in, table, customer):
    """Nobody types coordinates: the town is looked up. An unknown town is an inline message on the town field,
    with everything typed kept; a known one (any case, accents or a common other name) is saved with its
    coordinates."""
    signed_in.post("/cart/add/", {"design_version": str(table.current_version.pk)})
    page = signed_in.get("/cart/").content.decode()
    assert 'name="latitude"' not in page and 'name="longitude"' not in page and 'name="city"' in page
    typed = {
        "recipient_name": "Ada",
        "address_line": "Dorpsstraat 3",
        "postcode": "9999 ZZ",
        "city": "Ergensniet",
        "country": "NL",
    }
    response = signed_in.post("/cart/address/", typed)
    assert response.status_code == 400
    assert response.context["address_form"].errors["city"] == [
        "We could not find “Ergensniet” in Netherlands. Check the spelling, or give the nearest town."
    ]
    content = response.content.decode()
    assert (
        'value="Dorpsstraat 3"' in content
        and 'value="9999 ZZ"' in content
        and 'value="Ergensniet"' in content
    )
    assert not Cart.objects.get(customer=customer).has_coordinates

    response = signed_in.post("/cart/address/", {**typed, "city": "den haag"})
    assert response.status_code == 302
    cart = Cart.objects.get(customer=customer)
    assert (cart.city, cart.country, cart.postcode) == ("den haag", "NL", "9999 ZZ")
    assert abs(float(cart.latitude) - 52.08) < 0.05 and abs(float(cart.longitude) - 4.30) < 0.05


def test_price_change_before_paying_is_shown_on_the_cart_page(signed_in, table, customer):
    fill_cart(customer, (table.current_version, 1))
    form = _quote_through_pages(signed_in)
    Cart.objects.filter(customer=customer).update(quote_expires_at=timezone.now() - timedelta(seconds=1))
    ProductTemplate.objects.filter(slug="dining-table").update(margin_percent=90)
    response = signed_in.post("/checkout/", form)
    assert response.status_code == 409
    assert b"The quote changed before you paid" in response.content
    assert not Order.objects.filter(customer=customer).exists()


def test_cannot_add_another_customers_design(signed_in, network_a, other_customer):
    theirs = design_for(other_customer, network_a["dining-table"], "Not mine")
    response = signed_in.post("/cart/add/", {"design_version": str(theirs.current_version.pk)})
    assert response.status_code == 404


def test_order_page_shows_plan_gantt_timeline_and_eta(signed_in, planned):
    response = signed_in.get(f"/orders/{planned.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    owners = {item.asset_owner.name for item in planned.work_items.select_related("asset_owner")}
    assert '<svg class="gantt"' in body and all(name in body for name in owners)
    assert 'hx-trigger="every 15s"' in body  # planned: the workshops' pace
    expected_badge = "later than promised" if planned.is_late else "on time"
    assert "Expected arrival" in body and expected_badge in body
    assert "Payment received" in body


def test_live_fragment_is_only_the_partial(signed_in, planned):
    response = signed_in.get(f"/orders/{planned.pk}/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="order-live"') and "<html" not in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_order_list_shows_only_my_orders(signed_in, paid, other_customer, table):
    theirs = place_order(
        other_customer, (design_for(other_customer, table.template, "Theirs").current_version, 1)
    )
    body = signed_in.get("/orders/").content.decode()
    assert paid.reference in body and theirs.reference not in body


def test_cancel_from_the_order_page_refunds(signed_in, paid):
    response = signed_in.post(f"/orders/{paid.pk}/cancel/")
    assert response.status_code == 302
    order = Order.objects.get(pk=paid.pk)
    assert order.status == OrderStatus.CANCELLED and order.refunded_minor == order.total_minor


def test_refund_request_page(signed_in, paid):
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    assert b"Ask for a refund" in signed_in.get(f"/orders/{paid.pk}/").content
    response = signed_in.post(
        f"/orders/{paid.pk}/refund-request/", {"reason": "Scratched top", "amount": "10.00"}
    )
    assert response.status_code == 302
    request = RefundRequest.objects.get(order=paid)
    assert request.amount_minor == 1000 and request.reason == "Scratched top"
    bad = signed_in.post(f"/orders/{paid.pk}/refund-request/", {"reason": ""})
    assert bad.status_code == 400


def _delivered_in(order: Order, currency: str) -> None:
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=timezone.now(), currency=currency
    )


def test_refund_request_takes_three_decimals_for_kwd(signed_in, paid):
    """KWD has three decimals: 1.230 KWD is 1230 fils (the old form allowed only two decimals); Stripe refunds
    three-decimal amounts only when they end in 0, so 1.234 KWD is a field error (the old form took it)."""
    _delivered_in(paid, "KWD")
    refused = signed_in.post(f"/orders/{paid.pk}/refund-request/", {"reason": "Dent", "amount": "1.234"})
    assert refused.status_code == 400 and "steps of" in refused.context["form"].errors["amount"][0]
    assert not RefundRequest.objects.filter(order=paid).exists()
    response = signed_in.post(f"/orders/{paid.pk}/refund-request/", {"reason": "Dent", "amount": "1.230"})
    assert response.status_code == 302
    assert RefundRequest.objects.get(order=paid).amount_minor == 1230


def test_refund_request_refuses_decimals_for_jpy_instead_of_truncating(signed_in, paid):
    """JPY has no decimals: 1500.5 JPY is a field error, not a request for 1500 yen (the old code truncated)."""
    _delivered_in(paid, "JPY")
    response = signed_in.post(f"/orders/{paid.pk}/refund-request/", {"reason": "Dent", "amount": "1500.5"})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert not RefundRequest.objects.filter(order=paid).exists()
    whole = signed_in.post(f"/orders/{paid.pk}/refund-request/", {"reason": "Dent", "amount": "1500"})
    assert whole.status_code == 302
    assert RefundRequest.objects.get(order=paid).amount_minor == 1500


def test_pages_need_a_login(client_a, paid):
    for url in ("/cart/", "/orders/", f"/orders/{paid.pk}/", f"/orders/{paid.pk}/pay/"):
        response = client_a.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


ORDER_PAGES = [
    ("get", "/orders/{pk}/"),
    ("get", "/orders/{pk}/pay/"),
    ("post", "/orders/{pk}/pay/"),
    ("post", "/orders/{pk}/cancel/"),
    ("get", "/orders/{pk}/refund-request/"),
    ("post", "/orders/{pk}/refund-request/"),
]


@pytest.mark.parametrize(("method", "url"), ORDER_PAGES)
def test_another_customers_order_is_404_on_every_page(
    client_a, tenant_a, awaiting, other_customer, method, url
):
    sign_in(client_a, tenant_a, other_customer)
    response = getattr(client_a, method)(url.format(pk=awaiting.pk))
    assert response.status_code == 404
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize(("method", "url"), ORDER_PAGES)
def test_an_order_of_another_network_is_404_on_every_page(
    client_b, tenant_a, tenant_b, make_user, awaiting, method, url
):
    from apps.accounts.roles import Role

    stranger = make_user(tenant_b, Role.CUSTOMER)
    sign_in(client_b, tenant_b, stranger)
    response = getattr(client_b, method)(url.format(pk=awaiting.pk))
    assert response.status_code == 404
    connection.set_tenant(tenant_a)
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.AWAITING_PAYMENT


def test_another_customers_cart_line_is_404(client_a, tenant_a, table, customer, other_customer):
    fill_cart(customer, (table.current_version, 1))
    line = Cart.objects.get(customer=customer).lines.get()
    sign_in(client_a, tenant_a, other_customer)
    assert client_a.post(f"/cart/lines/{line.pk}/", {"quantity": "0"}).status_code == 404
    assert Cart.objects.get(customer=customer).lines.count() == 1


def _order_with_plan(customer, table, lines: int) -> Order:
    from apps.demo.orders import plan_apply_simple

    order = place_order(
        customer, *[(design_for(customer, table.template, f"T{i}").current_version, 1) for i in range(lines)]
    )
    pay(order)
    plan_apply_simple(Order.objects.get(pk=order.pk), start=tomorrow_morning())
    return Order.objects.get(pk=order.pk)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_order_page_query_count_is_constant_as_orders_and_items_grow(signed_in, customer, table):
    small = _order_with_plan(customer, table, lines=1)
    small_items = small.work_items.count()
    baseline = _queries(signed_in, f"/orders/{small.pk}/")
    list_baseline = _queries(signed_in, "/orders/")
    big = _order_with_plan(customer, table, lines=3)
    for _ in range(3):
        _order_with_plan(customer, table, lines=1)  # more orders in the network
    assert big.work_items.count() >= 3 * small_items and OrderEvent.objects.filter(order=big).count() > 10
    assert _queries(signed_in, f"/orders/{big.pk}/") == baseline
    assert _queries(signed_in, "/orders/") == list_baseline


def test_with_real_stripe_keys_the_pay_page_renders_the_payment_element(signed_in, awaiting):
    """The Payment Element cannot be exercised here (no network); the page must carry what it needs."""
    from apps.payouts import crypto
    from apps.payouts.models import StripeMode, StripeSettings
    from apps.payouts.stripe_client import stripe_settings_get

    stripe_settings_get()
    StripeSettings.objects.filter(pk=1).update(
        mode=StripeMode.STRIPE,
        publishable_key="pk_test_123",
        secret_key_encrypted=crypto.encrypt("sk_test_456"),
    )
    response = signed_in.get(f"/orders/{awaiting.pk}/pay/")
    body = response.content.decode()
    # No inline script (CSP): the keys travel in data attributes to static/js/stripe-payment.js.
    assert "https://js.stripe.com/v3/" in body and 'data-publishable-key="pk_test_123"' in body
    assert "js/stripe-payment.js" in body
    assert "https://js.stripe.com" in response["Content-Security-Policy"]
    client_secret = awaiting.payments.get().client_secret
    assert client_secret and client_secret in body
    assert 'name="card_number"' not in body


def test_the_page_asks_every_second_while_the_order_is_being_planned(signed_in, paid):
    """Paid and not planned yet: the live part polls every second, so the plan shows about a second after the
    matching run ends (it polled every 10 s before)."""
    body = signed_in.get(f"/orders/{paid.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in body


def test_the_plan_bars_carry_step_names_and_link_to_their_times(signed_in, planned):
    body = signed_in.get(f"/orders/{planned.pk}/").content.decode()
    for item in planned.work_items.all():
        assert f'href="#plan-job-{item.pk}"' in body and f'id="plan-job-{item.pk}"' in body
    assert body.count('class="bar-label') == planned.work_items.count()


def test_a_delivered_order_shows_when_it_arrived_on_the_page_and_in_the_api(signed_in, planned, customer):
    arrived = timezone.now() - timedelta(hours=3)
    Order.objects.filter(pk=planned.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=arrived, eta=timezone.now() + timedelta(days=2)
    )
    body = signed_in.get(f"/orders/{planned.pk}/").content.decode()
    live = body[body.index('id="order-eta"') :]
    assert (
        live.startswith('id="order-eta">delivered')
        and "marker-delivered" in body
        and "marker-eta" not in body
    )
    for url in (f"/api/v1/orders/{planned.pk}/", "/api/v1/orders/"):
        data = signed_in.get(url).json()
        row = data if "reference" in data else next(o for o in data["results"] if o["id"] == planned.pk)
        assert row["eta"] is None and row["delivered_at"] is not None


# --- cached fragments: a change shows on the next request ------------------------------------------------------


def test_a_job_moved_by_a_replan_shows_its_new_times_in_the_chart_on_the_next_request(signed_in, planned):
    """The plan's chart is kept in the cache by its content; moving a job is new content."""
    item = planned.work_items.order_by("planned_start").first()
    signed_in.get(f"/orders/{planned.pk}/")
    later = (item.planned_start + timedelta(hours=5), item.planned_end + timedelta(hours=5))
    WorkItem.objects.filter(pk=item.pk).update(planned_start=later[0], planned_end=later[1])
    body = signed_in.get(f"/orders/{planned.pk}/", HTTP_HX_REQUEST="true").content.decode()
    chart = body[body.index('<svg class="gantt"') : body.index("</svg>")]
    assert format_span(*later) in chart


def test_a_new_event_and_a_job_started_show_in_the_timeline_and_the_table_on_the_next_request(
    signed_in, planned
):
    """The timeline and the table of times are kept in the cache by their rows; a new event or a job's new state
    is new content."""
    item = planned.work_items.order_by("planned_start").first()
    signed_in.get(f"/orders/{planned.pk}/")
    OrderEvent.objects.create(order=planned, kind="note", reason="The oak arrived a day early.")
    WorkItem.objects.filter(pk=item.pk).update(status="in_progress")
    body = signed_in.get(f"/orders/{planned.pk}/", HTTP_HX_REQUEST="true").content.decode()
    timeline = body[body.index('id="order-timeline"') :]
    assert "The oak arrived a day early." in timeline
    row = body[body.index(f'id="plan-job-{item.pk}"') :]
    assert "In progress" in row[: row.index("</tr>")]


def test_an_order_whose_state_changed_shows_the_new_state_in_the_list_on_the_next_request(signed_in, paid):
    """The list's table is kept in the cache by its rows' values: a new state is a new entry."""
    assert "Paid" in signed_in.get("/orders/").content.decode()
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.CANCELLED)
    body = signed_in.get("/orders/").content.decode()
    assert ">Cancelled<" in body and ">Paid<" not in body


def test_two_customers_each_get_their_own_cached_table(signed_in, paid, other_customer, table, tenant_a):
    """Both tables are cached; each customer's page shows their orders only, however often it is asked."""
    theirs = place_order(
        other_customer, (design_for(other_customer, table.template, "Theirs").current_version, 1)
    )
    other = sign_in(Client(HTTP_HOST=f"{tenant_a.slug}.localhost"), tenant_a, other_customer)
    for _ in range(2):
        mine, their_page = signed_in.get("/orders/").content.decode(), other.get("/orders/").content.decode()
        assert paid.reference in mine and theirs.reference not in mine
        assert theirs.reference in their_page and paid.reference not in their_page
