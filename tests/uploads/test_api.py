"""The uploads API: upload, list and read my uploads, change units, ask for a repair, delete. Bad input gets 400
with field messages (never a 500); another customer's or another network's upload is 404 on every endpoint;
staff read any upload and change none; only customers upload."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from apps.accounts.roles import Role
from apps.outbox.models import OutboxMessage
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.status import UploadStatus
from apps.uploads.upload_handlers import upload_size_limit_install
from tests.conftest import api_token_for, host_of
from tests.uploads.conftest import stored_part

pytestmark = pytest.mark.django_db


def _api(tenant, user=None) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    if user is not None:
        connection.set_tenant(tenant)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token_for(user)}"
    return client


@pytest.fixture
def api(tenant_a, customer, in_tenant_a):
    return _api(tenant_a, customer)


@pytest.fixture
def mine(customer, in_tenant_a):
    return stored_part(customer).upload


def _upload(api, content: bytes, name: str, **fields):
    return api.post("/api/v1/uploads/", {"file": SimpleUploadedFile(name, content), **fields})


def test_list_and_detail_of_my_upload(api, mine):
    listed = api.get("/api/v1/uploads/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(mine.pk)]
    detail = api.get(f"/api/v1/uploads/{mine.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "pending" and body["analysis"] is None and body["error"] is None
    assert body["format"] == "stl" and body["kind"] == "mesh" and body["units"] == "mm"
    assert body["original_url"] == f"/media/{connection.schema_name}/{mine.file.stored_name}"
    assert body["preview_url"].endswith("/preview.glb")


def test_a_ready_upload_shows_its_analysis_and_a_failed_one_its_error(api, mine):
    analysis = {
        "format": "stl",
        "kind": "mesh",
        "findings": [{"code": "mesh_not_watertight", "repairable": True}],
    }
    PartUpload.objects.filter(pk=mine.pk).update(status=UploadStatus.READY, analysis=analysis)
    body = api.get(f"/api/v1/uploads/{mine.pk}/").json()
    assert body["analysis"] == analysis and body["repairable"] is True
    PartUpload.objects.filter(pk=mine.pk).update(
        status=UploadStatus.FAILED, error_code="mesh_truncated", error_message="The STL file ends early."
    )
    body = api.get(f"/api/v1/uploads/{mine.pk}/").json()
    assert body["analysis"] is None
    assert body["error"] == {"code": "mesh_truncated", "message": "The STL file ends early."}


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("delete", "", None),
        ("post", "units/", {"units": "inch"}),
        ("post", "repair/", None),
    ],
)
def test_another_customers_upload_is_404(tenant_a, make_user, mine, method, suffix, data):
    other = _api(tenant_a, make_user(tenant_a, Role.CUSTOMER))
    response = getattr(other, method)(f"/api/v1/uploads/{mine.pk}/{suffix}", data or {})
    assert response.status_code == 404
    assert PartUpload.objects.filter(pk=mine.pk, units="mm", analysis_run=0).exists()


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("delete", ""), ("post", "units/"), ("post", "repair/")]
)
def test_an_upload_of_another_network_is_404(tenant_b, make_user, mine, method, suffix):
    outsider = _api(tenant_b, make_user(tenant_b, Role.STAFF))
    response = getattr(outsider, method)(f"/api/v1/uploads/{mine.pk}/{suffix}")
    assert response.status_code == 404


def test_staff_read_every_upload_and_change_none(tenant_a, make_user, mine):
    staff = _api(tenant_a, make_user(tenant_a, Role.STAFF))
    assert staff.get(f"/api/v1/uploads/{mine.pk}/").status_code == 200
    assert staff.get("/api/v1/uploads/").json()["results"] == []  # the list is the caller's own
    assert staff.post(f"/api/v1/uploads/{mine.pk}/units/", {"units": "inch"}).status_code == 404
    assert staff.delete(f"/api/v1/uploads/{mine.pk}/").status_code == 404
    assert PartUpload.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.SUPPLIER_MEMBER, Role.CARRIER_MEMBER])
def test_only_customers_upload(tenant_a, make_user, role):
    response = _upload(_api(tenant_a, make_user(tenant_a, role)), b"solid x\nendsolid x\n", "x.stl")
    assert response.status_code == 403
    assert not CadFile.objects.exists()


def test_anonymous_gets_401(client_a, mine):
    assert client_a.get("/api/v1/uploads/").status_code == 401
    assert client_a.get(f"/api/v1/uploads/{mine.pk}/").status_code == 401
    assert (
        client_a.post("/api/v1/uploads/", {"file": SimpleUploadedFile("x.stl", b"solid")}).status_code == 401
    )


def test_bad_uploads_get_field_messages_and_write_nothing(api, settings):
    settings.CAD_UPLOAD_MAX_BYTES = 1000
    cases = [
        (api.post("/api/v1/uploads/", {}), "file"),
        (_upload(api, b"", "empty.stl"), "file"),
        (_upload(api, b"%PDF-1.4 a brochure", "brochure.pdf"), "file"),
        (_upload(api, b"solid x\nendsolid x\n", "nameless"), "file"),
        (_upload(api, b"x" * 1001, "big.stl"), "file"),
        (_upload(api, b"solid x\nendsolid x\n", "x.stl", units="furlong"), "units"),
    ]
    for response, field in cases:
        assert response.status_code == 400, response.content
        assert set(response.json()) == {field}, response.json()
    assert "larger than 1000 bytes" in cases[4][0].json()["file"][0]
    assert not CadFile.objects.exists() and not PartUpload.objects.exists()
    assert not OutboxMessage.objects.filter(task_name="uploads.analyse").exists()


def test_a_too_large_body_is_dropped_while_it_streams(settings, rf):
    """The request-level limit stops keeping the file's bytes once they pass the limit: the view never gets the
    file (Django would otherwise spool any size to disk), and knows why."""
    settings.CAD_UPLOAD_MAX_BYTES = 64 * 1024
    big = io.BytesIO(b"solid x\n" + b"x" * (3 * 1024 * 1024))
    big.name = "big.stl"
    request = rf.post("/api/v1/uploads/", {"file": big, "units": "mm"})
    handler = upload_size_limit_install(request)
    assert "file" not in request.FILES
    assert handler.exceeded and handler.received <= settings.CAD_UPLOAD_MAX_BYTES + 2 * 64 * 1024
    small = rf.post("/api/v1/uploads/", {"file": SimpleUploadedFile("small.stl", b"solid x\nendsolid x\n")})
    handler = upload_size_limit_install(small)
    assert small.FILES["file"].read() == b"solid x\nendsolid x\n" and not handler.exceeded


def test_units_are_validated_and_ask_for_a_new_analysis(api, mine):
    assert api.post(f"/api/v1/uploads/{mine.pk}/units/", {}).json() == {"units": ["This field is required."]}
    assert api.post(f"/api/v1/uploads/{mine.pk}/units/", {"units": "cubit"}).status_code == 400
    response = api.post(f"/api/v1/uploads/{mine.pk}/units/", {"units": "inch"})
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["units"] == "inch"
    mine.refresh_from_db()
    assert mine.units_chosen and mine.analysis_run == 1
    message = OutboxMessage.objects.get(task_name="uploads.analyse")
    assert message.kwargs == {"upload_id": str(mine.pk), "run": 1, "repair": False}


def test_repair_of_nothing_repairable_is_409(api, mine):
    response = api.post(f"/api/v1/uploads/{mine.pk}/repair/")
    assert response.status_code == 409
    assert "nothing" in response.json()["detail"]
    PartUpload.objects.filter(pk=mine.pk).update(
        status=UploadStatus.READY,
        analysis={"findings": [{"code": "mesh_not_watertight", "repairable": True}]},
    )
    response = api.post(f"/api/v1/uploads/{mine.pk}/repair/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    message = OutboxMessage.objects.get(task_name="uploads.analyse")
    assert message.kwargs["repair"] is True


def test_delete_removes_the_upload_and_its_files_when_no_other_upload_has_them(api, mine, customer):
    from django.core.files.storage import default_storage

    twin = stored_part(customer).upload  # the same bytes again
    assert twin.file_id == mine.file_id
    assert api.delete(f"/api/v1/uploads/{mine.pk}/").status_code == 204
    assert default_storage.exists(twin.file.stored_name)  # still the twin's
    assert api.delete(f"/api/v1/uploads/{twin.pk}/").status_code == 204
    assert not CadFile.objects.exists()
    assert not default_storage.exists(twin.file.stored_name)
    assert not default_storage.exists(twin.preview_name)


def test_an_upload_that_became_a_design_is_kept(api, mine, plan_a):
    PartUpload.objects.filter(pk=mine.pk).update(design=plan_a.order.lines.get().design_version.design)
    response = api.delete(f"/api/v1/uploads/{mine.pk}/")
    assert response.status_code == 409
    assert PartUpload.objects.filter(pk=mine.pk).exists()


def test_analyses_are_limited_per_customer_and_reads_are_not(api, mine, settings):
    settings.UPLOAD_THROTTLE_RATE = "2/hour"
    assert api.post(f"/api/v1/uploads/{mine.pk}/units/", {"units": "inch"}).status_code == 202
    assert api.post(f"/api/v1/uploads/{mine.pk}/units/", {"units": "mm"}).status_code == 202
    refused = api.post(f"/api/v1/uploads/{mine.pk}/units/", {"units": "inch"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert _upload(api, b"solid x\nendsolid x\n", "x.stl").status_code == 429
    assert api.get(f"/api/v1/uploads/{mine.pk}/").json()["units"] == "mm"
    assert api.get("/api/v1/uploads/").status_code == 200
