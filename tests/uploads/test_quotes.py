"""The API of an uploaded part's options, quote and design: only its uploader, field errors, 409 with findings."""

import time

import pytest
from django.test import Client

from apps.accounts.roles import Role
from apps.catalog.models import DesignVersion
from apps.storefront.part_quote_bench import upload_to_price
from apps.tenants.selectors import tenant_current
from apps.uploads.analysis.core import analyse
from apps.uploads.checks import HOLE_BELOW_THICKNESS, TOO_LARGE
from apps.uploads.status import UploadStatus
from tests.conftest import sign_in
from tests.uploads import samples
from tests.uploads.part_network import analysed_upload, block_solid, cube_mesh, plate_profile
from tests.uploads.test_operations import ALU, PLA, STEEL

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_options_list_what_the_network_offers_with_valid_defaults(parts_network, customer, signed_in):
    upload = analysed_upload(customer, block_solid())
    response = signed_in.get(f"/api/v1/uploads/{upload.pk}/options/")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "solid"
    assert [p["value"] for p in body["choices"]["processes"]] == ["cnc_milling"]
    assert body["defaults"]["tolerance"] == "medium"
    assert (
        _post(signed_in, f"/api/v1/uploads/{upload.pk}/quote/", {"options": body["defaults"]}).status_code
        == 200
    )


def test_a_quote_has_price_breaks_and_lead_time_options(parts_network, customer, signed_in):
    upload = analysed_upload(customer, cube_mesh(40))
    url = f"/api/v1/uploads/{upload.pk}/quote/"
    one = _post(signed_in, url, {"options": PLA, "address": {"city": "Utrecht"}})
    assert one.status_code == 200, one.content
    body = one.json()
    assert body["source"] == "network_match" and body["currency"] == "EUR"
    assert [row["quantity"] for row in body["price_breaks"]] == [1, 5, 10, 25, 100]
    assert body["options"] and body["delivery_date"]
    assert body["destination"]["latitude"] == pytest.approx(52.09, abs=0.05)
    ten = _post(signed_in, url, {"options": PLA, "quantity": 10}).json()
    assert ten["price_minor"] > body["price_minor"]
    assert not DesignVersion.objects.exists(), "a quote saves nothing"


def test_options_not_offered_are_a_400_under_options(parts_network, customer, signed_in):
    upload = analysed_upload(customer, plate_profile())
    response = _post(
        signed_in, f"/api/v1/uploads/{upload.pk}/quote/", {"options": {**STEEL, "material": "gold"}}
    )
    assert response.status_code == 400
    assert "Steel" in response.json()["options"]["material"][0]
    assert (
        _post(signed_in, f"/api/v1/uploads/{upload.pk}/quote/", {"options": PLA, "quantity": 0}).status_code
        == 400
    )


def test_an_unmakeable_part_is_a_409_with_the_findings(parts_network, customer, signed_in):
    large = analysed_upload(customer, cube_mesh(400))
    response = _post(signed_in, f"/api/v1/uploads/{large.pk}/quote/", {"options": PLA})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "unmakeable" and [f["code"] for f in body["findings"]] == [TOO_LARGE]
    assert body["findings"][0]["where"][0]["ref"] == "part" and body["findings"][0]["fix"]
    holed = analysed_upload(customer, plate_profile(holes=(2.0,)))
    response = _post(
        signed_in, f"/api/v1/uploads/{holed.pk}/quote/", {"options": {**STEEL, "thickness_mm": 3}}
    )
    assert response.status_code == 409 and response.json()["findings"][0]["code"] == HOLE_BELOW_THICKNESS


def test_saving_the_design_gives_the_version_the_cart_takes(parts_network, customer, signed_in):
    upload = analysed_upload(customer, block_solid())
    response = _post(signed_in, f"/api/v1/uploads/{upload.pk}/design/", {"options": ALU})
    assert response.status_code == 201, response.content
    body = response.json()
    version = DesignVersion.objects.get(pk=body["design_version"])
    assert (body["number"], version.values, version.design.owner) == (1, ALU, customer)
    cart = _post(signed_in, "/api/v1/cart/lines/", {"design_version": body["design_version"], "quantity": 2})
    assert cart.status_code in (200, 201), cart.content


def test_another_customers_upload_is_a_404_everywhere(parts_network, customer, tenant_a, make_user):
    upload = analysed_upload(customer, cube_mesh(40))
    stranger = sign_in(Client(HTTP_HOST="alpha.localhost"), tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert stranger.get(f"/api/v1/uploads/{upload.pk}/options/").status_code == 404
    assert _post(stranger, f"/api/v1/uploads/{upload.pk}/quote/", {"options": PLA}).status_code == 404
    assert _post(stranger, f"/api/v1/uploads/{upload.pk}/design/", {"options": PLA}).status_code == 404
    assert not DesignVersion.objects.exists()


def test_an_anonymous_visitor_cannot_quote_an_upload(parts_network, customer, client_a):
    upload = analysed_upload(customer, cube_mesh(40))
    assert _post(client_a, f"/api/v1/uploads/{upload.pk}/quote/", {"options": PLA}).status_code in (
        401,
        403,
        404,
    )


@pytest.mark.parametrize(
    ("generator", "kind"), [("box_stl", "mesh"), ("bend_plate_dxf", "profile"), ("holed_box_step", "solid")]
)
def test_real_stl_dxf_and_step_files_are_priced_by_the_demo_network(
    parts_network, customer, tmp_path, generator, kind
):
    """Files the analyser really read (the upload tests' samples), their default options, the network's price:
    bench_uploads' upload-to-price measure end to end."""
    analysis = analyse(getattr(samples, generator)(tmp_path), tmp_path / "out")
    assert analysis.kind == kind and not analysis.errors, analysis.findings
    upload = analysed_upload(customer, analysis.features, findings=analysis.findings, extra=analysis.extra)
    received = time.perf_counter() - 1.0  # as if the upload had arrived a second ago
    measured = upload_to_price(kind, upload, tenant_current(), received)
    assert measured["price_s"] > 0 and measured["upload_to_price_s"] >= 1.0 + measured["price_s"]


def test_a_part_still_being_analysed_is_a_409_on_options_design_and_quote(parts_network, customer, signed_in):
    upload = analysed_upload(customer, cube_mesh(40))
    upload.status, upload.analysis = UploadStatus.ANALYSING, None
    upload.save(update_fields=["status", "analysis"])
    base = f"/api/v1/uploads/{upload.pk}"
    for response in (
        signed_in.get(f"{base}/options/"),
        _post(signed_in, f"{base}/design/", {"options": PLA}),
        _post(signed_in, f"{base}/quote/", {"options": PLA}),
    ):
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "part_not_ready"
    assert not DesignVersion.objects.exists()
