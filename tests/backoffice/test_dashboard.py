"""The staff dashboard: SVG charts of orders by state, punctuality, lateness, utilisation and order value —
for the network's staff only; a customer gets a 404, another network's data never shows."""

from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.core.when import format_day, format_short_day
from apps.orders.models import Order, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import job_problem_resolve, work_item_problem_report
from apps.orders.status import OrderStatus
from apps.suppliers.models import Resource
from tests.backoffice.builders import failed_transfer
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tenant_a, make_user):
    return make_user(tenant_a, Role.STAFF)


def test_staff_see_charts_built_from_the_networks_orders(client_a, tenant_a, staff, planned):
    delivered = Order.objects.filter(pk=planned.pk)
    sign_in(client_a, tenant_a, staff)
    response = client_a.get("/backoffice/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") >= 5
    by_status = dict((bar.label, bar.value_label) for bar in response.context["status_chart"].bars)
    assert by_status["Planned"] == "1" and by_status["Delivered"] == "0"
    owner = planned.work_items.first().asset_owner.name
    owners = {bar.label: bar for bar in response.context["owner_chart"].bars}
    assert owners[owner].width > 0 and owners[owner].value_label.endswith(" h")
    value_chart = response.context["value_chart"]
    assert value_chart.points
    # The last day is today, read in the one date format (apps/core/when.py): "7 Dec" on the axis, in full on hover.
    today = timezone.localdate(timezone=ZoneInfo(tenant_a.time_zone))
    assert value_chart.x_ticks[-1][1] == format_short_day(today)
    assert value_chart.dots[-1][2].startswith(f"{format_day(today)}: ")
    # A delivered, late order shows up in punctuality.
    delivered.update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    Order.objects.filter(pk=planned.pk).update(
        promised_delivery_date=timezone.now().date() - timezone.timedelta(days=2)
    )
    again = client_a.get("/backoffice/")
    assert again.context["on_time"].delivered == 1 and again.context["on_time"].on_time == 0
    assert dict(again.context["on_time"].late_days)["2–3 days"] == 1


def test_a_customer_gets_404(client_a, tenant_a, make_user, in_tenant_a):
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert client_a.get("/backoffice/").status_code == 404


def test_anonymous_is_sent_to_login(client_a, in_tenant_a):
    response = client_a.get("/backoffice/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_networks_staff_see_only_their_own_orders(client_b, tenant_b, make_user, paid, tenant_a):
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.STAFF))
    with schema_context(tenant_b.schema_name):
        # Beta's own orders, whatever earlier tests committed there; alpha's paid order must not be among them.
        own = Counter(Order.objects.values_list("status", flat=True))
    response = client_b.get("/backoffice/")
    assert response.status_code == 200
    shown = {bar.label: int(bar.value_label) for bar in response.context["status_chart"].bars}
    assert shown == {status.label: own.get(status.value, 0) for status in OrderStatus}
    connection.set_tenant(tenant_a)


def test_staff_of_a_are_not_staff_on_b(client_b, tenant_a, tenant_b, staff, in_tenant_a):
    sign_in(client_b, tenant_a, staff)  # a session stored in a's schema means nothing on b's host
    response = client_b.get("/backoffice/")
    assert response.status_code == 302


# --- open problems from suppliers ---------------------------------------------------------------------------


def _card(body: str) -> str:
    start = body.index('id="open-problems"')
    return body[start : body.index("</section>", start)]


def test_the_open_problems_card_lists_open_problems_and_hides_resolved_ones(
    client_a, tenant_a, staff, planned
):
    first, second = planned.work_items.order_by("pk")[:2]
    open_one = work_item_problem_report(
        work_item_id=first.pk, actor=None, reason="Oak delivery is late", scope=Scope.SYSTEM
    )
    done_one = work_item_problem_report(
        work_item_id=second.pk, actor=None, reason="Paint ran out", scope=Scope.SYSTEM
    )
    job_problem_resolve(problem_id=done_one.pk, actor=staff, note="Paint bought")
    sign_in(client_a, tenant_a, staff)
    response = client_a.get("/backoffice/")
    card = _card(response.content.decode())
    assert "Oak delivery is late" in card and "Paint ran out" not in card
    assert f'<a href="/admin/orders/order/{planned.pk}/change/">{planned.reference}</a>' in card
    assert open_one.company_name in card and first.name in card and " ago" in card
    assert f"/admin/orders/jobproblem/{open_one.pk}/change/" in card
    assert response.context["problems_open"] == 1 and [p.pk for p in response.context["problems"]] == [
        open_one.pk
    ]
    connection.set_tenant(tenant_a)
    job_problem_resolve(problem_id=open_one.pk, actor=staff, note="Oak arrived")
    assert "No open problems." in _card(client_a.get("/backoffice/").content.decode())


def test_betas_dashboard_never_shows_alphas_problems(client_b, tenant_a, tenant_b, make_user, planned):
    work_item_problem_report(
        work_item_id=planned.work_items.first().pk,
        actor=None,
        reason="Alpha secret trouble",
        scope=Scope.SYSTEM,
    )
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.STAFF))
    response = client_b.get("/backoffice/")
    assert response.status_code == 200 and "Alpha secret trouble" not in response.content.decode()
    assert (
        planned.reference not in _card(response.content.decode()) and response.context["problems_open"] == 0
    )
    connection.set_tenant(tenant_a)


# --- what needs action first, and a compact utilisation chart -----------------------------------------------


def test_unanswered_offers_failed_transfers_and_late_orders_lead_the_page(client_a, tenant_a, staff, planned):
    """The dashboard opens with what needs action: offers without an answer (a passed deadline flagged), failed
    transfers with their participant and amount as money, late orders with the customer by name."""
    item = planned.work_items.order_by("pk").first()
    WorkItem.objects.filter(pk=item.pk).update(
        status="offered", offer_deadline=timezone.now() - timezone.timedelta(hours=1)
    )
    failed_transfer(planned, item)
    Order.objects.filter(pk=planned.pk).update(status=OrderStatus.PAID)  # paid, not planned: needs a plan
    sign_in(client_a, tenant_a, staff)
    body = client_a.get("/backoffice/").content.decode()
    action = body[body.index('id="action-title"') : body.index('class="grid stats"')]
    offers = action[action.index('id="unanswered-offers"') :]
    assert item.name in offers and "answer deadline passed" in offers
    transfers = action[action.index('id="failed-transfers"') :]
    assert item.asset_owner.name in transfers and "€123.45" in transfers and "12345" not in transfers
    late = action[action.index('id="late-orders"') : action.index('id="unanswered-offers"')]
    assert planned.reference in late and planned.customer.get_full_name() in late


def test_utilisation_shows_the_busiest_resources_first_and_counts_the_rest(
    client_a, tenant_a, staff, planned
):
    sign_in(client_a, tenant_a, staff)
    response = client_a.get("/backoffice/")
    bars = response.context["resource_chart"].bars
    assert len(bars) <= 10
    ratios = [float(bar.value_label.split("%")[0]) for bar in bars]
    assert ratios == sorted(ratios, reverse=True) and ratios[0] > 0
    assert response.context["resources_left_out"] == max(0, Resource.objects.count() - 10)


def test_a_changed_order_state_shows_in_the_cached_chart_on_the_next_request(
    client_a, tenant_a, staff, planned
):
    """The charts are kept in the cache by their numbers: one order more in a state is a new chart."""
    sign_in(client_a, tenant_a, staff)
    before = _orders_by_state(client_a.get("/backoffice/").content.decode())
    Order.objects.filter(pk=planned.pk).update(status=OrderStatus.IN_PRODUCTION)
    after = _orders_by_state(client_a.get("/backoffice/").content.decode())
    assert (before["Planned"], before["In production"]) == (1, 0)
    assert (after["Planned"], after["In production"]) == (0, 1)


def _orders_by_state(body: str) -> dict[str, int]:
    """The orders-by-state chart's accessible label, "Orders by state: Draft: 0; Paid: 1; …", read back."""
    start = body.index('aria-label="Orders by state: ') + len('aria-label="Orders by state: ')
    label = body[start : body.index('"', start)]
    return {name: int(count) for name, count in (part.rsplit(": ", 1) for part in label.split("; "))}
