"""Carrier legs: where from and to as a driver needs them (addresses, whom to ask for, a phone number to tap; the
customer's recipient and street only on a last-mile leg still to deliver; never coordinates), when, what and how
heavy; today's and tomorrow's pick-ups first, overdue legs flagged, delivered legs a page at a time; pick-up,
then delivery with proof. Out of order → a clear error and nothing changed."""

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone
from django.utils.html import escape
from django_tenants.utils import schema_context

from apps.orders.models import OrderEvent, TransportLeg
from apps.orders.scope import Scope
from apps.orders.services import work_item_accept
from apps.payouts.selectors import statement_for_leg
from apps.portal.legs import DELIVERED_PER_PAGE
from tests.conftest import sign_in
from tests.portal.jobs.builders import big_png, fresh, not_an_image, png, png_bomb

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(leg, action: str = "") -> str:
    return f"/portal/carrier/legs/{leg.pk}/{action + '/' if action else ''}"


def stored(tenant, leg) -> TransportLeg:
    with schema_context(tenant.schema_name):
        return fresh(leg)


def test_the_board_lists_the_carriers_own_legs_to_pick_up(carrier_portal, plan_a):
    page = carrier_portal.get("/portal/carrier/legs/").content.decode()
    tomorrow = page[page.index('id="tomorrow-title"') : page.index('id="onboard-title"')]
    assert url(plan_a.leg) in tomorrow and "42.50 kg" in tomorrow
    assert url(plan_a.other_leg) not in page  # another carrier's leg of the same order
    # The last mile is still to deliver: the driver sees whom it is for and where.
    assert "Ada Lovelace" in tomorrow and "Oudegracht 1, 3511 AB Utrecht" in tomorrow


def test_the_leg_page_shows_route_window_parts_weight_and_pay(carrier_portal, made_a, tenant_a, supplier_a):
    plan_a = made_a
    page = carrier_portal.get(url(plan_a.leg)).content.decode()
    with schema_context(tenant_a.schema_name):
        statement = statement_for_leg(fresh(plan_a.leg))
    owner = supplier_a.company
    assert (
        f"<strong>{escape(owner.name)}</strong><br>{escape(owner.street)}, {owner.postal_code} {owner.city}"
        in page
    )
    assert f"ask for {escape(owner.contact_name)}" in page
    assert str(owner.latitude) not in page and "52.090700" not in page  # addresses, not coordinates
    assert (
        "<strong>Customer</strong><br>Oudegracht 1, 3511 AB Utrecht" in page
        and "ask for Ada Lovelace" in page
    )
    assert "finished product (1 pc) for 1 × Kitchen table" in page
    assert "42.50 kg" in page and "48.2 km" in page
    assert str(statement.part_amount) in page and all(escape(line) in page for line in statement.lines)
    assert (
        "I have picked it up" in page and "delivery-form" not in page and "Not ready to pick up" not in page
    )


def test_a_leg_whose_part_is_not_made_yet_says_so_and_refuses_the_pick_up(carrier_portal, plan_a, tenant_a):
    """The report: a leg whose source job was only accepted showed the button and took the pick-up."""
    with schema_context(tenant_a.schema_name):
        work_item_accept(work_item_id=plan_a.mine.pk, actor=None, scope=Scope.SYSTEM)
    waiting = "Waiting for &#x27;Table top&#x27; (accepted)."
    page = carrier_portal.get(url(plan_a.leg)).content.decode()
    assert "Not ready to pick up" in page and waiting in page and "I have picked it up" not in page
    board = carrier_portal.get("/portal/carrier/legs/").content.decode()
    assert waiting in board[board.index('id="today-title"') : board.index('id="onboard-title"')]
    for headers in ({}, HTMX):
        refused = carrier_portal.post(url(plan_a.leg, "pick-up"), **headers)
        body = refused.content.decode()
        assert refused.status_code == 409 and f"Could not confirm the pick-up: {waiting}" in body
        assert "Nothing was changed." in body
    leg = stored(tenant_a, plan_a.leg)
    assert leg.status == "planned" and leg.picked_up_at is None
    with schema_context(tenant_a.schema_name):
        assert not OrderEvent.objects.filter(transport_leg=leg).exists()


def test_delivering_before_the_pick_up_is_refused(carrier_portal, plan_a, tenant_a):
    response = carrier_portal.post(url(plan_a.leg, "deliver"), {"pod-receiver_name": "Ada"})
    page = response.content.decode()
    assert response.status_code == 409 and "Could not confirm the delivery: This leg is planned." in page
    assert "Nothing was changed." in page
    leg = stored(tenant_a, plan_a.leg)
    assert leg.status == "planned" and leg.delivered_at is None and leg.receiver_name == ""


def test_pick_up_then_deliver_with_proof(carrier_portal, made_a, tenant_a, carrier_a):
    plan_a = made_a
    response = carrier_portal.post(url(plan_a.leg, "pick-up"))
    assert response.status_code == 302 and response["Location"] == url(plan_a.leg)
    leg = stored(tenant_a, plan_a.leg)
    assert leg.status == "picked_up" and leg.picked_up_at is not None
    again = carrier_portal.post(url(plan_a.leg, "pick-up"))
    assert again.status_code == 409 and "This leg is picked up." in again.content.decode()
    delivered = carrier_portal.post(
        url(plan_a.leg, "deliver"),
        {"pod-receiver_name": "J. de Vries", "pod-photo": png(name="door.png")},
        follow=True,
    )
    assert delivered.status_code == 200 and b"Delivery confirmed." in delivered.content
    assert b"received by J. de Vries" in delivered.content
    with schema_context(tenant_a.schema_name):
        leg = fresh(plan_a.leg)
        assert leg.status == "delivered" and leg.receiver_name == "J. de Vries"
        assert leg.proof_photo.name.startswith("proof-of-delivery/")
        events = list(
            OrderEvent.objects.filter(transport_leg=leg, actor=carrier_a.user)
            .order_by("created_at", "id")
            .values_list("to_status", "reason")
        )
    assert [to for to, _ in events] == ["booked", "picked_up", "delivered"]
    assert "J. de Vries" in events[-1][1]


def test_the_receiver_is_required_and_kept_with_a_bad_photo(carrier_portal, made_a, tenant_a):
    plan_a = made_a
    carrier_portal.post(url(plan_a.leg, "pick-up"))
    nobody = carrier_portal.post(url(plan_a.leg, "deliver"), {"pod-receiver_name": "  "})
    assert nobody.status_code == 400 and 'id="id_pod-receiver_name_error"' in nobody.content.decode()
    for photo, error in [
        (not_an_image, "This file is not a readable image."),
        (big_png, "at most 5 MB"),
        (png_bomb, "at most 40 megapixels"),
        (partial(png_bomb, 9000, 9000), "at most 40 megapixels"),
    ]:
        response = carrier_portal.post(
            url(plan_a.leg, "deliver"), {"pod-receiver_name": "J. de Vries", "pod-photo": photo()}
        )
        page = response.content.decode()
        assert response.status_code == 400 and error in page and 'id="id_pod-photo_error"' in page
        assert 'value="J. de Vries"' in page
    leg = stored(tenant_a, plan_a.leg)
    assert leg.status == "picked_up" and not leg.proof_photo and leg.receiver_name == ""


def test_htmx_pick_up_swaps_the_leg_card(carrier_portal, made_a):
    plan_a = made_a
    response = carrier_portal.post(url(plan_a.leg, "pick-up"), **HTMX)
    body = response.content.decode()
    assert (
        response.status_code == 200 and body.lstrip().startswith('<div id="leg-card"') and "<html" not in body
    )
    assert "Pick-up confirmed." in body and 'id="delivery-form"' in body
    refused = carrier_portal.post(url(plan_a.leg, "pick-up"), **HTMX)
    assert refused.status_code == 409 and refused.content.decode().lstrip().startswith('<div id="leg-card"')


def test_another_carriers_leg_is_404(carrier_portal, plan_a, tenant_a):
    assert carrier_portal.get(url(plan_a.other_leg)).status_code == 404
    assert carrier_portal.post(url(plan_a.other_leg, "pick-up")).status_code == 404
    assert (
        carrier_portal.post(url(plan_a.other_leg, "deliver"), {"pod-receiver_name": "x"}).status_code == 404
    )
    assert stored(tenant_a, plan_a.other_leg).status == "planned"


def test_suppliers_strangers_and_anonymous_visitors_get_no_legs(
    client_a, tenant_a, plan_a, supplier_a, make_user
):
    pages = ["/portal/carrier/legs/", url(plan_a.leg)]
    for page in pages:
        assert client_a.get(page)["Location"].startswith("/accounts/login/")
    for user in (supplier_a.user, make_user(tenant_a)):
        sign_in(client_a, tenant_a, user)
        for page in pages:
            assert client_a.get(page).status_code == 404, page
        assert client_a.post(url(plan_a.leg, "pick-up")).status_code == 404
    assert stored(tenant_a, plan_a.leg).status == "planned"


def test_other_networks_never_see_alphas_legs(client_b, tenant_b, plan_a, carrier_b):
    sign_in(client_b, tenant_b, carrier_b.user)
    with schema_context(tenant_b.schema_name):
        assert not TransportLeg.objects.filter(pk=plan_a.leg.pk).exists()
    assert client_b.get(url(plan_a.leg)).status_code == 404
    assert client_b.post(url(plan_a.leg, "pick-up")).status_code == 404
    assert plan_a.order.reference.encode() not in client_b.get("/portal/carrier/legs/").content


def test_after_delivery_the_customers_name_and_street_are_no_longer_shown(carrier_portal, made_a, tenant_a):
    plan_a = made_a
    carrier_portal.post(url(plan_a.leg, "pick-up"))
    carrier_portal.post(url(plan_a.leg, "deliver"), {"pod-receiver_name": "J. de Vries"})
    assert stored(tenant_a, plan_a.leg).status == "delivered"
    for page in (carrier_portal.get(url(plan_a.leg)), carrier_portal.get("/portal/carrier/legs/")):
        body = page.content.decode()
        assert "Oudegracht" not in body and "Ada Lovelace" not in body and "Utrecht" in body


def test_the_recipients_phone_is_shown_to_the_driver_only_until_delivery(carrier_portal, made_a, tenant_a):
    plan_a = made_a
    with schema_context(tenant_a.schema_name):
        type(plan_a.order).objects.filter(pk=plan_a.order.pk).update(recipient_phone="+31 6 1234 5678")
    call = '<a href="tel:+31612345678">+31 6 1234 5678</a>'
    assert call in carrier_portal.get(url(plan_a.leg)).content.decode()
    carrier_portal.post(url(plan_a.leg, "pick-up"))
    carrier_portal.post(url(plan_a.leg, "deliver"), {"pod-receiver_name": "J. de Vries"})
    assert stored(tenant_a, plan_a.leg).status == "delivered"
    assert "1234 5678" not in carrier_portal.get(url(plan_a.leg)).content.decode()


def test_a_workshop_phone_number_is_a_link_a_phone_can_call(carrier_portal, plan_a, supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        type(supplier_a.company).objects.filter(pk=supplier_a.company.pk).update(phone="+31 (0)30 123 45 67")
    page = carrier_portal.get(url(plan_a.leg)).content.decode()
    assert '<a href="tel:+310301234567">+31 (0)30 123 45 67</a>' in page


def test_overdue_legs_are_flagged_and_lead_the_day(carrier_portal, plan_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        TransportLeg.objects.filter(pk=plan_a.leg.pk).update(
            planned_departure=timezone.now() - timedelta(days=2),
            planned_arrival=timezone.now() - timedelta(days=2) + timedelta(hours=3),
        )
    board = carrier_portal.get("/portal/carrier/legs/").content.decode()
    today = board[board.index('id="today-title"') : board.index('id="tomorrow-title"')]
    assert url(plan_a.leg) in today and "overdue" in today and "1 leg overdue" in board
    dashboard = carrier_portal.get("/portal/carrier/").content.decode()
    first = dashboard[dashboard.index('id="next-pickups"') :]
    assert url(plan_a.leg) in first and first.index(url(plan_a.leg)) < first.index("Your rate card")


def test_delivered_legs_come_a_page_at_a_time(carrier_portal, plan_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        leg = TransportLeg.objects.get(pk=plan_a.leg.pk)
        delivered_at = timezone.now()
        clones = []
        for n in range(DELIVERED_PER_PAGE + 1):
            leg.pk = None
            leg.status = "delivered"
            leg.delivered_at = delivered_at - timedelta(minutes=n)
            leg.save()
            clones.append(leg.pk)
    first = carrier_portal.get("/portal/carrier/legs/").content.decode()
    assert "Page 1 of 2" in first and url(TransportLeg(pk=clones[0])) in first
    assert url(TransportLeg(pk=clones[-1])) not in first
    second = carrier_portal.get("/portal/carrier/legs/?page=2").content.decode()
    assert url(TransportLeg(pk=clones[-1])) in second and "Page 2 of 2" in second
