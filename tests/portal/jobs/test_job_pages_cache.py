"""The job inbox's body is kept in the cache under the company and a fingerprint of every row it is drawn from,
until an offer's countdown turns (apps/portal/jobs.py inbox_fingerprint_sql, inbox_valid_until), and the job
page's pay statement under a fingerprint of everything it is computed from (apps/payouts/statement_cache.py). Each test writes one kind of shown row with a queryset update (no save(), no
updated_at, no signal) and sees the next request change; time alone changes an offer's countdown; another company
of the network never gets the entry."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.timesince import timeuntil
from django_tenants.utils import schema_context

from apps.core.content_cache import fingerprint_read
from apps.core.fragments import page_body_set
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.payouts.selectors import statement_for_work_item
from apps.portal.jobs import inbox_fingerprint_params, inbox_fingerprint_sql
from apps.portal.views.jobs import inbox_key as views_inbox_key
from apps.processes.models import Process
from apps.suppliers.models import Carrier, Resource
from tests.conftest import host_of, sign_in
from tests.portal.jobs.builders import fresh

pytestmark = pytest.mark.django_db

INBOX_URL = "/portal/jobs/"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday morning in Amsterdam


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


def inbox_key(tenant, supplier) -> str:
    """The cache key of `supplier`'s inbox body as it stands now."""
    company_id = supplier.company.pk
    with schema_context(tenant.schema_name), timezone.override(tenant.time_zone):
        fingerprint = fingerprint_read(inbox_fingerprint_sql(), inbox_fingerprint_params(company_id))
        return views_inbox_key(company_id, fingerprint)


def section(page: str, title: str, next_title: str | None) -> str:
    start = page.index(f'id="{title}"')
    return page[start : page.index(f'id="{next_title}"')] if next_title else page[start:]


def test_the_jobs_order_and_resource_rows_show_at_once(supplier_portal, plan_a, tenant_a, supplier_a):
    before = supplier_portal.get(INBOX_URL).content.decode()
    assert "Table top" in before and "Utrecht" in before and "Haas VF-2" in before
    with schema_context(tenant_a.schema_name):
        assert cache.get(inbox_key(tenant_a, supplier_a)) is not None  # served from the cache from now on
        WorkItem.objects.filter(pk=plan_a.mine.pk).update(name="Oak top", quantity=3)
        Order.objects.filter(pk=plan_a.order.pk).update(city="Amersfoort")
        Resource.objects.filter(pk=plan_a.mine.resource_id).update(name="Haas VF-4")
        Process.objects.filter(code=plan_a.mine.process).update(name="Five-axis milling")
    after = supplier_portal.get(INBOX_URL).content.decode()
    assert "Oak top" in after and "Table top" not in after
    assert "Amersfoort" in after and "Utrecht" not in after
    assert "Haas VF-4" in after and "Haas VF-2" not in after
    assert "Five-axis milling" in after and "CNC milling" in before and "CNC milling" not in after


def test_a_status_moves_the_job_and_what_it_waits_for_shows(supplier_portal, plan_a, tenant_a):
    supplier_portal.get(INBOX_URL)
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=plan_a.mine.pk).update(status="accepted")
    page = supplier_portal.get(INBOX_URL).content.decode()
    upcoming = section(page, "upcoming-title", "running-title")
    assert "Table top" in upcoming and "Waiting for" in upcoming and "No offers waiting." in page
    with schema_context(tenant_a.schema_name):
        carrier = Carrier.objects.get(pk=plan_a.other_leg.carrier_id)
        assert carrier.name in upcoming
        Carrier.objects.filter(pk=carrier.pk).update(name="Renamed Haulage")
    upcoming = section(supplier_portal.get(INBOX_URL).content.decode(), "upcoming-title", "running-title")
    assert "Renamed Haulage" in upcoming and carrier.name not in upcoming
    # What it waits for is another company's job and another carrier's leg: rows the company does not own.
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=plan_a.theirs.pk).update(status="done")
        TransportLeg.objects.filter(pk=plan_a.other_leg.pk).update(status="delivered")
    upcoming = section(supplier_portal.get(INBOX_URL).content.decode(), "upcoming-title", "running-title")
    assert "Table top" in upcoming and "Waiting for" not in upcoming


def test_an_offers_countdown_follows_the_clock(supplier_portal, plan_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        deadline = fresh(plan_a.mine).offer_deadline
    assert deadline is not None and deadline > NOW
    first = supplier_portal.get(INBOX_URL).content.decode()
    assert f"{timeuntil(deadline, NOW)}</time> left to answer" in first
    later = NOW + timedelta(minutes=61)
    assert later < deadline
    with time_machine.travel(later, tick=False):
        second = supplier_portal.get(INBOX_URL).content.decode()
    assert timeuntil(deadline, later) != timeuntil(deadline, NOW)
    assert f"{timeuntil(deadline, later)}</time> left to answer" in second
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert "answer deadline passed" in supplier_portal.get(INBOX_URL).content.decode()


def test_a_planted_entry_is_served_to_its_company_only(
    client_a, tenant_a, tenant_b, supplier_a, other_supplier_a
):
    """Two companies with identical (empty) inboxes have the same content: the entry planted under A's key is
    what A gets, B gets its own inbox, and another network never reads A's key."""
    key_a, key_b = inbox_key(tenant_a, supplier_a), inbox_key(tenant_a, other_supplier_a)
    assert key_a != key_b
    with schema_context(tenant_a.schema_name):
        page_body_set(key_a, '<div id="inbox">planted for A</div>', valid_until=None)
    a = sign_in(client_a, tenant_a, supplier_a.user)
    assert "planted for A" in a.get(INBOX_URL).content.decode()
    b = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, other_supplier_a.user)
    page_b = b.get(INBOX_URL).content.decode()
    assert "planted for A" not in page_b and "No offers waiting." in page_b
    with schema_context(tenant_b.schema_name):
        assert cache.get(key_a) is None


def test_the_job_pages_statement_follows_the_other_jobs_cost(supplier_portal, plan_a, tenant_a):
    """The job page's statement is read from the cache; another company's job on the order changing its cost
    (a queryset update) changes this job's share on the next request."""
    page = f"/portal/jobs/{plan_a.mine.pk}/"

    def shown():
        with schema_context(tenant_a.schema_name):
            return statement_for_work_item(fresh(plan_a.mine))

    before = shown()
    assert str(before.part_amount) in supplier_portal.get(page).content.decode()
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=plan_a.theirs.pk).update(cost_minor=plan_a.theirs.cost_minor * 3)
    after = shown()
    assert after.part_amount_minor != before.part_amount_minor
    body = supplier_portal.get(page).content.decode()
    assert str(after.part_amount) in body and str(before.part_amount) not in body


def test_an_inbox_showing_a_countdown_is_kept_until_it_turns_and_without_one_for_longer(
    supplier_portal, plan_a, tenant_a, supplier_a, _fixed_clock
):
    """The countdown's text changes by the minute: the body, and its cache entry, last until the next one. Once
    the deadline has passed the inbox shows no countdown, and its entry lasts until its rows change."""
    with schema_context(tenant_a.schema_name):
        deadline = fresh(plan_a.mine).offer_deadline
    assert deadline is not None and deadline > NOW
    _fixed_clock.shift(timedelta(seconds=30))  # half a minute before the countdown turns
    assert "left to answer" in supplier_portal.get(INBOX_URL).content.decode()
    with schema_context(tenant_a.schema_name):
        counting_s = _seconds_left(inbox_key(tenant_a, supplier_a))
    assert 0 < counting_s <= 32  # the half minute, rounded up, and a second (page_body_set)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        page = supplier_portal.get(INBOX_URL).content.decode()
        assert "answer deadline passed" in page and "left to answer" not in page
        with schema_context(tenant_a.schema_name):
            quiet_s = _seconds_left(inbox_key(tenant_a, supplier_a))
    assert quiet_s > 3600


def _seconds_left(key: str) -> int:
    """The entry's time to live in Redis, in seconds (negative: no such entry)."""
    return cache._cache.get_client(key).ttl(cache.make_and_validate_key(key))
