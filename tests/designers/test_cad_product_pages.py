"""The pages of a designer's CAD product: the studio (upload, the analysis as customers see theirs, options,
name and royalty, the customers' panel with a test quote, submit), the back office's review (the part), the
storefront's product page (the part's view, options, quote, cart) and who may fetch the designer's file."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.versions import template_submit
from apps.orders.models import CartLine
from apps.processes.models import ProcessRate
from apps.uploads.models import PartUpload
from apps.uploads.offer import network_offer
from apps.uploads.options import part_choices
from apps.uploads.products import offered_values
from apps.uploads.selectors import upload_file_urls
from apps.uploads.status import UploadStatus
from apps.uploads.viewing import part_analysis
from tests.conftest import host_of, sign_in
from tests.designers.cad_builders import (
    cad_designer,
    cad_draft,
    cad_published,
    customer_user,
    staff_user,
)
from tests.storefront.part_builders import box
from tests.uploads import samples
from tests.uploads.part_network import parts_network  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PLA_FORM = {
    "process": "fdm_printing",
    "material": "pla",
    "colour": "black",
    "infill_percent": "100",
    "finish": "as_printed",
    "quantity": "2",
}


@pytest.fixture
def studio(parts_network):  # noqa: F811 - the fixture imported above
    return cad_designer()


@pytest.fixture
def designer_client(client_a, tenant_a, studio) -> Client:
    return sign_in(client_a, tenant_a, studio[1])


@pytest.fixture
def draft(studio, tmp_path):
    designer, member = studio
    return cad_draft(designer, member, upload=box(member, tmp_path))


def edit(template) -> str:
    return f"/designer/studio/cad/{template.pk}/"


def test_the_studio_offers_a_cad_product_and_an_upload_makes_a_draft_being_analysed(
    designer_client, studio, tmp_path
):
    assert "New product from a CAD file" in designer_client.get("/designer/studio/").content.decode()
    assert designer_client.get("/designer/studio/cad/new/").status_code == 200
    stl = samples.box_stl(tmp_path)
    response = designer_client.post(
        "/designer/studio/cad/new/",
        {"name": "Desk clip", "files": SimpleUploadedFile("clip.stl", stl.read_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    template = ProductTemplate.objects.get(designer=studio[0], name="Desk clip")
    assert (template.status, template.part_upload.owner, template.part_upload.status) == (
        TemplateStatus.DRAFT,
        studio[1],
        UploadStatus.PENDING,
    )
    assert response["Location"] == edit(template)
    page = designer_client.get(edit(template))
    assert page.status_code == 200 and "checking it can be made" in page.content.decode()
    assert designer_client.get(f"/designer/studio/{template.pk}/")["Location"] == edit(template)


def test_a_file_that_is_not_what_it_says_is_refused_inline_with_the_name_kept(designer_client, studio):
    response = designer_client.post(
        "/designer/studio/cad/new/",
        {"name": "Desk clip", "files": SimpleUploadedFile("clip.stl", b"%PDF-1.4 not a mesh")},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="Desk clip"' in content and 'role="alert"' in content
    assert not ProductTemplate.objects.filter(designer=studio[0]).exists()


def test_several_files_are_refused_inline_and_nothing_is_made(designer_client, studio, tmp_path):
    """One file makes one product: a second file was dropped without a word."""
    stl = samples.box_stl(tmp_path).read_bytes()
    response = designer_client.post(
        "/designer/studio/cad/new/",
        {"name": "Desk clip", "files": [SimpleUploadedFile(n, stl) for n in ("a.stl", "b.stl")]},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Upload one file: one file makes one product." in content and 'value="Desk clip"' in content
    assert not ProductTemplate.objects.filter(designer=studio[0]).exists()
    assert not PartUpload.objects.filter(owner=studio[1]).exists()
    described_by = (
        re.search(r'<input[^>]*name="files"[^>]*aria-describedby="([^"]*)"', content).group(1).split()
    )
    assert set(described_by) <= set(re.findall(r'\sid="([^"]*)"', content))


def test_the_editor_shows_the_analysis_the_options_and_the_customers_panel_with_a_quote(
    designer_client, draft
):
    content = designer_client.get(edit(draft)).content.decode()
    for expected in ("Your part", "40 × 30 × 10", "cad-checks-pass", "Options customers may choose", "PETG"):
        assert expected in content, expected
    assert "As customers will see it" in content and 'class="price"' in content
    assert 'value="cart"' not in content, "a draft is tried, never bought"


def test_the_editor_reads_the_networks_offer_once_a_request(designer_client, draft):
    """The options form, the checks and the customers' panel all need the network's rates and machines: the
    page reads them once, saved or refused alike (it read them three times)."""
    rate_reads = []
    refused = {
        **_all_ticked(draft),
        "name": "Bracket",
        "category": "Parts",
        "royalty_kind": "percent",
        "royalty_bp": "9000",
    }
    for request, status in (
        (lambda: designer_client.get(edit(draft)), 200),
        (lambda: designer_client.post(edit(draft), refused), 400),
    ):
        rate_reads.clear()
        with connection.execute_wrapper(_rate_reads_into(rate_reads)):
            response = request()
        assert response.status_code == status, response.status_code
        assert len(rate_reads) == 1, rate_reads
    assert 'value="9000"' in response.content.decode()  # the refused form came back with its input


def test_a_draft_being_analysed_is_polled_without_reading_the_networks_offer(
    designer_client, studio, tmp_path
):
    """While the file is analysed the page polls its part every few seconds; nothing it shows then needs the
    network's rates."""
    stl = samples.box_stl(tmp_path)
    designer_client.post(
        "/designer/studio/cad/new/",
        {"name": "Desk clip", "files": SimpleUploadedFile("clip.stl", stl.read_bytes())},
    )
    template = ProductTemplate.objects.get(designer=studio[0], name="Desk clip")
    assert template.part_upload.status == UploadStatus.PENDING
    rate_reads = []
    with connection.execute_wrapper(_rate_reads_into(rate_reads)):
        poll = designer_client.get(edit(template), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "checking it can be made" in poll.content.decode()
    assert rate_reads == []


def _rate_reads_into(reads: list):
    """A statement wrapper noting every statement that reads the network's rates."""
    table = f'FROM "{ProcessRate._meta.db_table}"'

    def note(execute, sql, params, many, context):
        if table in sql:
            reads.append(sql)
        return execute(sql, params, many, context)

    return note


def test_options_not_offered_are_a_field_error_with_the_input_kept(designer_client, draft):
    response = designer_client.post(
        edit(draft),
        {
            "name": "Renamed clip",
            "category": "Parts",
            "royalty_kind": "percent",
            "royalty_bp": "900",
            "option_material": ["unobtainium"],
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="Renamed clip"' in content and "Select a valid choice" in content
    assert ProductTemplate.objects.get(pk=draft.pk).name == "Cable clip"


def _all_ticked(draft) -> dict:
    """The editor's option checkboxes as the page starts: every value the network offers ticked."""
    analysis = part_analysis(draft.part_upload)
    offered = offered_values(part_choices(analysis.kind, network_offer()))
    return {f"option_{field}": sorted(values) for field, values in offered.items() if values}


def test_saving_narrows_the_options_and_a_royalty_out_of_bounds_is_refused_inline(designer_client, draft):
    form = {
        **_all_ticked(draft),
        "name": "Renamed clip",
        "category": "Parts",
        "royalty_kind": "percent",
        "royalty_bp": "900",
        "option_process": ["fdm_printing"],
        "option_material": ["pla"],
    }
    assert designer_client.post(edit(draft), form).status_code == 302
    saved = ProductTemplate.objects.get(pk=draft.pk)
    assert (saved.name, saved.royalty_bp, saved.part_options["material"]) == ("Renamed clip", 900, ["pla"])
    response = designer_client.post(edit(draft), {**form, "royalty_bp": "9000"})
    assert response.status_code == 400 and 'value="9000"' in response.content.decode()
    assert ProductTemplate.objects.get(pk=draft.pk).royalty_bp == 900


def test_the_test_quote_keeps_to_the_designers_options(designer_client, draft):
    response = designer_client.post(
        f"{edit(draft)}preview/", {**PLA_FORM, "colour": "red"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Choose a colour: black, white." in response.content.decode()
    ok = designer_client.post(f"{edit(draft)}preview/", PLA_FORM, HTTP_HX_REQUEST="true")
    assert 'class="price"' in ok.content.decode()


def test_a_failed_analysis_cannot_be_submitted_and_says_why(designer_client, draft):
    PartUpload.objects.filter(pk=draft.part_upload_id).update(
        status=UploadStatus.FAILED, error_message="Unreadable."
    )
    response = designer_client.post(f"/designer/studio/{draft.pk}/submit/", follow=True)
    assert "could not be analysed: Unreadable." in response.content.decode()
    assert ProductTemplate.objects.get(pk=draft.pk).status == TemplateStatus.DRAFT


def test_another_designers_product_and_another_network_are_not_found(
    client_a, client_b, tenant_a, tenant_b, draft
):
    _rival, rival_member = cad_designer("Rival")
    rival = sign_in(client_a, tenant_a, rival_member)
    for url in (edit(draft), f"{edit(draft)}drawing.svg"):
        assert rival.get(url).status_code == 404
    assert rival.post(f"{edit(draft)}preview/", PLA_FORM).status_code == 404
    assert rival.post(edit(draft), {"name": "Mine"}).status_code == 404
    with schema_context(tenant_b.schema_name):  # a designer of another network, signed in there
        _elsewhere, elsewhere_member = cad_designer("Elsewhere")
    assert sign_in(client_b, tenant_b, elsewhere_member).get(edit(draft)).status_code == 404


def test_staff_review_the_part_itself(client_a, tenant_a, studio, draft):
    designer, member = studio
    template_submit(actor=member, designer=designer, template=draft)
    staff = sign_in(client_a, tenant_a, staff_user())
    content = staff.get(f"/backoffice/reviews/{draft.pk}/").content.decode()
    assert 'id="cad-part"' in content and "40 × 30 × 10" in content and "petg, pla" in content


def test_the_storefront_page_shows_the_part_quotes_and_puts_it_in_the_cart(
    client_a, tenant_a, studio, tmp_path
):
    designer, member = studio
    product = cad_published(designer, member, upload=box(member, tmp_path))
    url = f"/catalog/{product.slug}/"
    anonymous = Client(HTTP_HOST=host_of(tenant_a))
    content = anonymous.get(url).content.decode()
    assert "The part" in content and "40 × 30 × 10" in content and 'class="price"' in content
    assert "Part Studio" in content, "designed by"
    assert url in anonymous.get("/catalog/").content.decode()
    assert anonymous.get(f"{url}preview.svg").status_code == 200, "the catalogue card's picture"
    nonsense = anonymous.post(f"{url}validate/", {"anything": "x"})
    assert nonsense.status_code == 400 and 'id="options-form"' in nonsense.content.decode(), (
        "the part's own form"
    )
    assert anonymous.post(url, {**PLA_FORM, "action": "cart"}).status_code == 302  # to sign in
    bad = anonymous.post(url, {**PLA_FORM, "colour": "red"})
    assert bad.status_code == 400 and "Choose a colour: black, white." in bad.content.decode()

    buyer = customer_user()
    signed_in = sign_in(client_a, tenant_a, buyer)
    assert signed_in.post(url, {**PLA_FORM, "action": "cart"})["Location"] == "/cart/"
    (line,) = CartLine.objects.filter(cart__customer=buyer)
    assert (line.quantity, line.design_version.design.template_id) == (2, product.pk)

    # The buyer sees the preview on the page, never the designer's file.
    urls = upload_file_urls(product.part_upload)
    assert signed_in.get(urls["preview_url"]).status_code == 200
    assert signed_in.get(urls["original_url"]).status_code == 404
    assert anonymous.get(urls["original_url"]).status_code == 404


def test_a_draft_is_not_in_the_shop(client_a, draft):
    assert client_a.get(f"/catalog/{draft.slug}/").status_code == 404


def test_units_and_repair_answer_inline_and_a_published_part_never_changes(designer_client, studio, draft):
    bad_units = designer_client.post(f"{edit(draft)}units/", {"units": "furlong"})
    assert bad_units.status_code == 400 and "Units are mm or inch." in bad_units.content.decode()
    nothing = designer_client.post(f"{edit(draft)}repair/")
    assert nothing.status_code == 409 and "nothing the platform can repair" in nothing.content.decode()
    designer, member = studio
    template_submit(actor=member, designer=designer, template=draft)
    frozen = designer_client.post(f"{edit(draft)}units/", {"units": "inch"})
    assert frozen.status_code == 409 and "never changes" in frozen.content.decode()
    assert PartUpload.objects.get(pk=draft.part_upload_id).units == "mm"
    saved = designer_client.post(edit(draft), {"name": "Late rename"})
    assert saved.status_code == 409 and ProductTemplate.objects.get(pk=draft.pk).name == "Cable clip"
