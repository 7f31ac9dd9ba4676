"""The supplier dashboard draws real bookings (utilisation follows them) and lists upcoming work; the earnings
pages of both portals show pending and paid amounts, statements, transfers and bank payouts of the own company."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.money import Money
from apps.orders.models import WorkItem
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.selectors import participant_money_summary
from apps.suppliers.services import opening_hours_replace
from tests.conftest import sign_in
from tests.payouts.money_builders import sent_transfer_and_paid_payout
from tests.portal.jobs.builders import fresh

pytestmark = pytest.mark.django_db


def svg_of(page: str) -> str:
    return page[page.index("<svg") : page.index("</svg>")]


@pytest.fixture
def open_every_day(tenant_a, supplier_a):
    """supplier_a's machine is open 07:00–19:00 every day: 12 h × 14 days = 10 080 open minutes on the chart."""
    with schema_context(tenant_a.schema_name):
        opening_hours_replace(
            resource=supplier_a.resource, intervals=[(day, time(7), time(19)) for day in range(7)]
        )


def test_the_gantt_draws_the_suppliers_jobs_and_counts_them(supplier_portal, plan_a, open_every_day):
    page = supplier_portal.get("/portal/").content.decode()
    svg = svg_of(page)
    bookings = re.findall(r'<a href="([^"]+)"><rect class="gantt-booking"', svg)
    assert bookings == [f"/portal/jobs/{plan_a.mine.pk}/"]  # the other workshop's job is not on this chart
    # Table top: 3 h planned tomorrow 08:00–11:00 inside opening hours → 180 / 10 080 = 1.8 %.
    assert "1.8 %" in svg and "Booked, next 14 days" in page
    assert f"{plan_a.order.reference} · Table top" in svg


def test_a_declined_job_frees_the_schedule(supplier_portal, plan_a, open_every_day):
    supplier_portal.post(f"/portal/jobs/{plan_a.mine.pk}/decline/", {"decline-reason": "No oak in stock"})
    svg = svg_of(supplier_portal.get("/portal/").content.decode())
    assert 'class="gantt-booking"' not in svg and "0.0 %" in svg


def test_the_dashboard_lists_upcoming_work(supplier_portal, plan_a):
    page = supplier_portal.get("/portal/").content.decode()
    upcoming = page[page.index('id="upcoming-title"') :]
    assert f'href="/portal/jobs/{plan_a.mine.pk}/"' in upcoming and "Offered" in upcoming
    assert f"/portal/jobs/{plan_a.theirs.pk}/" not in upcoming


def test_an_offer_with_time_left_says_how_long_on_every_page_that_shows_it(supplier_portal, plan_a, tenant_a):
    """The dashboard's view puts no `now` in its context: the deadline is judged against the clock anyway."""
    deadline = timezone.now() + timedelta(hours=23)
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=plan_a.mine.pk).update(offer_deadline=deadline)
    for url in ("/portal/", "/portal/jobs/", f"/portal/jobs/{plan_a.mine.pk}/"):
        page = supplier_portal.get(url).content.decode()
        assert "left to answer" in page, url
        assert "answer deadline passed" not in page, url
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=plan_a.mine.pk).update(
            offer_deadline=timezone.now() - timedelta(minutes=5)
        )
    assert "answer deadline passed" in supplier_portal.get("/portal/").content.decode()


def _money_rows(tenant, plan, supplier, other_supplier):
    """Stored statements plus one sent transfer and one bank payout each for supplier_a and the rival."""
    with schema_context(tenant.schema_name):
        statement_refresh_for_order(order_id=plan.order.pk)
        now = timezone.now()
        for job, owner, amount in [(plan.mine, supplier, 17_000), (plan.theirs, other_supplier, 9_999)]:
            sent_transfer_and_paid_payout(
                plan.order,
                amount,
                when=now,
                account=f"acct_{owner.company.pk}",
                payout_fee=1_000,
                asset_owner=owner.company,
                work_item=job,
            )


def test_supplier_earnings_show_own_money_only(
    supplier_portal, plan_a, tenant_a, supplier_a, other_supplier_a
):
    empty = supplier_portal.get("/portal/earnings/").content.decode()
    assert "No money yet" in empty and "No statements yet." in empty
    _money_rows(tenant_a, plan_a, supplier_a, other_supplier_a)
    page = supplier_portal.get("/portal/earnings/").content.decode()
    with schema_context(tenant_a.schema_name):
        summary = participant_money_summary(asset_owner=fresh(supplier_a.company))["EUR"]
    assert summary.transferred_minor == 17_000 and summary.paid_out_minor == 16_000
    assert str(Money(17_000, "EUR")) in page and str(Money(16_000, "EUR")) in page
    assert plan_a.order.reference in page and f'href="/portal/jobs/{plan_a.mine.pk}/"' in page
    assert str(Money(9_999, "EUR")) not in page and str(Money(8_999, "EUR")) not in page


def test_carrier_earnings_show_the_carriers_statement(carrier_portal, plan_a, tenant_a, carrier_a):
    with schema_context(tenant_a.schema_name):
        statement_refresh_for_order(order_id=plan_a.order.pk)
        expected = participant_money_summary(carrier=fresh(carrier_a.company))["EUR"].expected_minor
    page = carrier_portal.get("/portal/carrier/earnings/").content.decode()
    assert expected > 0 and str(Money(expected, "EUR")) in page
    assert f'href="/portal/carrier/legs/{plan_a.leg.pk}/"' in page
    assert f"leg #{plan_a.other_leg.pk}" not in page  # the other carrier's leg of the same order


def test_earnings_pages_belong_to_their_portal(
    client_a, client_b, tenant_a, tenant_b, supplier_a, carrier_a, supplier_b
):
    assert client_a.get("/portal/earnings/")["Location"].startswith("/accounts/login/")
    sign_in(client_a, tenant_a, carrier_a.user)
    assert client_a.get("/portal/earnings/").status_code == 404
    assert client_a.get("/portal/carrier/earnings/").status_code == 200
    sign_in(client_a, tenant_a, supplier_a.user)
    assert client_a.get("/portal/carrier/earnings/").status_code == 404
    sign_in(client_b, tenant_b, supplier_b.user)
    assert supplier_a.company.name.encode() not in client_b.get("/portal/earnings/").content


def test_a_phone_gets_the_next_three_days_at_a_readable_size_beside_the_full_schedule(
    supplier_portal, plan_a, open_every_day
):
    """At 390 px the 14-day chart showed a day and a half; the page also draws the next three days in a chart
    that fits a phone (CSS shows it there, first), with the same jobs on it."""
    response = supplier_portal.get("/portal/")
    phone, full = response.context["phone_chart"], response.context["chart"]
    assert len(phone.days) == 3 and len(full.days) == 14
    assert phone.width <= 358 < full.width
    page = response.content.decode()
    small = page[page.index('class="gantt gantt-phone"') :]
    assert f"/portal/jobs/{plan_a.mine.pk}/" in small[: small.index("</svg>")]
