"""The designer templates API and the staff review API: drafts only change, the review state machine answers 409
for a step its status does not allow, another designer's template is a 404 like a missing one, bad input is a 400
with each problem under where it is, and both are in the OpenAPI schema."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate, TemplateStatus
from tests.conftest import api_token_for, host_of
from tests.designers.studio.conftest import stand_definition

pytestmark = pytest.mark.django_db

BASE = "/api/v1/designer/templates/"


def api(tenant, user) -> Client:
    return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")


@pytest.fixture
def designer_api(tenant_a, studio_member):
    return api(tenant_a, studio_member)


@pytest.fixture
def staff_api(tenant_a, make_user):
    return api(tenant_a, make_user(tenant_a, Role.STAFF))


def test_a_designer_creates_edits_submits_and_staff_approve(designer_api, staff_api, studio_designer):
    created = designer_api.post(BASE, {"definition": stand_definition()}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["version"], body["issues"]) == ("draft", 1, [])
    template_id = body["id"]
    definition = body["definition"]
    definition["name"] = "Designer stand, renamed"
    changed = designer_api.put(
        f"{BASE}{template_id}/", {"definition": definition}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Designer stand, renamed"
    submitted = designer_api.post(
        f"{BASE}{template_id}/submit/", {"note": "v1"}, content_type="application/json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    queue = staff_api.get("/api/v1/catalog/reviews/").json()
    assert [row["id"] for row in queue["results"]] == [template_id]
    review = staff_api.get(f"/api/v1/catalog/reviews/{template_id}/").json()
    assert review["published"] is None and review["changes"][0]["kind"] == "added"
    decided = staff_api.post(
        f"/api/v1/catalog/reviews/{template_id}/decision/",
        {"decision": "approve", "notes": "Nice"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["version"]["status"] == "published"
    # published: frozen; a new version is a draft that shows its changes to the reviewer
    frozen = designer_api.put(
        f"{BASE}{template_id}/", {"definition": definition}, content_type="application/json"
    )
    assert frozen.status_code == 409
    v2 = designer_api.post(f"{BASE}{template_id}/versions/")
    assert v2.status_code == 201 and v2.json()["version"] == 2
    versions = designer_api.get(f"{BASE}{template_id}/versions/").json()
    assert [(v["version"], v["status"]) for v in versions] == [(2, "draft"), (1, "published")]


def test_bad_input_is_a_400_with_the_place_of_each_problem(designer_api, draft_a):
    definition = stand_definition()
    definition["parameters"][2]["max"] = "many"
    definition["steps"][0]["process"] = "teleportation"
    response = designer_api.put(
        f"{BASE}{draft_a.pk}/", {"definition": definition}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"parameters[2].max", "steps[0].process"}
    for body in (
        {"definition": "a table"},
        {"definition": {"parameters": "x"}},
        {},
        {"definition": {"steps": [7]}},
        {"definition": {"price_break_quantities": 5}},
        {"definition": {"margin_percent": [1], "royalty_bp": {"a": 1}, "transport_buffer_days": "soon"}},
        {"definition": {"parameters": [{"key": "w", "kind": "number", "min": {}, "max_length": []}]}},
        {"definition": {"steps": [{"key": "s", "process": "cnc_milling", "cost_drivers": [1, 2]}]}},
    ):
        response = designer_api.put(f"{BASE}{draft_a.pk}/", body, content_type="application/json")
        assert response.status_code == 400, (body, response.content)
    empty = designer_api.post(f"{BASE}", {"definition": {"name": ""}}, content_type="application/json")
    assert empty.status_code == 400 and "slug" in empty.json()


def test_submitting_a_template_with_problems_is_a_400_naming_them(designer_api, draft_a):
    definition = stand_definition()
    definition["steps"][0]["duration"] = "25 + nowhere"
    designer_api.put(f"{BASE}{draft_a.pk}/", {"definition": definition}, content_type="application/json")
    response = designer_api.post(f"{BASE}{draft_a.pk}/submit/", {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"steps[0].duration": ["Unknown name nowhere."]}


def test_review_steps_out_of_order_are_409(designer_api, staff_api, draft_a):
    approve = staff_api.post(
        f"/api/v1/catalog/reviews/{draft_a.pk}/decision/",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert approve.status_code == 409, "a draft is not in review"
    assert designer_api.post(f"{BASE}{draft_a.pk}/retire/").status_code == 409
    assert designer_api.post(f"{BASE}{draft_a.pk}/versions/").status_code == 409
    designer_api.post(f"{BASE}{draft_a.pk}/submit/", {}, content_type="application/json")
    assert (
        designer_api.post(f"{BASE}{draft_a.pk}/submit/", {}, content_type="application/json").status_code
        == 409
    )
    no_notes = staff_api.post(
        f"/api/v1/catalog/reviews/{draft_a.pk}/decision/",
        {"decision": "request_changes"},
        content_type="application/json",
    )
    assert no_notes.status_code == 400 and "notes" in no_notes.json()
    bad = staff_api.post(
        f"/api/v1/catalog/reviews/{draft_a.pk}/decision/",
        {"decision": "maybe"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "decision" in bad.json()


def test_another_designers_template_is_a_404_everywhere(designer_api, other_designer_draft):
    other = other_designer_draft.pk
    assert designer_api.get(f"{BASE}{other}/").status_code == 404
    assert (
        designer_api.put(
            f"{BASE}{other}/", {"definition": stand_definition()}, content_type="application/json"
        ).status_code
        == 404
    )
    assert designer_api.delete(f"{BASE}{other}/").status_code == 404
    for action in ("submit", "versions", "retire"):
        assert designer_api.post(f"{BASE}{other}/{action}/").status_code == 404, action
    assert designer_api.get(f"{BASE}{other}/versions/").status_code == 404
    assert other not in [row["id"] for row in designer_api.get(BASE).json()["results"]]
    assert ProductTemplate.objects.get(pk=other).status == TemplateStatus.DRAFT


def test_customers_staff_and_other_networks_see_no_designer_templates(tenant_a, tenant_b, make_user, draft_a):
    customer = api(tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert customer.get(BASE).status_code == 404
    assert customer.get(f"{BASE}{draft_a.pk}/").status_code == 404
    assert customer.get("/api/v1/catalog/reviews/").status_code == 404
    assert customer.get(f"/api/v1/catalog/reviews/{draft_a.pk}/").status_code == 404
    staff = api(tenant_a, make_user(tenant_a, Role.STAFF))
    assert staff.get(f"{BASE}{draft_a.pk}/").status_code == 404, "staff review; they do not author"
    with schema_context(tenant_b.schema_name):
        beta_staff = api(tenant_b, make_user(tenant_b, Role.STAFF))
        assert beta_staff.get(f"/api/v1/catalog/reviews/{draft_a.pk}/").status_code == 404, (
            "tenants are walls"
        )
    anonymous = Client(HTTP_HOST=host_of(tenant_a))
    assert anonymous.get(BASE).status_code in (401, 403)


def test_a_draft_is_discarded_and_a_published_one_is_not(designer_api, staff_api, draft_a):
    designer_api.post(f"{BASE}{draft_a.pk}/submit/", {}, content_type="application/json")
    staff_api.post(
        f"/api/v1/catalog/reviews/{draft_a.pk}/decision/",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert designer_api.delete(f"{BASE}{draft_a.pk}/").status_code == 409
    v2 = designer_api.post(f"{BASE}{draft_a.pk}/versions/").json()["id"]
    assert designer_api.delete(f"{BASE}{v2}/").status_code == 204
    assert not ProductTemplate.objects.filter(pk=v2).exists()


def test_the_endpoints_are_in_the_openapi_schema(client_a, in_tenant_a):
    schema = client_a.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/designer/templates/",
        "/api/v1/designer/templates/{template_id}/",
        "/api/v1/designer/templates/{template_id}/submit/",
        "/api/v1/designer/templates/{template_id}/versions/",
        "/api/v1/designer/templates/{template_id}/retire/",
        "/api/v1/catalog/reviews/",
        "/api/v1/catalog/reviews/{template_id}/",
        "/api/v1/catalog/reviews/{template_id}/decision/",
    ):
        assert path in schema["paths"], path
