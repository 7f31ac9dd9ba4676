"""The designer's CAD products API: upload (the uploads API, as customers), start a product from the upload, narrow
its options, test-quote it, submit it through the templates API; another designer's upload or product and
another network are 404s, options outside the product's a 400 with a field error, a published version 409, and the
endpoints are in the OpenAPI schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.uploads.models import PartUpload
from apps.uploads.status import UploadStatus
from tests.conftest import api_token_for, host_of
from tests.designers.cad_builders import PLA_BLACK, cad_designer, cad_draft, cad_published
from tests.uploads import samples
from tests.uploads.part_network import analysed_upload, cube_mesh, parts_network  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

BASE = "/api/v1/designer/cad-products/"


def api(tenant, user) -> Client:
    return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")


@pytest.fixture
def studio(parts_network):  # noqa: F811 - the fixture imported above
    return cad_designer()


@pytest.fixture
def designer_api(tenant_a, studio) -> Client:
    return api(tenant_a, studio[1])


def test_a_designer_uploads_then_starts_a_product_from_the_upload(designer_api, studio, tmp_path):
    stl = samples.box_stl(tmp_path)
    uploaded = designer_api.post(
        "/api/v1/uploads/", {"file": SimpleUploadedFile("clip.stl", stl.read_bytes())}
    )
    assert uploaded.status_code == 201, uploaded.content
    upload_id = uploaded.json()["id"]
    created = designer_api.post(
        BASE, {"upload": upload_id, "definition": {"name": "Desk clip"}}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["name"], body["definition"]["upload"]) == ("draft", "Desk clip", upload_id)
    # still analysing: the part's check says so, and submitting is refused with it
    assert body["issues"][0]["section"] == "part", body["issues"]
    refused = designer_api.post(
        f"/api/v1/designer/templates/{body['id']}/submit/", {}, content_type="application/json"
    )
    assert refused.status_code == 400 and "part" in refused.json()
    assert PartUpload.objects.get(pk=upload_id).status in (UploadStatus.PENDING, UploadStatus.ANALYSING)


def test_options_narrowed_quoted_and_submitted_through_the_api(designer_api, studio):
    designer, member = studio
    draft = cad_draft(designer, member)
    options = designer_api.get(f"{BASE}{draft.pk}/options/")
    assert options.status_code == 200
    body = options.json()
    assert "pla" in body["offered"]["material"] and body["chosen"]["material"] == ["petg", "pla"]
    assert {m["value"] for p in body["choices"]["processes"] for m in p["materials"]} == {"pla", "petg"}
    assert body["defaults"]["process"] == "fdm_printing"

    bad = designer_api.patch(
        f"{BASE}{draft.pk}/",
        {"definition": {"options": {"material": ["unobtainium"]}}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "options.material" in bad.json()
    changed = designer_api.patch(
        f"{BASE}{draft.pk}/",
        {"definition": {"name": "Clip", "options": {"material": ["pla"]}}},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["definition"]["options"] == {"material": ["pla"]}

    quote = designer_api.post(
        f"{BASE}{draft.pk}/quote/", {"options": PLA_BLACK, "quantity": 2}, content_type="application/json"
    )
    assert quote.status_code == 200, quote.content
    assert quote.json()["price_minor"] > 0
    outside = designer_api.post(
        f"{BASE}{draft.pk}/quote/",
        {"options": {**PLA_BLACK, "material": "petg"}},
        content_type="application/json",
    )
    assert outside.status_code == 400 and set(outside.json()["options"]) == {"material"}

    submitted = designer_api.post(
        f"/api/v1/designer/templates/{draft.pk}/submit/", {}, content_type="application/json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    frozen = designer_api.patch(
        f"{BASE}{draft.pk}/", {"definition": {"name": "Late"}}, content_type="application/json"
    )
    assert frozen.status_code == 409


def test_a_published_version_answers_409_and_another_designers_or_networks_404(
    designer_api, studio, tenant_a, tenant_b
):
    designer, member = studio
    product = cad_published(designer, member)
    assert (
        designer_api.patch(
            f"{BASE}{product.pk}/", {"definition": {"name": "X"}}, content_type="application/json"
        ).status_code
        == 409
    )
    _rival, rival_member = cad_designer("Rival")
    rival = api(tenant_a, rival_member)
    for url in (f"{BASE}{product.pk}/", f"{BASE}{product.pk}/options/"):
        assert rival.get(url).status_code == 404
    assert (
        rival.post(
            f"{BASE}{product.pk}/quote/", {"options": PLA_BLACK}, content_type="application/json"
        ).status_code
        == 404
    )
    theirs = analysed_upload(rival_member, cube_mesh(30))
    stolen = designer_api.post(BASE, {"upload": str(theirs.pk)}, content_type="application/json")
    assert stolen.status_code == 404
    assert not ProductTemplate.objects.filter(part_upload=theirs).exists()
    assert (
        designer_api.get(f"/api/v1/designer/templates/{product.pk}/").json()["status"]
        == TemplateStatus.PUBLISHED
    )
    with schema_context(tenant_b.schema_name):  # a designer of another network, same id asked
        _beta, beta_member = cad_designer("Beta Studio")
        beta = api(tenant_b, beta_member)
    assert beta.get(f"{BASE}{product.pk}/").status_code == 404
    assert (
        beta.patch(f"{BASE}{product.pk}/", {"definition": {}}, content_type="application/json").status_code
        == 404
    )


def test_the_endpoints_are_in_the_openapi_schema(client_a, in_tenant_a):
    paths = client_a.get("/api/schema/?format=json").json()["paths"]
    for path in (
        BASE,
        f"{BASE}{{template_id}}/",
        f"{BASE}{{template_id}}/options/",
        f"{BASE}{{template_id}}/quote/",
    ):
        assert path in paths, path
    assert set(paths[f"{BASE}{{template_id}}/"]) >= {"get", "patch"}
