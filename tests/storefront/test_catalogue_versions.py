"""The storefront shows one version of each product, the published one: drafts, versions in review, superseded and
retired ones never; and the catalogue's queries stay as many however many versions a product has."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.models import TemplateStatus
from apps.catalog.versions import template_retire, template_staff_publish, template_version_create
from apps.demo.catalog import catalog_demo_seed
from tests.core.test_page_query_counts import assert_same_count

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_each_product_once_in_its_published_version(
    client_a, in_tenant_a, tenant_a, make_user
):
    staff = make_user(tenant_a, Role.STAFF)
    templates = {t.slug: t for t in catalog_demo_seed()}
    table_v1 = templates["dining-table"]

    def more_versions():
        table_v2 = template_version_create(actor=staff, template=table_v1)
        template_staff_publish(actor=staff, template=table_v2)
        template_version_create(actor=staff, template=table_v2)  # v3 stays a draft
        template_version_create(actor=staff, template=templates["bookshelf"])  # a draft of the shelf
        template_retire(actor=staff, template=templates["phone-stand"])

    assert_same_count(client_a, "/catalog/", grow=more_versions)
    page = client_a.get("/catalog/").content.decode()
    assert page.count('href="/catalog/dining-table/"') == 2, (
        "one card (title and button), not one per version"
    )
    assert "Phone stand" not in page, "retired"
    configurator = client_a.get("/catalog/dining-table/")
    assert configurator.context["template"].status == TemplateStatus.PUBLISHED
    assert configurator.context["template"].version == 2
    assert client_a.get("/catalog/phone-stand/").status_code == 404
