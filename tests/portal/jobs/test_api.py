"""Supplier jobs and carrier legs over the API: token auth, the member's company only, the same services as the
pages (400 naming the field, 409 out of order with nothing changed), and an OpenAPI schema without warnings."""

import json
from functools import partial

import pytest
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from apps.orders.models import JobProblem, QualityCheck, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import work_item_accept
from apps.payouts.selectors import statement_for_leg, statement_for_work_item
from apps.portal.api.serializers import JobSerializer
from tests.mail import deliver_emails
from tests.portal.jobs.builders import api, big_png, fresh, not_an_image, parts_arrive, png, png_bomb

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/supplier/jobs/"
LEGS = "/api/v1/carrier/legs/"
PERSONAL = ("Ada Lovelace", "Oudegracht", "3511 AB")


def post_json(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def stored(tenant, row):
    with schema_context(tenant.schema_name):
        return fresh(row)


# --- jobs -----------------------------------------------------------------------------------------------------


def test_the_job_list_holds_the_companys_own_jobs(supplier_a, plan_a):
    client = api(supplier_a)
    body = client.get(JOBS).json()
    assert [job["id"] for job in body["results"]] == [plan_a.mine.pk]
    job = body["results"][0]
    assert job["status"] == "offered" and job["order_reference"] == plan_a.order.reference
    assert job["delivery_city"] == "Utrecht" and job["process_label"] == "CNC milling"
    assert job["material"] == "oak" and job["dimensions_mm"] == [1800.0, 900.0, 40.0]
    assert job["resource"] == {"id": supplier_a.resource.pk, "name": supplier_a.resource.name}
    assert "statement" not in job and not any(value in json.dumps(body) for value in PERSONAL)
    assert client.get(f"{JOBS}?status=accepted").json()["results"] == []
    bad = client.get(f"{JOBS}?status=maybe")
    assert bad.status_code == 400 and "status" in bad.json()


def test_a_job_carries_its_statement_before_it_is_accepted(supplier_a, plan_a, tenant_a):
    body = api(supplier_a).get(f"{JOBS}{plan_a.mine.pk}/").json()
    with schema_context(tenant_a.schema_name):
        statement = statement_for_work_item(fresh(plan_a.mine))
    assert body["status"] == "offered" and body["quality_checks"] == []
    assert body["statement"]["part_amount_minor"] == statement.part_amount_minor > body["cost_minor"]
    assert body["statement"]["lines"] == list(statement.lines)
    assert body["statement"]["provisional"] is True and body["statement"]["currency"] == "EUR"


def test_accept_start_complete_and_quality_check_with_a_photo(supplier_a, ready_a, tenant_a):
    client = api(supplier_a)
    base = f"{JOBS}{ready_a.mine.pk}"
    assert post_json(client, f"{base}/accept/").json()["status"] == "accepted"
    assert post_json(client, f"{base}/start/").json()["status"] == "in_progress"
    completed = post_json(client, f"{base}/complete/").json()
    assert completed["status"] == "in_progress" and completed["actual_end"]
    response = client.post(
        f"{base}/quality-check/",
        {"passed": "true", "measurements": json.dumps({"width_mm": 1801}), "notes": "ok", "photo": png()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["quality_checks"][0]["has_photo"] is True
    assert body["quality_checks"][0]["measurements"] == {"width_mm": 1801}
    with schema_context(tenant_a.schema_name):
        assert QualityCheck.objects.get(work_item_id=ready_a.mine.pk).photo


def test_a_json_quality_check_without_photo(supplier_a, ready_a, tenant_a):
    client = api(supplier_a)
    base = f"{JOBS}{ready_a.mine.pk}"
    post_json(client, f"{base}/accept/")
    post_json(client, f"{base}/start/")
    failed = post_json(
        client, f"{base}/quality-check/", {"passed": False, "measurements": {"flatness_mm": 2.5}}
    )
    assert failed.status_code == 201 and failed.json()["status"] == "failed"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"measurements": json.dumps({"width_mm": 1801})}, "passed"),  # a form body without a verdict
        ({"passed": "true", "measurements": "{not json"}, "measurements"),
        ({"passed": "true", "measurements": json.dumps({"width": {"mm": 1801}})}, "measurements"),
        ({"passed": "true", "photo": "not-an-image"}, "photo"),
        ({"passed": "true", "photo": "too-big"}, "photo"),
        ({"passed": "true", "photo": "bomb-200mp"}, "photo"),
        ({"passed": "true", "photo": "bomb-81mp"}, "photo"),
    ],
)
def test_quality_check_input_errors_name_the_field(supplier_a, ready_a, tenant_a, data, field):
    client = api(supplier_a)
    base = f"{JOBS}{ready_a.mine.pk}"
    post_json(client, f"{base}/accept/")
    post_json(client, f"{base}/start/")
    photos = {
        "not-an-image": not_an_image,
        "too-big": big_png,
        "bomb-200mp": png_bomb,
        "bomb-81mp": partial(png_bomb, 9000, 9000),
    }
    if data.get("photo") in photos:
        data = {**data, "photo": photos[data["photo"]]()}
    response = client.post(f"{base}/quality-check/", data)
    assert response.status_code == 400 and field in response.json(), response.json()
    with schema_context(tenant_a.schema_name):
        assert fresh(ready_a.mine).status == "in_progress"
        assert not QualityCheck.objects.filter(work_item_id=ready_a.mine.pk).exists()


def test_declining_needs_a_reason(supplier_a, plan_a, tenant_a):
    client = api(supplier_a)
    missing = post_json(client, f"{JOBS}{plan_a.mine.pk}/decline/", {"reason": ""})
    assert missing.status_code == 400 and "reason" in missing.json()
    assert stored(tenant_a, plan_a.mine).status == "offered"
    declined = post_json(client, f"{JOBS}{plan_a.mine.pk}/decline/", {"reason": "Mill down"})
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "Mill down"


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], "complete", "Only a job in progress can be completed."),
        ([], "quality-check", "Quality is checked on a job in progress."),
        (["decline"], "start", "This job is declined."),
        (["accept", "start"], "accept", "This job is in progress."),
    ],
)
def test_actions_out_of_order_are_409_and_change_nothing(
    supplier_a, ready_a, tenant_a, setup, action, message
):
    client = api(supplier_a)
    base = f"{JOBS}{ready_a.mine.pk}"
    for step in setup:
        assert post_json(client, f"{base}/{step}/", {"reason": "No capacity"}).status_code == 200
    before = stored(tenant_a, ready_a.mine)
    response = post_json(client, f"{base}/{action}/", {"passed": True})
    assert response.status_code == 409 and response.json()["detail"] == message
    after = stored(tenant_a, ready_a.mine)
    assert (after.status, after.actual_start, after.actual_end) == (
        before.status,
        before.actual_start,
        before.actual_end,
    )


def test_start_before_the_parts_are_there_is_409_naming_them_and_changes_nothing(
    supplier_a, plan_a, tenant_a, other_carrier_a
):
    client = api(supplier_a)
    base = f"{JOBS}{plan_a.mine.pk}"
    post_json(client, f"{base}/accept/")
    carrier = other_carrier_a.company.name
    refused = post_json(client, f"{base}/start/")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"Waiting for 'Legs' (offered) and the delivery from {carrier}.",
        "status": "accepted",
        "waiting_for": ["'Legs' (offered)", f"the delivery from {carrier}"],
    }
    after = stored(tenant_a, plan_a.mine)
    assert (after.status, after.actual_start) == ("accepted", None)
    assert client.get(f"{base}/").json()["waiting_for"] == refused.json()["waiting_for"]
    listed = {job["id"]: job["waiting_for"] for job in client.get(JOBS).json()["results"]}
    assert listed[plan_a.mine.pk] == refused.json()["waiting_for"]
    with schema_context(tenant_a.schema_name):
        parts_arrive(plan_a)
    assert client.get(f"{base}/").json()["waiting_for"] == []
    started = post_json(client, f"{base}/start/")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"


def test_another_suppliers_job_is_404_everywhere(supplier_a, plan_a, tenant_a, carrier_a):
    client = api(supplier_a)
    theirs = f"{JOBS}{plan_a.theirs.pk}"
    assert client.get(f"{theirs}/").status_code == 404
    for action in ("accept", "decline", "start", "complete", "quality-check"):
        assert post_json(client, f"{theirs}/{action}/", {"reason": "x", "passed": True}).status_code == 404
    assert stored(tenant_a, plan_a.theirs).status == "offered"
    assert api(carrier_a).get(JOBS).status_code == 404  # a carrier is no supplier
    assert api(carrier_a).post(f"{JOBS}{plan_a.mine.pk}/accept/").status_code == 404
    assert stored(tenant_a, plan_a.mine).status == "offered"


def test_other_networks_cannot_reach_alphas_jobs(supplier_a, supplier_b, plan_a, tenant_b):
    assert api(supplier_b, tenant=supplier_a.tenant).get(JOBS).status_code == 401
    with schema_context(tenant_b.schema_name):
        assert not WorkItem.objects.filter(pk=plan_a.mine.pk).exists()
    assert api(supplier_b).get(f"{JOBS}{plan_a.mine.pk}/").status_code == 404
    assert api(supplier_b).get(JOBS).json()["results"] == []


# --- problems -------------------------------------------------------------------------------------------------


def problems_on(tenant, job) -> list:
    with schema_context(tenant.schema_name):
        return list(JobProblem.objects.filter(work_item_id=job.pk))


def test_reporting_a_problem_records_it_and_emails_staff(
    supplier_a, plan_a, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(api(supplier_a), f"{JOBS}{plan_a.mine.pk}/problem/", {"reason": "Oak is late"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "offered" and len(body["problems"]) == 1
    listed = body["problems"][0]
    assert (listed["reason"], listed["status"], listed["gave_back"]) == ("Oak is late", "open", False)
    (problem,) = problems_on(tenant_a, plan_a.mine)
    assert listed["id"] == problem.pk and problem.reported_by_id == supplier_a.user.pk
    (message,) = deliver_emails(tenant_a)
    assert "owner@alpha.test" in message.to and "Oak is late" in message.body
    assert api(supplier_a).get(f"{JOBS}{plan_a.mine.pk}/").json()["problems"] == body["problems"]


def test_a_problem_can_give_an_unstarted_job_back_over_the_api(supplier_a, plan_a, tenant_a):
    response = post_json(
        api(supplier_a), f"{JOBS}{plan_a.mine.pk}/problem/", {"reason": "Spindle broke", "give_back": True}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "declined" and body["decline_reason"] == "Problem reported: Spindle broke"
    assert body["problems"][0]["gave_back"] is True


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"reason": "x", "give_back": "maybe"}, "give_back"),
    ],
)
def test_problem_input_errors_name_the_field(supplier_a, plan_a, tenant_a, data, field):
    response = post_json(api(supplier_a), f"{JOBS}{plan_a.mine.pk}/problem/", data)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert problems_on(tenant_a, plan_a.mine) == [] and stored(tenant_a, plan_a.mine).status == "offered"


def test_problems_out_of_order_are_409_and_change_nothing(supplier_a, ready_a, tenant_a):
    client = api(supplier_a)
    base = f"{JOBS}{ready_a.mine.pk}"
    post_json(client, f"{base}/accept/")
    post_json(client, f"{base}/start/")
    given_back = post_json(client, f"{base}/problem/", {"reason": "Crack", "give_back": True})
    assert given_back.status_code == 409 and given_back.json()["status"] == "in_progress"
    assert "only a job not started yet can be given back" in given_back.json()["detail"]
    assert (
        stored(tenant_a, ready_a.mine).status == "in_progress" and problems_on(tenant_a, ready_a.mine) == []
    )
    post_json(client, f"{base}/quality-check/", {"passed": True})
    done = post_json(client, f"{base}/problem/", {"reason": "Crack"})
    assert done.status_code == 409
    assert done.json() == {
        "detail": "This job is done (quality passed); write to the network's staff instead.",
        "status": "done",
    }
    assert problems_on(tenant_a, ready_a.mine) == []


def test_another_suppliers_or_networks_job_takes_no_problem(
    supplier_a, supplier_b, plan_a, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = post_json(api(supplier_a), f"{JOBS}{plan_a.theirs.pk}/problem/", {"reason": "x"})
        other_network = post_json(api(supplier_b), f"{JOBS}{plan_a.mine.pk}/problem/", {"reason": "x"})
        foreign_token = post_json(
            api(supplier_b, tenant=tenant_a), f"{JOBS}{plan_a.mine.pk}/problem/", {"reason": "x"}
        )
    assert (theirs.status_code, other_network.status_code, foreign_token.status_code) == (404, 404, 401)
    assert problems_on(tenant_a, plan_a.theirs) == [] and problems_on(tenant_a, plan_a.mine) == []
    assert deliver_emails(tenant_a) == []


# --- legs -----------------------------------------------------------------------------------------------------


def test_the_leg_list_and_detail(carrier_a, plan_a, tenant_a, supplier_a):
    client = api(carrier_a)
    body = client.get(LEGS).json()
    assert [leg["id"] for leg in body["results"]] == [plan_a.leg.pk]
    leg = client.get(f"{LEGS}{plan_a.leg.pk}/").json()
    assert (
        leg["origin"]["label"] == supplier_a.company.name and leg["origin"]["city"] == supplier_a.company.city
    )
    assert leg["destination"] == {
        "label": "Customer",
        "city": "Utrecht",
        "latitude": "52.090700",
        "longitude": "5.121400",
    }
    assert leg["parts"] == "finished product (1 pc) for 1 × Kitchen table" and leg["weight_kg"] == "42.50"
    assert leg["planned_departure"] and leg["planned_arrival"] and leg["is_last_mile"] is True
    with schema_context(tenant_a.schema_name):
        statement = statement_for_leg(fresh(plan_a.leg))
    assert leg["statement"]["part_amount_minor"] == statement.part_amount_minor
    assert not any(value in json.dumps(leg) for value in PERSONAL)


def test_a_pick_up_before_the_part_is_made_is_409_with_what_it_waits_for(carrier_a, plan_a, tenant_a):
    """The report: a leg whose source job was only accepted answered 200 to pick-up and deliver."""
    with schema_context(tenant_a.schema_name):
        work_item_accept(work_item_id=plan_a.mine.pk, actor=None, scope=Scope.SYSTEM)
    client = api(carrier_a)
    base = f"{LEGS}{plan_a.leg.pk}"
    listed = next(leg for leg in client.get(LEGS).json()["results"] if leg["id"] == plan_a.leg.pk)
    assert listed["actions"] == [] and listed["waiting_for"] == ["'Table top' (accepted)"]
    early = post_json(client, f"{base}/pick-up/")
    assert early.status_code == 409 and early.json() == {
        "detail": "Waiting for 'Table top' (accepted).",
        "status": "planned",
        "waiting_for": ["'Table top' (accepted)"],
    }
    assert post_json(client, f"{base}/deliver/", {"receiver_name": "Ada"}).status_code == 409
    leg = stored(tenant_a, plan_a.leg)
    assert leg.status == "planned" and leg.picked_up_at is None and leg.delivered_at is None


def test_deliver_before_pick_up_is_409_then_the_happy_path(carrier_a, made_a, tenant_a):
    plan_a = made_a
    client = api(carrier_a)
    base = f"{LEGS}{plan_a.leg.pk}"
    early = post_json(client, f"{base}/deliver/", {"receiver_name": "Ada"})
    assert early.status_code == 409 and early.json()["detail"] == "This leg is planned."
    assert stored(tenant_a, plan_a.leg).status == "planned"
    assert client.get(f"{base}/").json()["actions"] == ["pick-up"]
    assert post_json(client, f"{base}/pick-up/").json()["status"] == "picked_up"
    nobody = post_json(client, f"{base}/deliver/", {"receiver_name": ""})
    assert nobody.status_code == 400 and "receiver_name" in nobody.json()
    for photo in (not_an_image(), png_bomb(), png_bomb(9000, 9000)):
        bad_photo = client.post(f"{base}/deliver/", {"receiver_name": "Ada", "photo": photo})
        assert bad_photo.status_code == 400 and "photo" in bad_photo.json()
    assert stored(tenant_a, plan_a.leg).status == "picked_up"
    done = client.post(f"{base}/deliver/", {"receiver_name": "Ada", "photo": png()})
    assert done.status_code == 200 and done.json()["status"] == "delivered" and done.json()["has_proof_photo"]
    assert stored(tenant_a, plan_a.leg).receiver_name == "Ada"


def test_another_carriers_leg_is_404(carrier_a, supplier_a, plan_a, tenant_a, carrier_b):
    client = api(carrier_a)
    other = f"{LEGS}{plan_a.other_leg.pk}"
    assert client.get(f"{other}/").status_code == 404
    assert post_json(client, f"{other}/pick-up/").status_code == 404
    assert post_json(client, f"{other}/deliver/", {"receiver_name": "x"}).status_code == 404
    assert stored(tenant_a, plan_a.other_leg).status == "planned"
    assert api(supplier_a).get(LEGS).status_code == 404
    assert api(carrier_b, tenant=carrier_a.tenant).get(LEGS).status_code == 401
    with schema_context(carrier_b.tenant.schema_name):
        assert not TransportLeg.objects.filter(pk=plan_a.leg.pk).exists()
    assert api(carrier_b).get(f"{LEGS}{plan_a.leg.pk}/").status_code == 404


# --- schema ---------------------------------------------------------------------------------------------------


def test_the_schema_describes_jobs_and_legs_without_warnings(client_a, capsys):
    from apps.portal.api import urls

    schema = SchemaGenerator(patterns=urls.urlpatterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in (
        "/supplier/jobs/",
        "/supplier/jobs/{id}/",
        "/supplier/jobs/{id}/accept/",
        "/supplier/jobs/{id}/decline/",
        "/supplier/jobs/{id}/problem/",
        "/supplier/jobs/{id}/start/",
        "/supplier/jobs/{id}/complete/",
        "/supplier/jobs/{id}/quality-check/",
        "/carrier/legs/",
        "/carrier/legs/{id}/",
        "/carrier/legs/{id}/pick-up/",
        "/carrier/legs/{id}/deliver/",
    ):
        assert path in paths, path
    quality = paths["/supplier/jobs/{id}/quality-check/"]["post"]
    assert "multipart/form-data" in quality["requestBody"]["content"] and "409" in quality["responses"]
    problem = paths["/supplier/jobs/{id}/problem/"]["post"]
    assert {"201", "400", "404", "409"} <= set(problem["responses"])
    body = problem["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][body]["required"] == ["reason"]
    err = capsys.readouterr().err
    assert "Warning" not in err and "Error" not in err, err
    full = client_a.get("/api/schema/")
    assert full.status_code == 200 and b"/api/v1/supplier/jobs/{id}/quality-check/" in full.content


def test_a_job_read_without_the_process_name_annotation_is_labelled_from_the_catalog(plan_a, tenant_a):
    """The serializer's fallback for a job not read through jobs.job_rows named a function jobs.py never had."""
    with schema_context(tenant_a.schema_name):
        job = WorkItem.objects.get(pk=plan_a.mine.pk)
        assert not hasattr(job, "process_name")
        assert JobSerializer(job).data["process_label"] == "CNC milling"
