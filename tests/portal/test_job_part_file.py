"""A supplier's job whose order line was designed from a customer's uploaded part: the job page shows the 3D view or
the drawing, the measured features and the findings, and offers the original file through the private media view.
Only the parties of that job see any of it."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.catalog.models import Design
from apps.uploads.models import PartUpload
from tests.conftest import host_of, sign_in
from tests.designers.cad_builders import cad_designer, cad_draft
from tests.portal.jobs.builders import plan_order
from tests.storefront.part_builders import open_box, open_plate
from tests.suppliers.factories import make_asset_owner, make_member
from tests.uploads import samples

pytestmark = pytest.mark.django_db


def _job_url(job) -> str:
    return f"/portal/jobs/{job.pk}/"


def _made_from(tenant, plan, make) -> PartUpload:
    """The plan's order line's design becomes the part `make` builds (for the plan's customer)."""
    with schema_context(tenant.schema_name):
        design = plan.order.lines.get().design_version.design
        return make(plan.order.customer, design=design)


@pytest.fixture
def plan_a(tenant_a, supplier_a, other_supplier_a, carrier_a, other_carrier_a):
    """A planned order of a template design: supplier_a makes its top, other_supplier_a its legs."""
    with schema_context(tenant_a.schema_name):
        return plan_order(supplier_a, other_supplier_a, carrier_a, other_carrier_a)


@pytest.fixture
def box_job(tenant_a, plan_a, tmp_path) -> PartUpload:
    return _made_from(
        tenant_a,
        plan_a,
        lambda owner, **kw: open_box(owner, tmp_path, **kw),
    )


def test_the_job_page_shows_the_part_its_features_and_the_download(
    supplier_portal, tenant_a, plan_a, box_job, tmp_path
):
    html = supplier_portal.get(_job_url(plan_a.mine)).content.decode()
    assert 'id="job-part"' in html
    assert f'data-model-url="/media/{tenant_a.schema_name}/{box_job.preview_name}"' in html
    assert "<dt>Size</dt><dd>40 × 30 × 10 mm</dd>" in html
    assert "<dt>Watertight</dt><dd>no</dd>" in html
    assert "does not enclose a volume" in html
    download = re.search(
        r'<a class="button" href="([^"]+)" download>Download the original \(open_box.stl\)</a>', html
    )
    assert download.group(1) == f"/media/{tenant_a.schema_name}/{box_job.file.stored_name}"

    # The file as the customer uploaded it, as a download (never shown inline).
    response = supplier_portal.get(download.group(1))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == samples.open_box_stl(tmp_path).read_bytes()


def test_the_job_section_is_not_reloaded_by_the_cards_actions(supplier_portal, plan_a, box_job):
    """An action answers with the job card only (htmx): the viewer outside it keeps its place."""
    fragment = supplier_portal.post(
        f"{_job_url(plan_a.mine)}accept/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="job-card"' in fragment and 'id="job-part"' not in fragment


def test_a_dxf_job_shows_the_drawing_with_its_markers(supplier_portal, tenant_a, plan_a, tmp_path):
    _made_from(tenant_a, plan_a, lambda owner, **kw: open_plate(owner, tmp_path, **kw))
    html = supplier_portal.get(_job_url(plan_a.mine)).content.decode()
    drawing_url = f"/portal/jobs/{plan_a.mine.pk}/drawing.svg"
    assert f'<img src="{drawing_url}"' in html
    assert '<circle cx="0" cy="0" r="3.12"/>' in html
    drawing = supplier_portal.get(drawing_url)
    assert drawing.status_code == 200 and drawing["Content-Type"] == "image/svg+xml"
    assert drawing["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


def test_a_template_design_has_no_part_section(supplier_portal, plan_a):
    html = supplier_portal.get(_job_url(plan_a.mine)).content.decode()
    assert 'id="job-part"' not in html
    assert supplier_portal.get(f"/portal/jobs/{plan_a.mine.pk}/drawing.svg").status_code == 404


def test_only_the_jobs_parties_see_the_part(tenant_a, plan_a, box_job, make_user):
    """A workshop with no job for this line gets 404 for the job, its drawing and the file; so does a customer
    who is not the part's owner."""
    with schema_context(tenant_a.schema_name):
        outsider = make_member(make_asset_owner("Outsider Milling"))
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, outsider)
    file_url = f"/media/{tenant_a.schema_name}/{box_job.file.stored_name}"
    assert client.get(_job_url(plan_a.mine)).status_code == 404
    assert client.get(f"/portal/jobs/{plan_a.mine.pk}/drawing.svg").status_code == 404
    assert client.get(file_url).status_code == 404

    customer = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert customer.get(file_url).status_code == 404


def test_a_job_of_a_designers_cad_product_shows_the_products_part(supplier_portal, tenant_a, plan_a):
    """A design bought from a designer's CAD product is made from the product's part (its upload is the
    product's, not the design's: uploads.selectors.upload_for_design). The page looked for the design's own upload
    only, and showed the supplier no file to make the part from."""
    with schema_context(tenant_a.schema_name):
        designer, member = cad_designer()
        product = cad_draft(designer, member, narrowing={})
        design = plan_a.order.lines.get().design_version.design
        Design.objects.filter(pk=design.pk).update(template=product)
        upload = product.part_upload
    html = supplier_portal.get(_job_url(plan_a.mine)).content.decode()
    assert 'id="job-part"' in html
    assert f"Download the original ({upload.original_name})" in html
