"""An analysed upload + options → an immutable, orderable design version of the part's design."""

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from apps.accounts.roles import Role
from apps.catalog.models import DesignVersion
from apps.orders import checkout
from apps.orders.models import OrderLine
from apps.orders.status import OrderStatus
from apps.uploads.analysis.result import Finding, Severity
from apps.uploads.checks import TOO_LARGE
from apps.uploads.designs import InvalidPartOptions, PartNotReady, PartUnmakeable, part_design_save
from apps.uploads.models import PartUpload
from apps.uploads.status import UploadStatus
from tests.orders.conftest import fill_cart, pay
from tests.uploads.part_network import analysed_upload, cube_mesh, plate_profile
from tests.uploads.test_operations import PLA, STEEL

pytestmark = pytest.mark.django_db


def test_saving_makes_a_design_of_the_part_template_owned_by_the_customer(parts_network, customer):
    upload = analysed_upload(customer, cube_mesh(40))
    version = part_design_save(actor=customer, upload=upload, options=PLA)
    design = version.design
    assert (design.owner, design.template.part_kind, design.name) == (customer, "mesh", "Bracket")
    assert (version.number, version.values) == (1, PLA)
    (operation,) = version.operations
    assert (operation["process"], operation["material"], operation["step_key"]) == (
        "fdm_printing",
        "pla",
        "print",
    )
    assert PartUpload.objects.get(pk=upload.pk).design == design
    assert design.current_version == version


def test_versions_are_immutable_new_options_make_a_new_version(parts_network, customer):
    upload = analysed_upload(customer, cube_mesh(40))
    first = part_design_save(actor=customer, upload=upload, options=PLA)
    assert part_design_save(actor=customer, upload=upload, options=PLA) == first, "nothing changed"
    second = part_design_save(
        actor=customer, upload=upload, options={**PLA, "material": "petg", "colour": "white"}
    )
    assert (second.design_id, second.number) == (first.design_id, 2)
    first.refresh_from_db()
    assert first.values["material"] == "pla" and first.operations[0]["material"] == "pla"
    assert DesignVersion.objects.filter(design=first.design).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        DesignVersion.objects.create(design=first.design, number=2, values={}, operations=[])


def test_another_customers_upload_is_not_found(parts_network, customer, make_user, tenant_a):
    upload = analysed_upload(customer, cube_mesh(40))
    stranger = make_user(tenant_a, Role.CUSTOMER)
    with pytest.raises(Http404):
        part_design_save(actor=stranger, upload=upload, options=PLA)
    assert PartUpload.objects.get(pk=upload.pk).design is None


def test_an_analysis_with_errors_is_refused(parts_network, customer):
    broken = Finding("mesh_not_watertight", Severity.ERROR, "The mesh has holes.", "Repair it.")
    upload = analysed_upload(customer, cube_mesh(40), findings=(broken,))
    with pytest.raises(PartUnmakeable) as caught:
        part_design_save(actor=customer, upload=upload, options=PLA)
    assert caught.value.conflict_details()["findings"][0]["code"] == "mesh_not_watertight"
    assert not DesignVersion.objects.exists()


def test_a_part_too_large_for_the_network_is_refused(parts_network, customer):
    upload = analysed_upload(customer, cube_mesh(400))
    with pytest.raises(PartUnmakeable) as caught:
        part_design_save(actor=customer, upload=upload, options=PLA)
    assert [f.code for f in caught.value.findings] == [TOO_LARGE]


def test_invalid_options_are_refused_by_field(parts_network, customer):
    upload = analysed_upload(customer, plate_profile())
    with pytest.raises(InvalidPartOptions) as caught:
        part_design_save(actor=customer, upload=upload, options={**STEEL, "thickness_mm": 4})
    assert set(caught.value.field_errors["options"]) == {"thickness_mm"}


def test_a_part_still_being_analysed_is_refused(parts_network, customer):
    upload = analysed_upload(customer, cube_mesh(40))
    PartUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.ANALYSING)
    upload.refresh_from_db()
    with pytest.raises(PartNotReady):
        part_design_save(actor=customer, upload=upload, options=PLA)


def test_the_part_design_goes_through_cart_checkout_and_payment(parts_network, customer, stripe_server):
    """The cart quotes the saved operations (no routing to compile), checkout pins the version, payment works."""
    upload = analysed_upload(customer, plate_profile(bend_lines=2))
    version = part_design_save(actor=customer, upload=upload, options={**STEEL, "bending": True})
    fill_cart(customer, (version, 5))
    quoted = checkout.cart_quote(customer=customer)
    assert quoted.quote is not None, quoted.error
    assert quoted.quote.total_minor > 0
    result = checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    )
    order = result.order
    line = OrderLine.objects.get(order=order)
    assert (line.design_version_id, line.quantity) == (version.pk, 5)
    assert pay(order).status == OrderStatus.PAID


def test_the_design_page_of_a_part_shows_its_options_and_price_without_the_configurator(
    parts_network, customer, signed_in
):
    upload = analysed_upload(customer, plate_profile(bend_lines=2))
    version = part_design_save(actor=customer, upload=upload, options={**STEEL, "bending": True})
    response = signed_in.get(f"/designs/{version.design_id}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sheet thickness" in content and "2 mm" in content and "Laser cutting" in content
    assert '<p class="price">' in content
    assert f"/designs/{version.design_id}/edit/" not in content
    assert signed_in.get(f"/designs/{version.design_id}/edit/").status_code == 404


def test_the_quotes_api_prices_a_saved_part_design_from_its_operations(parts_network, customer, signed_in):
    upload = analysed_upload(customer, cube_mesh(40))
    version = part_design_save(actor=customer, upload=upload, options=PLA)
    response = signed_in.post(
        "/api/v1/quotes/", {"design": version.design_id}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "network_match" and body["design_version"] == str(version.pk)
    assert [row["quantity"] for row in body["price_breaks"]] == [1, 5, 10, 25, 100]
    assert all(row["total_minor"] for row in body["price_breaks"])
