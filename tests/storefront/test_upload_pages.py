"""The customer's uploaded-part pages: sign-in first, only one's own parts, the analysis watched live, the viewer or
the drawing with the findings' markers, the units question, the repair, and the upload form's refusals."""

import hashlib
import json
import re
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.uploads.analysis.result import Analysis
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.status import UploadStatus
from apps.uploads.storage import content_folder
from tests.conftest import sign_in
from tests.storefront.part_builders import box, open_box, open_plate
from tests.uploads import samples

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def box_part(tenant_a, customer_a, tmp_path) -> PartUpload:
    """customer_a's open box, analysed: not watertight (repairable), units not stated in the file."""
    with schema_context(tenant_a.schema_name):
        return open_box(customer_a, tmp_path)


@pytest.fixture
def plate(tenant_a, customer_a, tmp_path) -> PartUpload:
    """customer_a's DXF plate with an open contour."""
    with schema_context(tenant_a.schema_name):
        return open_plate(customer_a, tmp_path)


def page(upload: PartUpload, action: str = "") -> str:
    return f"/parts/{upload.pk}/{action + '/' if action else ''}"


def stored(tenant, upload: PartUpload) -> PartUpload:
    with schema_context(tenant.schema_name):
        return PartUpload.objects.get(pk=upload.pk)


def _file(path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="application/octet-stream")


# --- who may see what -------------------------------------------------------------------------------------------


def test_a_stranger_is_asked_to_sign_in(client_a, tenant_a, box_part):
    """Uploads are the customer's IP: every page and action wants an account first."""
    for url in ("/parts/", "/parts/upload/", page(box_part), f"{page(box_part)}drawing.svg"):
        response = client_a.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    for action in ("units", "repair", "quote"):
        response = client_a.post(page(box_part, action), {"units": "inch"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert stored(tenant_a, box_part).status == UploadStatus.READY


def test_another_customers_part_is_not_found(client_a, tenant_a, make_user, box_part):
    """Not yours answers like missing, for reading and for every action; nothing changes."""
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert client_a.get(page(box_part)).status_code == 404
    assert client_a.get(page(box_part), **HTMX).status_code == 404
    assert client_a.get(f"{page(box_part)}drawing.svg").status_code == 404
    for action in ("units", "repair", "quote"):
        assert client_a.post(page(box_part, action), {"units": "inch", "action": "cart"}).status_code == 404
    assert str(box_part.pk) not in client_a.get("/parts/").content.decode()
    assert client_a.get("/parts/00000000-0000-0000-0000-000000000000/").status_code == 404
    after = stored(tenant_a, box_part)
    assert (after.status, after.units, after.analysis_run) == (UploadStatus.READY, "mm", 1)


def test_the_preview_is_served_to_its_owner_only(client_a, tenant_a, make_user, signed_in_a, box_part):
    """The viewer fetches the GLB through the private media view; another customer gets 404 for the same URL."""
    html = signed_in_a.get(page(box_part)).content.decode()
    model_url = re.search(r'data-model-url="([^"]+)"', html).group(1)
    assert model_url == f"/media/{tenant_a.schema_name}/{box_part.preview_name}"
    response = signed_in_a.get(model_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"glTF"

    stranger = sign_in(
        type(client_a)(HTTP_HOST="alpha.localhost"), tenant_a, make_user(tenant_a, Role.CUSTOMER)
    )
    assert stranger.get(model_url).status_code == 404


# --- the part page ------------------------------------------------------------------------------------------------


def test_a_ready_mesh_shows_the_viewer_the_findings_the_units_question_and_the_repair(signed_in_a, box_part):
    response = signed_in_a.get(page(box_part))
    assert response.status_code == 200
    html = response.content.decode()
    # three.js through an import map carrying the page's CSP nonce, the viewer as a module from static files.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script type="importmap" nonce="{nonce}">' in html
    assert '"three": "/static/vendor/three/three.module.js"' in html
    assert '<script type="module" src="/static/js/part-viewer.js">' in html
    # Every other script is data (json_script) or a static file: nothing inline runs without the nonce.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "application/json" in tag or f'nonce="{nonce}"' in tag, tag
    markers = json.loads(
        re.search(
            r'<script id="part-markers-[^"]+" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    analysis = Analysis.from_json(box_part.analysis)
    (finding,) = analysis.findings
    assert finding.code == "mesh_not_watertight" and finding.repairable
    # One marker per place the analyser marked, labelled 1a, 1b… after the finding's number, in its coordinates.
    assert [m["id"] for m in markers] == [f"f1-{i}" for i in range(len(finding.where))]
    assert [m["label"] for m in markers][:2] == ["1a", "1b"]
    assert [(m["x"], m["y"], m["z"]) for m in markers] == [(w.x, w.y, w.z) for w in finding.where]
    assert {m["severity"] for m in markers} == {"error"}
    # The size, the finding in words (what, where → each marker, what to change), and the text alternative.
    assert "40 × 30 × 10 mm" in html
    assert escape(finding.message) in html and escape(finding.fix) in html
    assert all(f'data-focus-marker="{m["id"]}"' in html for m in markers)
    assert "3D view of open_box: 40 × 30 × 10 mm, 1 finding marked." in html
    # The file did not say its units: both readings are offered with the size each gives.
    assert 'name="units" value="mm" checked' in html
    assert "the part is 1016 × 762 × 254 mm" in html
    assert "Repair automatically" in html
    # An error blocks the options until it is fixed.
    assert 'id="options-blocked"' in html
    assert 'hx-trigger="every' not in html


def test_a_part_without_findings_offers_no_repair(signed_in_a, tenant_a, customer_a, tmp_path):
    with schema_context(tenant_a.schema_name):
        upload = box(customer_a, tmp_path)
    html = signed_in_a.get(page(upload)).content.decode()
    assert "Repair automatically" not in html
    assert 'id="no-findings"' in html


def test_a_file_that_states_its_units_is_not_asked_about_them(signed_in_a, plate):
    assert 'name="units"' not in signed_in_a.get(page(plate)).content.decode()


def test_a_dxf_is_drawn_with_its_markers_in_the_drawings_coordinates(signed_in_a, plate):
    html = signed_in_a.get(page(plate)).content.decode()
    assert f'<img src="/parts/{plate.pk}/drawing.svg"' in html
    # The overlay has the drawing's own viewBox: the 100 × 50 mm plate, y flipped, with a 2 % margin.
    assert 'viewBox="-2 -52 104 54"' in html
    # The open contour's loose ends at (0, 0) and (0, 2) mm: drawn where the drawing has them, rings 3 % wide.
    assert '<circle cx="0" cy="0" r="3.12"/>' in html
    assert '<circle cx="0" cy="-2" r="3.12"/>' in html
    assert 'id="marker-f1-0"' in html and 'href="#marker-f1-0"' in html
    assert "data-part-viewer" not in html

    drawing = signed_in_a.get(f"/parts/{plate.pk}/drawing.svg")
    assert drawing.status_code == 200
    assert drawing["Content-Type"] == "image/svg+xml"
    assert drawing["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert (
        drawing.content.startswith(b"<svg") and b'viewBox="-2.000 -52.000 104.000 54.000"' in drawing.content
    )


def test_a_mesh_has_no_drawing(signed_in_a, box_part):
    assert signed_in_a.get(f"{page(box_part)}drawing.svg").status_code == 404


def test_the_page_polls_while_the_analysis_runs_then_shows_the_result(
    signed_in_a, tenant_a, customer_a, tmp_path
):
    with schema_context(tenant_a.schema_name):
        upload = box(customer_a, tmp_path, status=UploadStatus.ANALYSING)
    html = signed_in_a.get(page(upload)).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "Reading box.stl: measuring it and checking it can be made" in html

    fragment = signed_in_a.get(page(upload), **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="part-live"') and "<html" not in fragment

    with schema_context(tenant_a.schema_name):
        PartUpload.objects.filter(pk=upload.pk).delete()
        upload = box(customer_a, tmp_path)
    fragment = signed_in_a.get(page(upload), **HTMX).content.decode()
    assert "data-part-viewer" in fragment
    assert 'hx-trigger="every' not in fragment


def test_a_file_that_cannot_be_read_says_why(signed_in_a, tenant_a, customer_a, tmp_path):
    with schema_context(tenant_a.schema_name):
        upload = box(
            customer_a,
            tmp_path,
            status=UploadStatus.FAILED,
            error_code="truncated",
            error_message="The STL file ends in the middle of a triangle: it was cut short.",
        )
    html = signed_in_a.get(page(upload)).content.decode()
    assert "We could not read this file." in html
    assert "The STL file ends in the middle of a triangle" in html
    assert "data-part-viewer" not in html


def test_my_parts_lists_the_customers_parts(signed_in_a, box_part, plate):
    html = signed_in_a.get("/parts/").content.decode()
    assert f'href="/parts/{box_part.pk}/"' in html and f'href="/parts/{plate.pk}/"' in html
    assert html.count('class="badge ok">ready') == 2


# --- upload -------------------------------------------------------------------------------------------------------


def test_the_upload_page_states_its_limits(signed_in_a, settings):
    html = signed_in_a.get("/parts/upload/").content.decode()
    assert f"Up to {settings.CAD_UPLOAD_MAX_BYTES // (1024 * 1024)} MB per upload" in html
    assert 'type="file" name="files"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_file_that_is_not_what_its_name_says_is_refused_inline_and_nothing_is_written(
    signed_in_a, tenant_a, tmp_path
):
    wrong = samples.dxf_named_stl(tmp_path)
    folder = content_folder(hashlib.sha256(wrong.read_bytes()).hexdigest())
    response = signed_in_a.post("/parts/upload/", {"files": [_file(wrong)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_files_error"' in html
    # The analyser's own words, after the file's name (several files may be named at once).
    assert re.search(
        r"really_a_dxf\.stl: The file is named .* but its content is a DXF drawing", unescape(html)
    )
    with schema_context(tenant_a.schema_name):
        assert not PartUpload.objects.exists() and not CadFile.objects.exists()
        assert not default_storage.exists(folder)


def test_no_file_is_an_inline_error(signed_in_a):
    response = signed_in_a.post("/parts/upload/", {})
    assert response.status_code == 400
    assert "Choose at least one file to upload." in response.content.decode()


def test_the_file_input_is_described_by_its_help_and_its_error_on_the_page(signed_in_a):
    """A screen reader reads the input's help and error through aria-describedby: every id it names is on the page."""
    html = signed_in_a.post("/parts/upload/", {}).content.decode()

    described_by = re.search(r'<input[^>]*name="files"[^>]*aria-describedby="([^"]*)"', html).group(1).split()
    assert described_by == ["id_files_help", "id_files_error"]
    assert set(described_by) <= set(re.findall(r'\sid="([^"]*)"', html))


def test_one_file_leads_to_its_part_page(signed_in_a, tenant_a, customer_a, tmp_path):
    response = signed_in_a.post("/parts/upload/", {"files": [_file(samples.box_stl(tmp_path))]})
    with schema_context(tenant_a.schema_name):
        upload = PartUpload.objects.get(owner=customer_a)
    assert response.status_code == 302 and response["Location"] == page(upload)
    assert (upload.original_name, upload.status) == ("box.stl", UploadStatus.PENDING)


def test_several_files_make_one_part_each(signed_in_a, tenant_a, customer_a, tmp_path):
    files = [_file(samples.box_stl(tmp_path)), _file(samples.plate_dxf(tmp_path))]
    response = signed_in_a.post("/parts/upload/", {"files": files})
    assert response.status_code == 302 and response["Location"] == "/parts/"
    with schema_context(tenant_a.schema_name):
        names = sorted(PartUpload.objects.filter(owner=customer_a).values_list("original_name", flat=True))
    assert names == ["box.stl", "plate.dxf"]


def test_a_bad_file_beside_good_ones_is_named_and_the_good_ones_are_kept(
    signed_in_a, tenant_a, customer_a, tmp_path
):
    files = [_file(samples.box_stl(tmp_path)), _file(samples.garbage_stl(tmp_path))]
    response = signed_in_a.post("/parts/upload/", {"files": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert "garbage.stl: " in html and "Uploaded box.stl; the other files were not." in html
    with schema_context(tenant_a.schema_name):
        assert list(PartUpload.objects.filter(owner=customer_a).values_list("original_name", flat=True)) == [
            "box.stl"
        ]


# --- units and repair ---------------------------------------------------------------------------------------------


def test_choosing_inches_analyses_the_part_again(signed_in_a, tenant_a, box_part):
    response = signed_in_a.post(page(box_part, "units"), {"units": "inch"})
    assert response.status_code == 302 and response["Location"] == page(box_part)
    after = stored(tenant_a, box_part)
    assert (after.units, after.units_chosen, after.status, after.analysis_run) == ("inch", True, "pending", 2)


def test_choosing_units_with_htmx_swaps_in_the_polling_progress(signed_in_a, tenant_a, box_part):
    fragment = signed_in_a.post(page(box_part, "units"), {"units": "inch"}, **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="part-live"') and 'hx-trigger="every 1s"' in fragment


def test_units_that_do_not_exist_are_refused_inline(signed_in_a, tenant_a, box_part):
    response = signed_in_a.post(page(box_part, "units"), {"units": "furlong"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert stored(tenant_a, box_part).analysis_run == 1


def test_repair_asks_for_the_repair_and_a_new_analysis(signed_in_a, tenant_a, box_part):
    response = signed_in_a.post(page(box_part, "repair"))
    assert response.status_code == 302
    after = stored(tenant_a, box_part)
    assert (after.status, after.analysis_run) == ("pending", 2)


def test_repair_of_a_part_with_nothing_to_repair_is_refused_plainly(
    signed_in_a, tenant_a, customer_a, tmp_path
):
    with schema_context(tenant_a.schema_name):
        upload = box(customer_a, tmp_path)
    response = signed_in_a.post(page(upload, "repair"))
    assert response.status_code == 409
    assert "nothing the platform can repair automatically" in response.content.decode()
    assert stored(tenant_a, upload).analysis_run == 1


def test_what_a_repair_changed_is_shown(signed_in_a, tenant_a, customer_a, tmp_path):
    with schema_context(tenant_a.schema_name):
        upload = box(
            customer_a,
            tmp_path,
            repairs=[
                {
                    "at": "2026-12-07T02:00:00+00:00",
                    "message": "Closed 1 hole in the surface.",
                    "messages": ["Closed 1 hole in the surface."],
                    "details": {"watertight_before": False, "watertight_after": True},
                }
            ],
        )
    html = signed_in_a.get(page(upload)).content.decode()
    assert "What the automatic repair changed" in html
    assert "Closed 1 hole in the surface." in html and "Watertight: no → yes." in html


def test_a_file_larger_than_the_limit_is_refused_inline(signed_in_a, tenant_a, tmp_path, settings):
    settings.CAD_UPLOAD_MAX_BYTES = 200  # the box's STL is 684 bytes
    response = signed_in_a.post("/parts/upload/", {"files": [_file(samples.box_stl(tmp_path))]})
    assert response.status_code == 400
    assert "The file is larger than 200 bytes; upload a smaller file." in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not PartUpload.objects.exists()


def test_the_upload_still_checks_the_csrf_token(tenant_a, customer_a, tmp_path):
    """A multipart post like any form: without the token, nothing is uploaded."""
    client = sign_in(Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True), tenant_a, customer_a)
    response = client.post("/parts/upload/", {"files": [_file(samples.box_stl(tmp_path))]})
    assert response.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not PartUpload.objects.exists()


def test_analyses_are_limited_per_customer_as_in_the_api(
    signed_in_a, tenant_a, customer_a, box_part, tmp_path, settings
):
    """Uploads, new units and repairs each ask the uploads worker for an analysis: the pages count them against
    UPLOAD_THROTTLE_RATE like the API, and say plainly when to come back."""
    settings.UPLOAD_THROTTLE_RATE = "2/hour"
    assert (
        signed_in_a.post("/parts/upload/", {"files": [_file(samples.box_stl(tmp_path))]}).status_code == 302
    )
    assert signed_in_a.post(page(box_part, "units"), {"units": "inch"}).status_code == 302
    refused = signed_in_a.post(page(box_part, "repair"))
    assert refused.status_code == 429
    assert "You have asked for many analyses in a short time; try again in" in refused.content.decode()
    refused = signed_in_a.post("/parts/upload/", {"files": [_file(samples.plate_dxf(tmp_path))]})
    assert (
        refused.status_code == 400
        and "plate.dxf: You have asked for many analyses" in refused.content.decode()
    )
    with schema_context(tenant_a.schema_name):
        assert PartUpload.objects.filter(owner=customer_a).count() == 2
