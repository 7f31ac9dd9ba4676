"""Supplier job inbox and job pages: what the job is, what it pays before accepting, and every action through
the orders services — in order, out of order (a clear error, nothing changed), with htmx and without."""

from functools import partial

import pytest
from django.utils.html import escape
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.orders.models import EventKind, JobProblem, OrderEvent, QualityCheck, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    job_problem_resolve,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_quality_record,
    work_item_start,
)
from apps.payouts.selectors import statement_for_work_item
from tests.conftest import sign_in
from tests.mail import deliver_emails
from tests.portal.jobs.builders import big_png, fresh, not_an_image, parts_arrive, png, png_bomb

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(job, action: str = "") -> str:
    return f"/portal/jobs/{job.pk}/{action + '/' if action else ''}"


def stored(tenant, job) -> WorkItem:
    with schema_context(tenant.schema_name):
        return fresh(job)


def quality_post(outcome: str = "pass", rows=(("width_mm", "1801"), ("finish", "even")), **extra) -> dict:
    data = {
        "qc-outcome": outcome,
        "qc-notes": "Checked against the drawing.",
        "m-TOTAL_FORMS": "4",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "20",
    }
    for index, (name, value) in enumerate(rows):
        data[f"m-{index}-name"], data[f"m-{index}-value"] = name, value
    data.update(extra)
    return data


def to_in_progress(client, job):
    assert client.post(url(job, "accept")).status_code == 302
    assert client.post(url(job, "start")).status_code == 302


# --- inbox --------------------------------------------------------------------------------------------------


def test_the_inbox_shows_own_offers_with_a_countdown_and_no_customer_details(supplier_portal, plan_a):
    page = supplier_portal.get("/portal/jobs/").content.decode()
    assert url(plan_a.mine) in page and plan_a.order.reference in page
    assert "left to answer" in page and "<time datetime=" in page
    assert url(plan_a.theirs) not in page  # the other workshop's job in the same order
    assert "Utrecht" in page and "Ada Lovelace" not in page and "Oudegracht" not in page


def test_the_inbox_sorts_jobs_into_sections_as_they_move(supplier_portal, ready_a, tenant_a):
    supplier_portal.post(url(ready_a.mine, "accept"))
    page = supplier_portal.get("/portal/jobs/").content.decode()
    upcoming = page[page.index('id="upcoming-title"') : page.index('id="running-title"')]
    assert url(ready_a.mine) in upcoming and "No offers waiting." in page
    assert "Waiting for" not in upcoming  # its parts are there
    supplier_portal.post(url(ready_a.mine, "start"))
    page = supplier_portal.get("/portal/jobs/").content.decode()
    running = page[page.index('id="running-title"') : page.index('id="done-title"')]
    assert url(ready_a.mine) in running


def test_the_inbox_refreshes_itself_as_a_fragment(supplier_portal, plan_a):
    response = supplier_portal.get("/portal/jobs/", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="inbox"') and "<html" not in body
    assert 'hx-trigger="every 60s"' in body and url(plan_a.mine) in body


# --- the job page -------------------------------------------------------------------------------------------


def test_the_job_page_shows_the_work_and_the_statement_before_accepting(supplier_portal, plan_a, tenant_a):
    response = supplier_portal.get(url(plan_a.mine))
    page = response.content.decode()
    with schema_context(tenant_a.schema_name):
        job = fresh(plan_a.mine)
        statement = statement_for_work_item(job)
        operation = next(op for op in job.line.design_version.operations if op["step_key"] == "top")
    assert response.status_code == 200 and job.status == "offered"
    assert "Accept the job" in page
    assert plan_a.order.reference in page and "delivery to Utrecht" in page
    assert "CNC milling" in page and operation["material"] in page and "oak" in page
    width, depth, height = (f"{d:g}" for d in operation["dimensions_mm"])
    assert f"{width} × {depth} × {height} mm" in page
    assert "Haas VF-2" in page and "Table top" in page
    # The statement: this job's amount, the computation line by line, provisional until Stripe's fee is known.
    assert statement is not None and statement.part_amount_minor > job.cost_minor
    assert str(statement.part_amount) in page and str(statement.amount) in page
    for line in statement.lines:
        assert escape(line) in page
    assert "provisional" in page
    assert "Ada Lovelace" not in page and "Oudegracht" not in page and "52.0907" not in page


def test_accepting_starting_completing_and_passing_quality(supplier_portal, ready_a, tenant_a, supplier_a):
    for action, status in [("accept", "accepted"), ("start", "in_progress"), ("complete", "in_progress")]:
        response = supplier_portal.post(url(ready_a.mine, action))
        assert response.status_code == 302 and response["Location"] == url(ready_a.mine), action
        assert stored(tenant_a, ready_a.mine).status == status, action
    page = supplier_portal.get(url(ready_a.mine)).content.decode()
    assert "Production finished" in page and "record the quality check" in page.lower()
    response = supplier_portal.post(
        url(ready_a.mine, "quality"), {**quality_post(), "qc-photo": png()}, follow=True
    )
    assert response.status_code == 200 and b"Quality check passed" in response.content
    with schema_context(tenant_a.schema_name):
        job = fresh(ready_a.mine)
        check = QualityCheck.objects.get(work_item=job)
        assert job.status == "done" and job.actual_start and job.actual_end
        assert check.passed and check.measurements == {"width_mm": 1801, "finish": "even"}
        assert check.photo.name.startswith(f"quality/{job.pk}/") and check.recorded_by == supplier_a.user
        assert job.order.status == "in_production"
        events = list(
            OrderEvent.objects.filter(work_item=job, actor=supplier_a.user)
            .order_by("created_at", "id")
            .values_list("to_status", "reason")
        )
    # One audit event per action, by the member: three moves and the "production finished" note.
    assert [to for to, _ in events if to] == ["accepted", "in_progress", "done"]
    assert len(events) == 4 and "Production finished" in events[2][1]


def test_a_failed_check_leads_to_rework(supplier_portal, ready_a, tenant_a):
    to_in_progress(supplier_portal, ready_a.mine)
    supplier_portal.post(url(ready_a.mine, "quality"), quality_post("fail", rows=(("width_mm", "1795.5"),)))
    with schema_context(tenant_a.schema_name):
        assert fresh(ready_a.mine).status == "failed"
        assert QualityCheck.objects.get(work_item_id=ready_a.mine.pk).measurements == {"width_mm": 1795.5}
    assert "Start the rework" in supplier_portal.get(url(ready_a.mine)).content.decode()
    supplier_portal.post(url(ready_a.mine, "start"))
    assert stored(tenant_a, ready_a.mine).status == "in_progress"


def test_declining_needs_a_reason_shown_inline_with_the_input_kept(supplier_portal, plan_a, tenant_a):
    empty = supplier_portal.post(url(plan_a.mine, "decline"), {"decline-reason": "   "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    too_long = "Our only mill is booked solid. " * 20
    response = supplier_portal.post(url(plan_a.mine, "decline"), {"decline-reason": too_long})
    page = response.content.decode()
    assert response.status_code == 400 and "at most 500 characters" in page
    assert escape(too_long) in page  # what was typed is still in the textarea
    assert stored(tenant_a, plan_a.mine).status == "offered"
    ok = supplier_portal.post(url(plan_a.mine, "decline"), {"decline-reason": "Mill down for repairs"})
    assert ok.status_code == 302
    job = stored(tenant_a, plan_a.mine)
    assert job.status == "declined" and job.decline_reason == "Mill down for repairs"


@pytest.mark.parametrize(
    ("setup", "action", "data", "message"),
    [
        ([], "complete", {}, "Could not mark production finished: Only a job in progress can be completed."),
        ([], "start", {}, "Could not start: This job is offered."),
        (
            [],
            "quality",
            quality_post(),
            "Could not record the quality check: Quality is checked on a job in progress.",
        ),
        (["accept"], "accept", {}, "Could not accept: This job is accepted."),
        (
            ["accept"],
            "complete",
            {},
            "Could not mark production finished: Only a job in progress can be completed.",
        ),
        (
            ["accept", "start"],
            "decline",
            {"decline-reason": "Too late"},
            "Could not decline: This job is in progress.",
        ),
    ],
)
def test_actions_out_of_order_explain_themselves_and_change_nothing(
    supplier_portal, ready_a, tenant_a, setup, action, data, message
):
    for step in setup:
        assert supplier_portal.post(url(ready_a.mine, step)).status_code == 302
    before = stored(tenant_a, ready_a.mine)
    with schema_context(tenant_a.schema_name):
        events = OrderEvent.objects.filter(work_item_id=ready_a.mine.pk).count()
    response = supplier_portal.post(url(ready_a.mine, action), data)
    assert response.status_code == 409
    assert (
        escape(message) in response.content.decode() and "Nothing was changed." in response.content.decode()
    )
    after = stored(tenant_a, ready_a.mine)
    assert (after.status, after.actual_start, after.actual_end) == (
        before.status,
        before.actual_start,
        before.actual_end,
    )
    with schema_context(tenant_a.schema_name):
        assert OrderEvent.objects.filter(work_item_id=ready_a.mine.pk).count() == events
        assert not QualityCheck.objects.filter(work_item_id=ready_a.mine.pk).exists()


def test_a_declined_job_cannot_be_started(supplier_portal, plan_a, tenant_a):
    supplier_portal.post(url(plan_a.mine, "decline"), {"decline-reason": "No capacity"})
    response = supplier_portal.post(url(plan_a.mine, "start"))
    assert (
        response.status_code == 409 and "Could not start: This job is declined." in response.content.decode()
    )
    problem = supplier_portal.post(url(plan_a.mine, "problem"), {"problem-reason": "Can I still help?"})
    assert (
        problem.status_code == 409
        and "Could not report the problem: This job is declined" in problem.content.decode()
    )
    assert stored(tenant_a, plan_a.mine).status == "declined"
    assert "Nothing left to do on this job." in supplier_portal.get(url(plan_a.mine)).content.decode()


# --- waiting for the parts --------------------------------------------------------------------------------------


def waiting(other_carrier) -> str:
    """What supplier_a's job waits for while the legs are not even accepted (as the page escapes it)."""
    return escape(f"Waiting for 'Legs' (offered) and the delivery from {other_carrier.company.name}.")


def test_a_job_waiting_for_its_parts_says_so_instead_of_offering_start(
    supplier_portal, plan_a, tenant_a, other_carrier_a
):
    """The top follows the other workshop's legs, which another carrier brings over: until both are there the
    job page and the inbox say what it waits for, and there is no Start button."""
    expected = waiting(other_carrier_a)
    supplier_portal.post(url(plan_a.mine, "accept"))
    page = supplier_portal.get(url(plan_a.mine)).content.decode()
    assert expected in page and 'id="start-waiting"' in page
    assert "Start production" not in page and "Decline the job" in page
    inbox = supplier_portal.get("/portal/jobs/").content.decode()
    upcoming = inbox[inbox.index('id="upcoming-title"') : inbox.index('id="running-title"')]
    assert url(plan_a.mine) in upcoming and expected in upcoming
    with schema_context(tenant_a.schema_name):
        parts_arrive(plan_a)
    page = supplier_portal.get(url(plan_a.mine)).content.decode()
    assert "Start production" in page and "Waiting for" not in page
    assert "Waiting for" not in supplier_portal.get("/portal/jobs/").content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["form post", "htmx"])
def test_starting_before_the_parts_are_there_is_refused_inline_and_changes_nothing(
    supplier_portal, plan_a, tenant_a, other_carrier_a, headers
):
    expected = waiting(other_carrier_a)
    supplier_portal.post(url(plan_a.mine, "accept"))
    with schema_context(tenant_a.schema_name):
        events = OrderEvent.objects.filter(work_item_id=plan_a.mine.pk).count()
    response = supplier_portal.post(url(plan_a.mine, "start"), **headers)
    body = response.content.decode()
    assert response.status_code == 409 and f"Could not start: {expected}" in body
    assert "Nothing was changed." in body
    assert body.lstrip().startswith('<div id="job-card"') is bool(headers)  # htmx swaps the card only
    with schema_context(tenant_a.schema_name):
        job = fresh(plan_a.mine)
        assert (job.status, job.actual_start) == ("accepted", None)
        assert OrderEvent.objects.filter(work_item_id=plan_a.mine.pk).count() == events
        assert job.order.status == "planned"


def test_the_job_starts_once_the_legs_are_done_and_delivered(
    supplier_portal, plan_a, tenant_a, other_carrier_a
):
    supplier_portal.post(url(plan_a.mine, "accept"))
    with schema_context(tenant_a.schema_name):
        for service in (work_item_accept, work_item_start):
            service(work_item_id=plan_a.theirs.pk, actor=None, scope=Scope.SYSTEM)
        work_item_quality_record(work_item_id=plan_a.theirs.pk, actor=None, passed=True, scope=Scope.SYSTEM)
    still = supplier_portal.post(url(plan_a.mine, "start"))
    assert still.status_code == 409
    carrier = other_carrier_a.company.name
    assert f"Could not start: Waiting for the delivery from {carrier}." in still.content.decode()
    with schema_context(tenant_a.schema_name):
        transport_leg_pick_up(leg_id=plan_a.other_leg.pk, actor=None, scope=Scope.SYSTEM)
        transport_leg_deliver(
            leg_id=plan_a.other_leg.pk, actor=None, receiver_name="Goods-in", scope=Scope.SYSTEM
        )
    assert supplier_portal.post(url(plan_a.mine, "start")).status_code == 302
    assert stored(tenant_a, plan_a.mine).status == "in_progress"


# --- htmx -----------------------------------------------------------------------------------------------------


def test_htmx_actions_swap_the_job_card(supplier_portal, ready_a, tenant_a):
    response = supplier_portal.post(url(ready_a.mine, "accept"), **HTMX)
    body = response.content.decode()
    assert (
        response.status_code == 200 and body.lstrip().startswith('<div id="job-card"') and "<html" not in body
    )
    assert "Job accepted" in body and "Start production" in body and "Accept the job" not in body
    refused = supplier_portal.post(url(ready_a.mine, "complete"), **HTMX)
    body = refused.content.decode()
    assert refused.status_code == 409 and body.lstrip().startswith('<div id="job-card"')
    assert "Only a job in progress can be completed." in body
    invalid = supplier_portal.post(url(ready_a.mine, "decline"), {"decline-reason": ""}, **HTMX)
    assert invalid.status_code == 400 and 'id="decline-form"' in invalid.content.decode()
    assert stored(tenant_a, ready_a.mine).status == "accepted"


def test_the_portal_tells_htmx_to_swap_refusals_and_inline_errors(supplier_portal, plan_a):
    """htmx 2 ignores 4xx bodies unless configured; the portal's meta config swaps 400 and 409. htmx reads only
    the first config meta, so there must be exactly one, carrying the base's CSP-safe settings too."""
    page = supplier_portal.get(url(plan_a.mine)).content.decode()
    assert page.count('name="htmx-config"') == 1
    config = page.split('name="htmx-config" content=\'', 1)[1].split("'", 1)[0]
    assert '"code":"40[09]","swap":true' in config
    assert '"allowEval": false' in config and '"allowScriptTags": false' in config


# --- quality check input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("photo", "error"),
    [
        (not_an_image, "This file is not a readable image."),
        (big_png, "images may be at most 5 MB"),
        (png_bomb, "at most 40 megapixels"),  # 200 MP in 24 KB: Pillow's DecompressionBombError was a 500
        (partial(png_bomb, 9000, 9000), "at most 40 megapixels"),  # 81 MP in 9.9 KB was accepted
    ],
    ids=["not-an-image", "too-large", "bomb-200mp", "bomb-81mp"],
)
def test_quality_photos_must_be_images_of_at_most_5_mb(supplier_portal, ready_a, tenant_a, photo, error):
    to_in_progress(supplier_portal, ready_a.mine)
    response = supplier_portal.post(url(ready_a.mine, "quality"), {**quality_post(), "qc-photo": photo()})
    page = response.content.decode()
    assert response.status_code == 400 and error in page
    assert 'id="id_qc-photo_error"' in page  # next to the photo field
    assert 'value="1801"' in page  # the measurements typed are kept
    with schema_context(tenant_a.schema_name):
        assert fresh(ready_a.mine).status == "in_progress"
        assert not QualityCheck.objects.filter(work_item_id=ready_a.mine.pk).exists()


def test_measurement_rows_are_validated(supplier_portal, ready_a, tenant_a):
    to_in_progress(supplier_portal, ready_a.mine)
    nameless = supplier_portal.post(url(ready_a.mine, "quality"), quality_post(rows=(("", "3.2"),)))
    assert nameless.status_code == 400 and "Name the measurement." in nameless.content.decode()
    twice = supplier_portal.post(url(ready_a.mine, "quality"), quality_post(rows=(("w", "1"), ("w", "2"))))
    assert twice.status_code == 400 and "w appears twice" in twice.content.decode()
    no_verdict = supplier_portal.post(url(ready_a.mine, "quality"), quality_post(outcome=""))
    assert no_verdict.status_code == 400 and "This field is required." in no_verdict.content.decode()
    assert stored(tenant_a, ready_a.mine).status == "in_progress"


# --- problems -------------------------------------------------------------------------------------------------


def test_reporting_a_problem_records_it_for_staff_without_changing_the_job(supplier_portal, plan_a, tenant_a):
    blank = supplier_portal.post(url(plan_a.mine, "problem"), {"problem-reason": ""})
    assert blank.status_code == 400 and "This field is required." in blank.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not JobProblem.objects.filter(work_item_id=plan_a.mine.pk).exists()
    response = supplier_portal.post(url(plan_a.mine, "problem"), {"problem-reason": "Oak delivery is late"})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        note = OrderEvent.objects.get(work_item_id=plan_a.mine.pk, kind=EventKind.NOTE)
        assert "Oak delivery is late" in note.reason and not note.customer_visible
        assert fresh(plan_a.mine).status == "offered"
        problem = JobProblem.objects.get(work_item_id=plan_a.mine.pk)
        assert (problem.text, problem.status, problem.gave_back) == ("Oak delivery is late", "open", False)


def test_a_problem_can_give_an_unstarted_job_back(supplier_portal, plan_a, tenant_a):
    supplier_portal.post(url(plan_a.mine, "accept"))
    supplier_portal.post(
        url(plan_a.mine, "problem"), {"problem-reason": "Spindle broke", "problem-give_back": "on"}
    )
    job = stored(tenant_a, plan_a.mine)
    assert job.status == "declined" and job.decline_reason == "Problem reported: Spindle broke"


def test_a_started_job_cannot_be_given_back_but_problems_are_still_recorded(
    supplier_portal, ready_a, tenant_a
):
    to_in_progress(supplier_portal, ready_a.mine)
    page = supplier_portal.get(url(ready_a.mine)).content.decode()
    assert "problem-reason" in page and "problem-give_back" not in page
    supplier_portal.post(
        url(ready_a.mine, "problem"), {"problem-reason": "Crack in the top", "problem-give_back": "on"}
    )
    with schema_context(tenant_a.schema_name):
        assert fresh(ready_a.mine).status == "in_progress"
        assert OrderEvent.objects.filter(work_item_id=ready_a.mine.pk, kind=EventKind.NOTE).count() == 1


def test_a_reported_problem_is_listed_on_the_job_with_its_status(
    supplier_portal, plan_a, tenant_a, make_user, django_capture_on_commit_callbacks
):
    assert 'id="job-problems"' not in supplier_portal.get(url(plan_a.mine)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_portal.post(
            url(plan_a.mine, "problem"), {"problem-reason": "Oak delivery is late"}, follow=True
        )
    page = response.content.decode()
    assert "Problem reported: the network&#x27;s staff have been told." in page
    listed = page[page.index('id="job-problems"') :]
    assert "Oak delivery is late" in listed and ">open</span>" in listed
    (message,) = deliver_emails(tenant_a)
    assert "owner@alpha.test" in message.to and "Oak delivery is late" in message.body
    with schema_context(tenant_a.schema_name):
        problem = JobProblem.objects.get(work_item_id=plan_a.mine.pk)
        job_problem_resolve(problem_id=problem.pk, actor=make_user(tenant_a, Role.STAFF), note="Sorted")
    again = supplier_portal.get(url(plan_a.mine)).content.decode()
    listed = again[again.index('id="job-problems"') :]
    assert ">resolved</span>" in listed and "Sorted" not in again  # staff's note is theirs


def test_a_rejected_problem_report_keeps_the_input_and_changes_nothing(supplier_portal, plan_a, tenant_a):
    long_text = "Spindle broke " * 200  # over the limit
    response = supplier_portal.post(
        url(plan_a.mine, "problem"), {"problem-reason": long_text, "problem-give_back": "on"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 400 and body.lstrip().startswith('<div id="job-card"')
    assert "Ensure this value has at most 2000 characters" in body
    assert long_text.strip() in body and 'id="id_problem-give_back" checked' in body
    assert '<details class="problem" open>' in body
    with schema_context(tenant_a.schema_name):
        assert fresh(plan_a.mine).status == "offered"
        assert not JobProblem.objects.filter(work_item_id=plan_a.mine.pk).exists()


def test_giving_a_job_back_lists_the_problem_as_given_back(supplier_portal, plan_a, tenant_a):
    response = supplier_portal.post(
        url(plan_a.mine, "problem"), {"problem-reason": "Spindle broke", "problem-give_back": "on"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "the job given back" in body
    assert "job given back" in body[body.index('id="job-problems"') :]
    with schema_context(tenant_a.schema_name):
        assert JobProblem.objects.get(work_item_id=plan_a.mine.pk).gave_back


# --- ownership ------------------------------------------------------------------------------------------------

ACTIONS = ["accept", "decline", "start", "complete", "problem", "quality"]


def test_another_suppliers_job_is_404_on_every_page_and_action(supplier_portal, plan_a, tenant_a):
    theirs = plan_a.theirs
    assert supplier_portal.get(url(theirs)).status_code == 404
    for action in ACTIONS:
        data = {"decline-reason": "x", "problem-reason": "x", **quality_post()}
        assert supplier_portal.post(url(theirs, action), data).status_code == 404, action
    with schema_context(tenant_a.schema_name):
        assert fresh(theirs).status == "offered"
        assert not OrderEvent.objects.filter(work_item=theirs, kind=EventKind.NOTE).exists()
        assert not JobProblem.objects.filter(work_item=theirs).exists()


def test_unknown_actions_and_get_on_actions(supplier_portal, plan_a):
    assert supplier_portal.post(url(plan_a.mine, "approve")).status_code == 404
    assert supplier_portal.get(url(plan_a.mine, "accept")).status_code == 405
    assert supplier_portal.get("/portal/jobs/999999/").status_code == 404


def test_carriers_strangers_and_anonymous_visitors_get_no_jobs(
    client_a, tenant_a, plan_a, carrier_a, make_user
):
    pages = ["/portal/jobs/", url(plan_a.mine)]
    for page in pages:
        response = client_a.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_a.post(url(plan_a.mine, "accept")).status_code == 302
    sign_in(client_a, tenant_a, carrier_a.user)
    for page in pages:
        assert client_a.get(page).status_code == 404, page
    assert client_a.post(url(plan_a.mine, "accept")).status_code == 404
    sign_in(client_a, tenant_a, make_user(tenant_a))
    for page in pages:
        assert client_a.get(page).status_code == 404, page
    assert stored(tenant_a, plan_a.mine).status == "offered"


def test_other_networks_never_see_alphas_jobs(
    client_a, client_b, tenant_a, tenant_b, plan_a, supplier_a, supplier_b
):
    sign_in(client_b, tenant_b, supplier_b.user)
    with schema_context(tenant_b.schema_name):
        assert not WorkItem.objects.filter(pk=plan_a.mine.pk).exists()
    assert client_b.get(url(plan_a.mine)).status_code == 404
    assert client_b.post(url(plan_a.mine, "accept")).status_code == 404
    assert plan_a.order.reference.encode() not in client_b.get("/portal/jobs/").content
    sign_in(client_a, tenant_a, supplier_a.user)
    client_a.defaults["HTTP_HOST"] = "beta.localhost"  # an alpha session means nothing on beta
    assert client_a.get(url(plan_a.mine)).status_code == 302
    assert stored(tenant_a, plan_a.mine).status == "offered"
