"""Supplier portal pages: scoped to the member's own company, inline validation, calendars, certificates."""

import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from apps.processes.models import Process
from apps.suppliers.models import AssetOwner, CalendarException, Certification, OpeningHours, Resource
from apps.suppliers.services import supplier_outcome_record
from tests.conftest import sign_in
from tests.portal.jobs.builders import png_bomb
from tests.suppliers.factories import make_member

pytestmark = pytest.mark.django_db

RESOURCE_FORM = {
    "name": "Trumpf laser",
    "process": "laser_cutting",
    "status": "up",
    "capacity": "2",
    "speed_factor": "1.20",
    "max_length_mm": "3000",
    "max_width_mm": "1500",
    "max_height_mm": "25",
    "tolerance_mm": "0.100",
    "materials": "steel, Aluminium",
    "setup_cost_minor": "25.00",
    "cost_per_minute_minor": "1.50",
    "minimum_charge_minor": "35",
}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pages(member) -> list[str]:
    r = member.resource.pk
    return [
        "/portal/",
        "/portal/resources/",
        "/portal/resources/new/",
        f"/portal/resources/{r}/edit/",
        f"/portal/resources/{r}/calendar/",
        "/portal/profile/",
        "/portal/certifications/",
        "/portal/payouts/",
    ]


def test_every_page_renders_for_the_owner(supplier_portal, supplier_a):
    for url in pages(supplier_a):
        assert supplier_portal.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_sign_in(client_a, supplier_a):
    for url in pages(supplier_a):
        response = client_a.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_people_without_a_company_get_404(client_a, tenant_a, make_user, supplier_a):
    sign_in(client_a, tenant_a, make_user(tenant_a))
    for url in pages(supplier_a):
        assert client_a.get(url).status_code == 404, url


def test_another_suppliers_resources_are_404(supplier_portal, other_supplier_a, tenant_a):
    theirs = other_supplier_a.resource.pk
    assert supplier_portal.get(f"/portal/resources/{theirs}/edit/").status_code == 404
    assert supplier_portal.get(f"/portal/resources/{theirs}/calendar/").status_code == 404
    assert supplier_portal.post(f"/portal/resources/{theirs}/edit/", RESOURCE_FORM).status_code == 404
    response = supplier_portal.post(
        f"/portal/resources/{theirs}/calendar/",
        {"action": "add_hours", "hours-weekday": "0", "hours-opens": "08:00", "hours-closes": "17:00"},
    )
    assert response.status_code == 404
    listing = supplier_portal.get("/portal/resources/")
    assert other_supplier_a.company.name.encode() not in listing.content
    with schema_context(tenant_a.schema_name):
        assert Resource.objects.get(pk=theirs).name == "Haas VF-2"
        assert not OpeningHours.objects.filter(resource_id=theirs).exists()


def test_another_networks_supplier_cannot_reach_this_networks_rows(
    client_b, tenant_b, supplier_a, supplier_b
):
    """Signed in on beta, alpha's resource ids lead nowhere (and an alpha session means nothing on beta)."""
    sign_in(client_b, tenant_b, supplier_b.user)
    with schema_context(tenant_b.schema_name):
        beta_ids = set(Resource.objects.values_list("pk", flat=True))
    if supplier_a.resource.pk not in beta_ids:
        assert client_b.get(f"/portal/resources/{supplier_a.resource.pk}/edit/").status_code == 404
    assert supplier_a.company.name.encode() not in client_b.get("/portal/resources/").content


def test_an_alpha_session_is_anonymous_on_beta(client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    client_a.defaults["HTTP_HOST"] = "beta.localhost"
    assert client_a.get("/portal/").status_code == 302


def test_dashboard_shows_a_gantt_of_the_next_14_days_with_honest_zero_utilisation(
    supplier_portal, supplier_a
):
    supplier_portal.post(
        f"/portal/resources/{supplier_a.resource.pk}/calendar/",
        {"action": "add_hours", "hours-weekday": "0", "hours-opens": "08:00", "hours-closes": "17:00"},
    )
    page = supplier_portal.get("/portal/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert len(re.findall(r'class="gantt-day(?: weekend)?"', svg)) == 14
    assert svg.count('class="gantt-closed"') >= 2  # closed outside Monday 08:00–17:00
    assert "0.0 %" in svg and supplier_a.resource.name in svg


def test_creating_a_resource_converts_money_to_minor_units(supplier_portal, supplier_a, tenant_a):
    response = supplier_portal.post("/portal/resources/new/", RESOURCE_FORM)
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        resource = Resource.objects.get(asset_owner=supplier_a.company, name="Trumpf laser")
        assert (resource.setup_cost_minor, resource.cost_per_minute_minor, resource.minimum_charge_minor) == (
            2500,
            150,
            3500,
        )
        assert resource.materials == ["steel", "aluminium"] and resource.currency == "EUR"


def test_a_resource_can_declare_a_process_staff_added(supplier_portal, supplier_a, tenant_a):
    """The form offers the network's processes, staff-added ones too, and the list shows the process's name."""
    with schema_context(tenant_a.schema_name):
        Process.objects.create(code="anodising", name="Anodising")
    assert b'value="anodising"' in supplier_portal.get("/portal/resources/new/").content
    response = supplier_portal.post("/portal/resources/new/", {**RESOURCE_FORM, "process": "anodising"})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert (
            Resource.objects.get(asset_owner=supplier_a.company, name="Trumpf laser").process == "anodising"
        )
    assert b'<td data-label="Process">Anodising</td>' in supplier_portal.get("/portal/resources/").content


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"capacity": "0"}, "capacity", "at least 1"),
        ({"setup_cost_minor": "-5"}, "setup_cost_minor", "greater than or equal to 0"),
        ({"speed_factor": "0"}, "speed_factor", "greater than zero"),
        ({"cost_per_minute_minor": "1.505"}, "cost_per_minute_minor", "2 decimal places"),
        ({"max_height_mm": "0"}, "max_height_mm", "at least 1"),
    ],
)
def test_bad_resource_input_is_shown_inline_and_kept(
    supplier_portal, supplier_a, tenant_a, change, field, message
):
    response = supplier_portal.post("/portal/resources/new/", {**RESOURCE_FORM, **change})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert b'value="Trumpf laser"' in response.content
    with schema_context(tenant_a.schema_name):
        assert not Resource.objects.filter(name="Trumpf laser").exists()


def test_htmx_posts_get_the_form_fragment_back(supplier_portal):
    response = supplier_portal.post(
        "/portal/resources/new/", {**RESOURCE_FORM, "capacity": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="resource-form"') and "<html" not in body
    assert "Must be at least 1." in body
    ok = supplier_portal.post("/portal/resources/new/", RESOURCE_FORM, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and ok["HX-Redirect"] == "/portal/resources/"


def test_editing_keeps_values_when_invalid(supplier_portal, supplier_a, tenant_a):
    url = f"/portal/resources/{supplier_a.resource.pk}/edit/"
    form = supplier_portal.get(url).content.decode()
    assert 'value="30.00"' in form  # 3000 cents shown as euros
    response = supplier_portal.post(url, {**RESOURCE_FORM, "name": "Renamed", "capacity": "0"})
    assert response.status_code == 400 and b'value="Renamed"' in response.content
    with schema_context(tenant_a.schema_name):
        assert Resource.objects.get(pk=supplier_a.resource.pk).name == "Haas VF-2"
    assert supplier_portal.post(url, {**RESOURCE_FORM, "name": "Renamed"}).status_code == 302


def _calendar(client, resource_id, data, htmx=False):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/portal/resources/{resource_id}/calendar/", data, **extra)


def test_weekly_hours_are_added_and_overlaps_refused(supplier_portal, supplier_a, tenant_a):
    rid = supplier_a.resource.pk
    add = {"action": "add_hours", "hours-weekday": "2", "hours-opens": "08:00", "hours-closes": "12:00"}
    assert _calendar(supplier_portal, rid, add).status_code == 302
    clash = _calendar(
        supplier_portal, rid, {**add, "hours-opens": "11:00", "hours-closes": "14:00"}, htmx=True
    )
    assert clash.status_code == 400 and b"overlaps" in clash.content and b'id="calendar"' in clash.content
    inverted = _calendar(
        supplier_portal, rid, {**add, "hours-weekday": "3", "hours-opens": "17:00", "hours-closes": "09:00"}
    )
    assert inverted.status_code == 400 and b"closes before it opens" in inverted.content
    with schema_context(tenant_a.schema_name):
        assert list(OpeningHours.objects.filter(resource_id=rid).values_list("weekday", flat=True)) == [2]


def test_exceptions_are_read_in_the_network_time_zone_and_overlaps_refused(
    supplier_portal, supplier_a, tenant_a
):
    rid = supplier_a.resource.pk
    data = {
        "action": "add_exception",
        "exception-kind": "closed",
        "exception-starts_at": "2026-07-01T08:00",
        "exception-ends_at": "2026-07-01T17:00",
        "exception-reason": "Spindle service",
    }
    assert _calendar(supplier_portal, rid, data).status_code == 302
    with schema_context(tenant_a.schema_name):
        stored = CalendarException.objects.get(resource_id=rid)
        assert stored.starts_at == datetime(2026, 7, 1, 6, tzinfo=UTC)  # 08:00 CEST
    clash = _calendar(
        supplier_portal,
        rid,
        {
            **data,
            "exception-kind": "open",
            "exception-starts_at": "2026-07-01T16:00",
            "exception-ends_at": "2026-07-01T19:00",
        },
    )
    assert clash.status_code == 400 and b"Overlaps" in clash.content
    inverted = _calendar(
        supplier_portal,
        rid,
        {**data, "exception-starts_at": "2026-07-03T10:00", "exception-ends_at": "2026-07-03T09:00"},
    )
    assert inverted.status_code == 400 and b"Must be after the start" in inverted.content
    page = supplier_portal.get(f"/portal/resources/{rid}/calendar/").content
    assert b"Wed 1 Jul 2026, 08:00" in page  # shown back in local time, in the one date format
    with schema_context(tenant_a.schema_name):
        assert CalendarException.objects.filter(resource_id=rid).count() == 1


def test_calendar_rows_of_other_suppliers_cannot_be_deleted(
    supplier_portal, supplier_a, other_supplier_a, tenant_a
):
    with schema_context(tenant_a.schema_name):
        theirs = OpeningHours.objects.create(
            resource=other_supplier_a.resource, weekday=0, opens="08:00", closes="17:00"
        )
    response = _calendar(supplier_portal, supplier_a.resource.pk, {"action": "delete_hours", "id": theirs.pk})
    assert response.status_code == 404
    with schema_context(tenant_a.schema_name):
        assert OpeningHours.objects.filter(pk=theirs.pk).exists()


def test_profile_shows_the_quality_score_and_its_formula(supplier_portal, supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        supplier_outcome_record(asset_owner_id=supplier_a.company.pk, kind="quality_pass", reference="qc:1")
        supplier_outcome_record(asset_owner_id=supplier_a.company.pk, kind="late", reference="wi:1")
    page = supplier_portal.get("/portal/profile/").content.decode()
    assert re.search(r'class="stat">60\.0 <span', page)  # 60 % × 1.0 + 40 % × 0.0
    assert "60 % × pass rate + 40 % × on-time rate" in page


def test_profile_refuses_an_unknown_town_and_changes_nothing(supplier_portal, supplier_a, tenant_a):
    form = {
        "name": supplier_a.company.name,
        "contact_name": "Pat",
        "contact_email": "pat@example.test",
        "street": "Elsewhere 1",
        "postal_code": "1000 AA",
        "city": "Nowhere At All",
        "country": "NL",
    }
    response = supplier_portal.post("/portal/profile/", form)
    assert response.status_code == 400 and "We could not find" in response.content.decode()
    assert b'value="Elsewhere 1"' in response.content  # the input is kept
    with schema_context(tenant_a.schema_name):
        assert AssetOwner.objects.get(pk=supplier_a.company.pk).city == "Eindhoven"
    assert supplier_portal.post("/portal/profile/", {**form, "city": "Amsterdam"}).status_code == 302
    with schema_context(tenant_a.schema_name):
        moved = AssetOwner.objects.get(pk=supplier_a.company.pk)
        assert moved.city == "Amsterdam" and abs(float(moved.latitude) - 52.37) < 0.05


def _upload(client, name: str, content: bytes, content_type: str = "application/pdf"):
    return client.post(
        "/portal/certifications/",
        {
            "standard": "iso_9001",
            "number": "NL-123",
            "issued_by": "Lloyd's",
            "valid_until": "2027-06-30",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def test_certificates_accept_pdfs_and_images_only(supplier_portal, supplier_a, tenant_a):
    assert _upload(supplier_portal, "iso.pdf", PDF).status_code == 302
    renamed = _upload(supplier_portal, "virus.pdf", b"MZ\x90\x00 this is an executable")
    assert renamed.status_code == 400 and b"does not match its name" in renamed.content
    wrong_type = _upload(supplier_portal, "notes.txt", b"hello", "text/plain")
    assert wrong_type.status_code == 400 and b"Upload a PDF or an image" in wrong_type.content
    too_big = _upload(supplier_portal, "huge.pdf", PDF + b"0" * (5 * 1024 * 1024))
    assert too_big.status_code == 400 and b"at most 5 MB" in too_big.content
    for width, height in ((20_000, 10_000), (9000, 9000)):  # a scan that is a pixel bomb is no image either
        bomb = _upload(supplier_portal, "scan.png", png_bomb(width, height).read(), "image/png")
        assert bomb.status_code == 400 and b"at most 40 megapixels" in bomb.content
    with schema_context(tenant_a.schema_name):
        assert Certification.objects.filter(asset_owner=supplier_a.company).count() == 1


def test_certificate_files_are_served_to_their_own_company_only(
    supplier_portal, client_a, tenant_a, supplier_a, other_supplier_a
):
    _upload(supplier_portal, "iso.pdf", PDF)
    with schema_context(tenant_a.schema_name):
        certification = Certification.objects.get(asset_owner=supplier_a.company)
    url = certification.file.url  # the media view, which checks who asks (apps.core.media)
    assert f'href="{url}"' in supplier_portal.get("/portal/certifications/").content.decode()
    own = supplier_portal.get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")
    sign_in(client_a, tenant_a, other_supplier_a.user)
    assert client_a.get(url).status_code == 404
    assert client_a.post(f"/portal/certifications/{certification.pk}/delete/").status_code == 404
    with schema_context(tenant_a.schema_name):
        assert Certification.objects.filter(pk=certification.pk).exists()


def test_operators_manage_resources_but_not_payouts(client_a, tenant_a, supplier_a):
    with schema_context(tenant_a.schema_name):
        operator = make_member(supplier_a.company, role="operator")
    sign_in(client_a, tenant_a, operator)
    assert client_a.get("/portal/resources/").status_code == 200
    assert client_a.get("/portal/payouts/").status_code == 403
    assert b"/portal/payouts/" not in client_a.get("/portal/").content


def test_a_certificate_must_be_what_its_extension_says(supplier_portal, supplier_a, tenant_a):
    """A PNG named .pdf, a PDF named .png, and a file whose declared type disagrees were all accepted: any known
    magic number passed, whatever the name."""
    png = _png_bytes()
    as_pdf = _upload(supplier_portal, "scan.pdf", png)
    assert as_pdf.status_code == 400 and b"does not match its name" in as_pdf.content
    as_png = _upload(supplier_portal, "scan.png", PDF, "image/png")
    assert as_png.status_code == 400 and b"does not match its name" in as_png.content
    declared_html = _upload(supplier_portal, "iso.pdf", PDF, "text/html")
    assert declared_html.status_code == 400
    truncated_png = _upload(
        supplier_portal, "scan.png", png[:20], "image/png"
    )  # the PNG signature, then nothing
    assert truncated_png.status_code == 400 and b"not a readable image" in truncated_png.content
    assert _upload(supplier_portal, "scan.png", png, "image/png").status_code == 302
    with schema_context(tenant_a.schema_name):
        assert Certification.objects.filter(asset_owner=supplier_a.company).count() == 1


def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()
