"""Problems asset owners report on their jobs: a reason is required, only open jobs take one (a job not started
yet may be given back and is re-planned), the network's own staff are e-mailed once the report commits, and
staff resolve a problem once, with a note."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.orders.models import (
    PROBLEM_TEXT_MAX,
    EventKind,
    JobProblem,
    JobProblemStatus,
    OrderEvent,
    WorkItem,
)
from apps.orders.scope import Scope
from apps.orders.services import (
    job_problem_resolve,
    work_item_accept,
    work_item_decline,
    work_item_problem_report,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import InvalidTransition
from apps.outbox.models import OutboxMessage
from apps.tenants.selectors import tenant_domain_url
from tests.mail import deliver_emails
from tests.portal.jobs.builders import fresh

pytestmark = pytest.mark.django_db


def scope_of(member):
    return WorkItem.objects.filter(asset_owner=member.company)


def report(member, job, reason="Oak delivery is late", **kwargs) -> JobProblem:
    return work_item_problem_report(
        work_item_id=job.pk, actor=member.user, reason=reason, scope=scope_of(member), **kwargs
    )


def notes_on(job) -> int:
    return OrderEvent.objects.filter(work_item_id=job.pk, kind=EventKind.NOTE).count()


def nothing_written(job) -> bool:
    return not JobProblem.objects.filter(work_item_id=job.pk).exists() and notes_on(job) == 0


# --- reporting ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "x" * (PROBLEM_TEXT_MAX + 1)])
def test_a_reason_is_required_and_bounded(in_tenant_a, plan_a, supplier_a, reason):
    with pytest.raises(ValidationError) as raised:
        report(supplier_a, plan_a.mine, reason)
    assert "reason" in raised.value.message_dict
    assert nothing_written(plan_a.mine) and fresh(plan_a.mine).status == "offered"


def test_a_problem_on_an_open_job_is_recorded_for_staff_and_leaves_the_job_as_it_is(
    in_tenant_a, plan_a, supplier_a
):
    problem = report(supplier_a, plan_a.mine, "  Oak delivery is late  ")
    assert (problem.text, problem.status, problem.gave_back) == ("Oak delivery is late", "open", False)
    assert problem.order_id == plan_a.order.pk and problem.work_item_id == plan_a.mine.pk
    assert problem.company_name == supplier_a.company.name and problem.reported_by == supplier_a.user
    assert problem.job_status == "offered" and problem.resolved_at is None
    note = OrderEvent.objects.get(work_item_id=plan_a.mine.pk, kind=EventKind.NOTE)
    assert "Oak delivery is late" in note.reason and supplier_a.company.name in note.reason
    assert not note.customer_visible and note.data["job_problem"] == problem.pk
    assert fresh(plan_a.mine).status == "offered"


def test_the_company_name_is_kept_as_it_was_when_reported(in_tenant_a, plan_a, supplier_a):
    problem = report(supplier_a, plan_a.mine)
    type(supplier_a.company).objects.filter(pk=supplier_a.company.pk).update(name="Renamed Works")
    assert fresh(problem).company_name == supplier_a.company.name != "Renamed Works"


def test_jobs_in_progress_and_failed_ones_take_problems(in_tenant_a, ready_a, supplier_a):
    scope = scope_of(supplier_a)
    work_item_accept(work_item_id=ready_a.mine.pk, actor=supplier_a.user, scope=scope)
    work_item_start(work_item_id=ready_a.mine.pk, actor=supplier_a.user, scope=scope)
    assert report(supplier_a, ready_a.mine, "Crack in the top").job_status == "in_progress"
    work_item_quality_record(work_item_id=ready_a.mine.pk, actor=supplier_a.user, passed=False, scope=scope)
    assert report(supplier_a, ready_a.mine, "Cannot rework this week").job_status == "failed"
    assert fresh(ready_a.mine).status == "failed" and notes_on(ready_a.mine) == 2


def test_a_declined_job_takes_no_problem(in_tenant_a, plan_a, supplier_a):
    work_item_decline(
        work_item_id=plan_a.mine.pk, actor=supplier_a.user, reason="No capacity", scope=Scope.SYSTEM
    )
    with pytest.raises(
        InvalidTransition, match=re.escape("This job is declined; write to the network's staff instead.")
    ):
        report(supplier_a, plan_a.mine)
    with pytest.raises(InvalidTransition, match="This job is declined"):
        report(supplier_a, plan_a.mine, give_back=True)
    assert nothing_written(plan_a.mine)


def test_a_done_job_takes_no_problem(in_tenant_a, ready_a, supplier_a):
    for service in (work_item_accept, work_item_start):
        service(work_item_id=ready_a.mine.pk, actor=None, scope=Scope.SYSTEM)
    work_item_quality_record(work_item_id=ready_a.mine.pk, actor=None, passed=True, scope=Scope.SYSTEM)
    with pytest.raises(InvalidTransition, match="This job is done"):
        report(supplier_a, ready_a.mine)
    assert nothing_written(ready_a.mine)


@pytest.mark.parametrize("accept_first", [False, True])
def test_giving_back_declines_the_job_and_asks_for_a_new_plan(in_tenant_a, plan_a, supplier_a, accept_first):
    if accept_first:
        work_item_accept(work_item_id=plan_a.mine.pk, actor=supplier_a.user, scope=Scope.SYSTEM)
    problem = report(supplier_a, plan_a.mine, "Spindle broke", give_back=True)
    job = fresh(plan_a.mine)
    assert job.status == "declined" and job.decline_reason == "Problem reported: Spindle broke"
    assert problem.gave_back and problem.status == "open"
    assert problem.job_status == ("accepted" if accept_first else "offered")
    assert OutboxMessage.objects.filter(
        task_name="matching.replan_order", kwargs__order_id=plan_a.order.pk
    ).exists()
    declined = OrderEvent.objects.get(work_item_id=job.pk, to_status="declined")
    assert "Problem reported: Spindle broke" in declined.reason and not declined.customer_visible


def test_a_started_job_cannot_be_given_back(in_tenant_a, ready_a, supplier_a):
    for service in (work_item_accept, work_item_start):
        service(work_item_id=ready_a.mine.pk, actor=None, scope=Scope.SYSTEM)
    with pytest.raises(InvalidTransition, match="only a job not started yet can be given back"):
        report(supplier_a, ready_a.mine, "Crack", give_back=True)
    assert nothing_written(ready_a.mine) and fresh(ready_a.mine).status == "in_progress"


def test_another_companys_job_is_out_of_scope(in_tenant_a, plan_a, supplier_a):
    with pytest.raises(WorkItem.DoesNotExist):
        report(supplier_a, plan_a.theirs)
    with pytest.raises(WorkItem.DoesNotExist):
        report(supplier_a, plan_a.theirs, give_back=True)
    assert nothing_written(plan_a.theirs) and fresh(plan_a.theirs).status == "offered"


# --- telling staff ------------------------------------------------------------------------------------------


@pytest.fixture
def people(tenant_a, tenant_b, make_user):
    """Alpha's staff (one more besides the owner), and people who must not hear of supplier problems."""
    quiet_staff = make_user(tenant_a, Role.STAFF)
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=quiet_staff.pk).update(is_active=False)
    return {
        "staff": make_user(tenant_a, Role.STAFF),
        "inactive_staff": quiet_staff,
        "finance": make_user(tenant_a, Role.FINANCE),
        "customer": make_user(tenant_a, Role.CUSTOMER),
        "beta_staff": make_user(tenant_b, Role.STAFF),
    }


def test_the_networks_staff_are_emailed_after_commit_and_nobody_else(
    in_tenant_a, plan_a, supplier_a, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        problem = report(supplier_a, plan_a.mine, "Oak delivery is late")
    assert deliver_emails() == [] and len(callbacks) == 1  # nothing before the commit
    callbacks[0]()
    (message,) = deliver_emails()
    recipients = set(message.to)
    assert {people["staff"].email, "owner@alpha.test"} <= recipients
    strangers = {people[who].email for who in ("inactive_staff", "finance", "customer", "beta_staff")}
    assert not recipients & (
        strangers | {supplier_a.user.email, "owner@beta.test", plan_a.order.customer.email}
    )
    assert plan_a.order.reference in message.subject and supplier_a.company.name in message.subject
    for text in (plan_a.order.reference, plan_a.mine.name, supplier_a.company.name, "Oak delivery is late"):
        assert text in message.body, text
    link = tenant_domain_url(in_tenant_a, path=f"/admin/orders/jobproblem/{problem.pk}/change/")
    assert link.startswith("http://alpha.localhost") and link in message.body


def test_a_given_back_job_says_so_in_the_email(
    in_tenant_a, plan_a, supplier_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(supplier_a, plan_a.mine, "Spindle broke", give_back=True)
    (message,) = deliver_emails()
    assert "given back" in message.subject and "re-planned" in message.body


def test_a_report_rolled_back_emails_nobody(
    in_tenant_a, plan_a, supplier_a, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report(supplier_a, plan_a.mine)
        raise RuntimeError("the surrounding change failed")
    assert callbacks == [] and deliver_emails() == [] and nothing_written(plan_a.mine)


def test_refused_reports_email_nobody(in_tenant_a, plan_a, supplier_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            report(supplier_a, plan_a.mine, "")
        with pytest.raises(WorkItem.DoesNotExist):
            report(supplier_a, plan_a.theirs)
    assert callbacks == [] and deliver_emails() == []


# --- resolving ----------------------------------------------------------------------------------------------


@pytest.fixture
def staff_user(tenant_a, make_user):
    return make_user(tenant_a, Role.STAFF)


def test_staff_resolve_a_problem_once_with_a_note(in_tenant_a, plan_a, supplier_a, staff_user):
    problem = report(supplier_a, plan_a.mine)
    with pytest.raises(ValidationError) as raised:
        job_problem_resolve(problem_id=problem.pk, actor=staff_user, note="  ")
    assert "note" in raised.value.message_dict and fresh(problem).status == "open"
    resolved = job_problem_resolve(problem_id=problem.pk, actor=staff_user, note="New oak ships Monday")
    assert resolved.status == JobProblemStatus.RESOLVED and resolved.resolved_by == staff_user
    assert resolved.resolved_at is not None and resolved.resolution_note == "New oak ships Monday"
    note = OrderEvent.objects.filter(work_item_id=plan_a.mine.pk, kind=EventKind.NOTE).latest("id")
    assert "New oak ships Monday" in note.reason and not note.customer_visible
    with pytest.raises(InvalidTransition, match="already resolved"):
        job_problem_resolve(problem_id=problem.pk, actor=None, note="Something else")
    again = fresh(problem)
    assert (again.resolution_note, again.resolved_by, again.resolved_at) == (
        "New oak ships Monday",
        staff_user,
        resolved.resolved_at,
    )


def test_resolving_a_missing_problem(in_tenant_a, staff_user):
    with pytest.raises(JobProblem.DoesNotExist):
        job_problem_resolve(problem_id=987654, actor=staff_user, note="Done")
