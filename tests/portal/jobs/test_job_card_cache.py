"""The job page's card is kept in the cache under the company, the member's role, the job and a fingerprint of
every row the card shows (apps/portal/job_page.py). Each test asks for the page (which keeps the card), writes one
kind of shown row with a queryset update or a bare create (no save(), no signal, no updated_at), and sees the next
request change; time alone moves an offer's countdown; another company and another network never get the entry;
the kept forms carry each session's own CSRF token."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.timesince import timeuntil
from django_tenants.utils import schema_context

from apps.catalog.models import DesignVersion
from apps.core.fragments import CSRF_SLOT, page_body_get, page_body_set
from apps.orders.models import JobProblem, Order, QualityCheck, TransportLeg, WorkItem
from apps.payouts.profit_share.policies import policy_current
from apps.portal import job_page
from apps.processes.models import Process
from apps.suppliers.access import asset_owner_membership_with
from apps.suppliers.models import Carrier, Resource
from apps.suppliers.status import MemberRole
from tests.conftest import host_of, sign_in
from tests.portal.jobs.builders import fresh
from tests.suppliers.factories import make_member

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday morning in Amsterdam


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


@pytest.fixture(autouse=True)
def _half_a_minute_after_planning(plan_a, _fixed_clock):
    """Planned at NOW, an offer has a whole number of minutes left to answer; viewed half a minute later, its card
    is kept for half a minute (the cache's own expiry, page_body_set, counts real seconds), not one microsecond."""
    _fixed_clock.shift(timedelta(seconds=30))


@pytest.fixture(autouse=True)
def _policy(tenant_a):
    """The network's profit-share policy as it stands after the first statement (which writes the default one
    when staff never published one): a view then files its card under the rows it finds afterwards too."""
    with schema_context(tenant_a.schema_name):
        policy_current()


def url(job) -> str:
    return f"/portal/jobs/{job.pk}/"


def card_key(tenant, member, job, *, role=MemberRole.OWNER) -> str:
    """The key `member`'s company's card of `job` is kept under as its rows stand now."""
    with schema_context(tenant.schema_name), timezone.override(tenant.time_zone):
        head = job_page.job_head(company_id=member.company.pk, job_id=job.pk)
        return job_page.card_key(
            company_id=member.company.pk, role=role, job_id=job.pk, fingerprint=head.fingerprint
        )


def card(page: str) -> str:
    return page[page.index('id="job-card"') :]


def kept_then(supplier_portal, tenant, supplier, job, change) -> tuple[str, str]:
    """The card before and after `change()` (run in the network's schema), the first one kept in the cache."""
    before = card(supplier_portal.get(url(job)).content.decode())
    with schema_context(tenant.schema_name):
        # served from the cache from now on
        assert page_body_get(card_key(tenant, supplier, job), now=timezone.now()) is not None
        change()
    return before, card(supplier_portal.get(url(job)).content.decode())


def test_the_jobs_row_and_the_rows_it_names_show_at_once(supplier_portal, plan_a, tenant_a, supplier_a):
    job = plan_a.mine
    with schema_context(tenant_a.schema_name):
        version = fresh(job).line.design_version
    operations = [
        {**operation, "material": "walnut"} if operation.get("step_key") == "top" else operation
        for operation in version.operations
    ]

    before, after = kept_then(
        supplier_portal,
        tenant_a,
        supplier_a,
        job,
        lambda: WorkItem.objects.filter(pk=job.pk).update(quantity=7, decline_reason="Too busy this week"),
    )
    assert "<dd>7</dd>" in after and "Too busy this week" in after

    def rows_it_names():  # none of them is the job's row or one its statement is computed from
        Resource.objects.filter(pk=job.resource_id).update(name="Haas VF-4")
        Process.objects.filter(code=job.process).update(name="Five-axis milling")
        DesignVersion.objects.filter(pk=version.pk).update(operations=operations)

    before, after = kept_then(supplier_portal, tenant_a, supplier_a, job, rows_it_names)
    assert "Haas VF-2" in before and "CNC milling" in before and "oak" in before
    assert "Haas VF-4" in after and "Haas VF-2" not in after
    assert "Five-axis milling" in after and "CNC milling" not in after
    assert "walnut" in after
    before, after = kept_then(
        supplier_portal,
        tenant_a,
        supplier_a,
        job,
        lambda: Order.objects.filter(pk=plan_a.order.pk).update(city="Amersfoort"),
    )
    assert "Utrecht" in before and "Amersfoort" in after and "Utrecht" not in after


def test_a_status_changes_what_the_member_may_do(supplier_portal, plan_a, tenant_a, supplier_a):
    before, after = kept_then(
        supplier_portal,
        tenant_a,
        supplier_a,
        plan_a.mine,
        lambda: WorkItem.objects.filter(pk=plan_a.mine.pk).update(status="in_progress"),
    )
    assert "Accept the job" in before and "Production finished" not in before
    assert "Accept the job" not in after and "Production finished" in after and "Record the check" in after


def test_quality_checks_and_problems_show_at_once(supplier_portal, plan_a, tenant_a, supplier_a):
    job = plan_a.mine

    def record():
        QualityCheck.objects.create(work_item_id=job.pk, passed=False, notes="Edge chipped")
        JobProblem.objects.create(
            work_item_id=job.pk, order_id=plan_a.order.pk, company_name="Alpha Milling", text="Oak is late"
        )

    before, after = kept_then(supplier_portal, tenant_a, supplier_a, job, record)
    assert "Quality checks" not in before and "Problems reported" not in before
    assert "Edge chipped" in after and "Oak is late" in after

    def amend():
        QualityCheck.objects.filter(work_item_id=job.pk).update(notes="Edge sanded")
        JobProblem.objects.filter(work_item_id=job.pk).update(status="resolved", resolved_at=NOW)

    _, amended = kept_then(supplier_portal, tenant_a, supplier_a, job, amend)
    assert "Edge sanded" in amended and "Edge chipped" not in amended
    assert '<span class="badge ok">resolved</span>' in amended


def test_what_the_job_waits_for_follows_other_companies_rows(supplier_portal, plan_a, tenant_a, supplier_a):
    """What it waits for is another company's job and another carrier's leg: rows the company does not own."""
    job = plan_a.mine
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=job.pk).update(status="accepted")
        carrier = Carrier.objects.get(pk=plan_a.other_leg.carrier_id)
    before, renamed = kept_then(
        supplier_portal,
        tenant_a,
        supplier_a,
        job,
        lambda: Carrier.objects.filter(pk=carrier.pk).update(name="Renamed Haulage"),
    )
    assert "Not ready to start" in before and carrier.name in before
    assert "Renamed Haulage" in renamed and carrier.name not in renamed

    def parts_there():
        WorkItem.objects.filter(pk=plan_a.theirs.pk).update(status="done")
        TransportLeg.objects.filter(pk=plan_a.other_leg.pk).update(status="delivered")

    _, ready = kept_then(supplier_portal, tenant_a, supplier_a, job, parts_there)
    assert "Not ready to start" not in ready and "Start production" in ready


def test_an_offers_countdown_follows_the_clock(supplier_portal, plan_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        deadline = fresh(plan_a.mine).offer_deadline
    start = timezone.now()
    assert deadline is not None and deadline > start + timedelta(minutes=61)
    first = card(supplier_portal.get(url(plan_a.mine)).content.decode())
    assert f"{timeuntil(deadline, start)}</time> left to answer" in first
    later = start + timedelta(minutes=61)
    assert timeuntil(deadline, later) != timeuntil(deadline, start)
    with time_machine.travel(later, tick=False):
        second = card(supplier_portal.get(url(plan_a.mine)).content.decode())
    assert f"{timeuntil(deadline, later)}</time> left to answer" in second
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        assert "answer deadline passed" in supplier_portal.get(url(plan_a.mine)).content.decode()


def test_a_countdown_is_kept_no_longer_than_its_text_holds(plan_a, tenant_a):
    """The first moment the kept card may read differently is never after the countdown's text changes."""
    with schema_context(tenant_a.schema_name):
        job = fresh(plan_a.mine)
    for seconds_left in (0.5, 30, 59.999999, 60, 61, 3599, 3600, 3661.5, 90_000):
        now = job.offer_deadline - timedelta(seconds=seconds_left)
        until = job_page.card_valid_until(job, now=now)
        assert now < until, seconds_left  # kept at all, also with whole minutes left (a frozen test clock)
        just_before = until - timedelta(microseconds=1)
        assert timeuntil(job.offer_deadline, just_before) == timeuntil(job.offer_deadline, now), seconds_left
        assert job.offer_deadline > just_before
    # exact: the text (or the deadline having passed) changes at that moment
    now = job.offer_deadline - timedelta(seconds=3600)
    until = job_page.card_valid_until(job, now=now)
    assert timeuntil(job.offer_deadline, until) != timeuntil(job.offer_deadline, now)
    assert job_page.card_valid_until(job, now=job.offer_deadline) is None  # passed: no longer moves


def test_a_planted_entry_is_served_to_its_company_and_role_only(
    client_a, tenant_a, tenant_b, plan_a, supplier_a, other_supplier_a
):
    """The entry planted under A's owner's key is what A's owner gets; A's operator, another company of the
    network (404: not its job) and another network never read it."""
    key = card_key(tenant_a, supplier_a, plan_a.mine)
    with schema_context(tenant_a.schema_name):
        page_body_set(key, "<p>planted for A</p>", valid_until=None)
        operator = make_member(supplier_a.company, role=MemberRole.OPERATOR)
    owner = sign_in(client_a, tenant_a, supplier_a.user)
    assert "planted for A" in owner.get(url(plan_a.mine)).content.decode()
    as_operator = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, operator)
    page = as_operator.get(url(plan_a.mine)).content.decode()
    assert "planted for A" not in page and "Accept the job" in page
    rival = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, other_supplier_a.user)
    assert rival.get(url(plan_a.mine)).status_code == 404
    assert "planted for A" not in rival.get(url(plan_a.theirs)).content.decode()
    with schema_context(tenant_b.schema_name):
        assert cache.get(key) is None


def test_each_session_posts_with_its_own_token_from_the_kept_card(tenant_a, plan_a, supplier_a):
    first = sign_in(Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True), tenant_a, supplier_a.user)
    first.get(url(plan_a.mine))
    second = sign_in(Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True), tenant_a, supplier_a.user)
    with schema_context(tenant_a.schema_name):
        assert page_body_get(card_key(tenant_a, supplier_a, plan_a.mine), now=timezone.now()) is not None
    body = second.get(url(plan_a.mine)).content.decode()
    assert CSRF_SLOT not in body
    problem_form = body[body.index('id="problem-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', problem_form).group(1)
    response = second.post(
        f"{url(plan_a.mine)}problem/", {"csrfmiddlewaretoken": token, "problem-reason": "Oak is late"}
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert JobProblem.objects.filter(work_item=plan_a.mine, text="Oak is late").exists()
    assert "Oak is late" in second.get(url(plan_a.mine)).content.decode()
    refused = first.post(f"{url(plan_a.mine)}accept/", {"csrfmiddlewaretoken": CSRF_SLOT})
    assert refused.status_code == 403


def test_an_id_beyond_any_row_is_404_not_500(supplier_portal, plan_a):
    """The page's own statement takes the id from the address: one larger than a bigint names no job."""
    assert supplier_portal.get(f"/portal/jobs/{2**63}/").status_code == 404
    assert supplier_portal.get("/portal/jobs/99999999999999999999999/").status_code == 404
    assert supplier_portal.get("/portal/jobs/0/").status_code == 404


def test_the_head_read_with_the_membership_is_the_members_companys_own(
    tenant_a, plan_a, supplier_a, other_supplier_a
):
    """The page's job and card fingerprint are read in the membership's statement, for the member's company
    only: another company of the network reads nothing for that job."""
    along = job_page.head_along(plan_a.mine.pk)
    with schema_context(tenant_a.schema_name):
        _, mine = asset_owner_membership_with(user=supplier_a.user, along=along)
        _, theirs = asset_owner_membership_with(user=other_supplier_a.user, along=along)
        alone = job_page.job_head(company_id=supplier_a.company.pk, job_id=plan_a.mine.pk)
    assert job_page.head_of(mine) == alone and alone.name == "Table top" and alone.order_id == plan_a.order.pk
    assert theirs is None
