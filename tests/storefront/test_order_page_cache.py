"""The customer's order page is kept whole in the cache under a fingerprint of every row it shows
(apps/storefront/order_page.py): each kind of row, changed by a queryset update() (no service, no updated_at, no
signal), shows on the very next request; what time alone changes (the chart's now line, the refund deadline)
shows once it has changed; the kept page is only its customer's, on its network, with each request's CSRF token.

Every test asks for the page first, so the change is judged against a kept body: a key missing any of these rows
would serve the old page and fail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.accounts.roles import Role
from apps.designers.models import ProductReview
from apps.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    RefundRequest,
    RefundRequestStatus,
    TransportLeg,
    WorkItem,
)
from apps.orders.selectors import order_settings_get
from apps.orders.status import OrderStatus
from apps.suppliers.models import AssetOwner, Carrier
from tests.conftest import host_of, sign_in

pytestmark = pytest.mark.django_db


def _page(client, order: Order, **headers) -> str:
    response = client.get(f"/orders/{order.pk}/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def _kept(client, order: Order) -> str:
    """The page asked twice: the second answer comes from the kept body."""
    _page(client, order)
    return _page(client, order)


def test_the_orders_own_row(signed_in, planned):
    assert "Ada Lovelace" in _kept(signed_in, planned)
    Order.objects.filter(pk=planned.pk).update(recipient_name="Grace Hopper")
    body = _page(signed_in, planned)
    assert "Grace Hopper" in body and "Ada Lovelace" not in body


def test_a_line(signed_in, planned):
    assert "Kitchen table" in _kept(signed_in, planned)
    OrderLine.objects.filter(order=planned).update(description="Garden bench")
    body = _page(signed_in, planned)
    assert "Garden bench" in body and "Kitchen table" not in body


def test_a_review_of_a_delivered_line(signed_in, planned, customer):
    Order.objects.filter(pk=planned.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    assert "Rate and review" in _kept(signed_in, planned)
    line = OrderLine.objects.select_related("design_version__design").get(order=planned)
    ProductReview.objects.create(
        order_line=line, author=customer, template_id=line.design_version.design.template_id, rating=5
    )
    assert "Rate and review" not in _page(signed_in, planned)


def test_a_visible_event_and_one_hidden_later(signed_in, planned):
    _kept(signed_in, planned)
    OrderEvent.objects.create(order=planned, kind="note", reason="The oak arrived a day early.")
    assert "The oak arrived a day early." in _page(signed_in, planned)
    OrderEvent.objects.filter(order=planned, reason="The oak arrived a day early.").update(
        customer_visible=False
    )
    assert "The oak arrived a day early." not in _page(signed_in, planned)


def test_a_jobs_state_and_its_workshops_name(signed_in, planned):
    item = planned.work_items.order_by("planned_start").first()
    _kept(signed_in, planned)
    WorkItem.objects.filter(pk=item.pk).update(status="in_progress")
    row = _page(signed_in, planned).split(f'id="plan-job-{item.pk}"')[1]
    assert "In progress" in row[: row.index("</tr>")]
    AssetOwner.objects.filter(pk=item.asset_owner_id).update(name="Renamed Works")
    assert "Renamed Works" in _page(signed_in, planned)


def test_a_legs_state_and_its_carriers_name(signed_in, planned):
    leg = planned.transport_legs.exclude(carrier=None).order_by("pk").first()
    _kept(signed_in, planned)
    Carrier.objects.filter(pk=leg.carrier_id).update(name="Swift Haulage")
    assert "Swift Haulage" in _page(signed_in, planned)
    before = _page(signed_in, planned).count(">Picked up<")
    TransportLeg.objects.filter(pk=leg.pk).update(status="picked_up")
    assert _page(signed_in, planned).count(">Picked up<") == before + 1


def test_a_refund_request_and_the_refund_window(signed_in, planned, customer):
    Order.objects.filter(pk=planned.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    body = _kept(signed_in, planned)
    assert "Ask for a refund" in body and "being reviewed" not in body
    until = re.search(r"until ([^<]+)</span>", body).group(1)
    OrderSettings.objects.update(refund_window_days=order_settings_get().refund_window_days + 3)
    later = re.search(r"until ([^<]+)</span>", _page(signed_in, planned)).group(1)
    assert later != until
    RefundRequest.objects.create(
        order=planned, requested_by=customer, reason="Dent", amount_minor=100, status=RefundRequestStatus.OPEN
    )
    assert "Your refund request is being reviewed." in _page(signed_in, planned)


def test_the_refund_button_goes_when_the_window_closes_with_time_alone(signed_in, planned):
    window = order_settings_get().refund_window_days
    delivered = timezone.now() - timedelta(days=window - 1)
    Order.objects.filter(pk=planned.pk).update(status=OrderStatus.DELIVERED, delivered_at=delivered)
    assert "Ask for a refund" in _kept(signed_in, planned)
    with time_machine.travel(delivered + timedelta(days=window, minutes=1), tick=False):
        assert "Ask for a refund" not in _page(signed_in, planned)


def _now_line(body: str) -> str | None:
    found = re.search(r'<line class="[^"]*marker-now[^"]*" x1="([\d.]+)"', body)
    return found.group(1) if found else None


def test_the_charts_now_line_moves_with_time_alone(signed_in, planned):
    first = planned.work_items.order_by("planned_start").first().planned_start
    with time_machine.travel(first + timedelta(hours=1), tick=False):
        at_first = _kept(signed_in, planned)
    with time_machine.travel(first + timedelta(hours=3), tick=False):
        later = _page(signed_in, planned)
    assert "marker-now" in at_first and "marker-now" in later
    assert _now_line(at_first) != _now_line(later), (_now_line(at_first), _now_line(later))


def test_the_live_part_and_the_page_are_kept_apart(signed_in, planned):
    _kept(signed_in, planned)
    live = _page(signed_in, planned, HTTP_HX_REQUEST="true")
    assert live.lstrip().startswith('<div id="order-live"') and "<html" not in live
    assert "<html" in _page(signed_in, planned)


def test_another_customer_and_another_network_never_get_the_kept_page(
    signed_in, planned, tenant_a, tenant_b, other_customer, make_user
):
    _kept(signed_in, planned)
    other = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, other_customer)
    assert other.get(f"/orders/{planned.pk}/").status_code == 404
    stranger = sign_in(Client(HTTP_HOST=host_of(tenant_b)), tenant_b, make_user(tenant_b, Role.CUSTOMER))
    assert stranger.get(f"/orders/{planned.pk}/").status_code == 404


def test_each_response_carries_its_own_sessions_csrf_token(tenant_a, customer, paid):
    """The kept body has a slot for the token: a second browser of the same customer gets the kept body with a
    token that its own session accepts (the cancel form posts)."""
    first = sign_in(Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True), tenant_a, customer)
    _kept(first, paid)
    second = sign_in(Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True), tenant_a, customer)
    body = _page(second, paid)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert token != "csrf-slot"
    response = second.post(f"/orders/{paid.pk}/cancel/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.CANCELLED


# --- the order list: kept under the fingerprint of the customer's orders and their lines ---------------------


def _list(client) -> str:
    response = client.get("/orders/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_an_orders_new_values_and_line_count_on_the_next_request(signed_in, paid):
    _list(signed_in)
    assert "1 design<" in _list(signed_in)
    Order.objects.filter(pk=paid.pk).update(refunded_minor=100)
    assert "refunded)" in _list(signed_in)
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    assert "delivered " in _list(signed_in)
    line = OrderLine.objects.get(order=paid)
    line.pk, line.position = None, line.position + 1
    line.save()
    assert "2 designs<" in _list(signed_in)


def test_the_lists_first_order_shows_on_the_next_request(signed_in, customer, table):
    from tests.orders.conftest import place_order

    _list(signed_in)
    assert "No orders yet" in _list(signed_in)
    order = place_order(customer, (table.current_version, 1))
    body = _list(signed_in)
    assert order.reference in body and "No orders yet" not in body
