"""My designs, a design's page, editing into a new version, and the read-only private link."""

import pytest
from django.test import Client

from apps.accounts.roles import Role
from apps.catalog.models import Design
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.storefront.views.catalog import cart_enabled
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def design(demo_catalog_a, customer_a):
    table = demo_catalog_a["dining-table"]
    values = {**template_spec_for(table).defaults(), "top_material": "walnut", "engraving": "Ada"}
    return design_create(owner=customer_a, template=table, name="Walnut table", values=values)


def other_customer_client(tenant, make_user):
    return sign_in(Client(HTTP_HOST=f"{tenant.slug}.localhost"), tenant, make_user(tenant, Role.CUSTOMER))


def test_my_designs_lists_only_mine(design, signed_in_a, tenant_a, make_user):
    content = signed_in_a.get("/designs/").content.decode()
    assert "Walnut table" in content and "v1" in content
    assert "Walnut table" not in other_customer_client(tenant_a, make_user).get("/designs/").content.decode()


def test_design_page_shows_values_preview_quote_versions_and_share_link(design, signed_in_a):
    response = signed_in_a.get(f"/designs/{design.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "American black walnut, oiled" in content and "Ada" in content
    assert "<svg" in content and '<p class="price">' in content
    assert '<td>v1 <span class="badge ok">current</span></td>' in content
    assert f"<code>{design.current_version.pk}</code>" not in content  # versions by number, never by UUID
    assert f"http://alpha.localhost/designs/shared/{design.share_token}/" in content
    cart_button = f'name="design_version" value="{design.current_version.pk}"'
    assert cart_enabled() and cart_button not in content, "no workshop here makes it: saved, never sold"


def test_design_pages_are_for_the_owner_only(design, client_a, tenant_a, make_user):
    assert client_a.get(f"/designs/{design.pk}/").status_code == 302, "anonymous → sign in"
    other = other_customer_client(tenant_a, make_user)
    assert other.get(f"/designs/{design.pk}/").status_code == 404
    assert other.get(f"/designs/{design.pk}/edit/").status_code == 404
    assert other.post(f"/designs/{design.pk}/edit/", {"design_name": "Stolen"}).status_code == 404
    design.refresh_from_db()
    assert design.name == "Walnut table"


def test_another_networks_customer_gets_a_404(design, tenant_b, make_user):
    assert Design.objects.filter(pk=design.pk).exists()
    other = other_customer_client(tenant_b, make_user)
    assert other.get(f"/designs/{design.pk}/").status_code == 404
    assert other.get(f"/designs/shared/{design.share_token}/").status_code == 404


def test_editing_saves_a_new_version(design, signed_in_a):
    page = signed_in_a.get(f"/designs/{design.pk}/edit/")
    assert page.status_code == 200
    content = page.content.decode()
    assert '<option value="walnut" selected>' in content and 'value="Walnut table"' in content
    values = {
        **design.current_version.values,
        "width": "2000",
        "design_name": "Walnut table XL",
        "action": "save",
    }
    response = signed_in_a.post(f"/designs/{design.pk}/edit/", values)
    assert response.status_code == 302
    design.refresh_from_db()
    assert design.name == "Walnut table XL"
    assert design.current_version.number == 2 and design.current_version.values["width"] == 2000
    assert design.versions.get(number=1).values["width"] == 1800
    detail = signed_in_a.get(f"/designs/{design.pk}/").content.decode()
    assert "v2" in detail and "v1" in detail


def test_an_invalid_edit_keeps_the_input_and_saves_nothing(design, signed_in_a):
    values = {**design.current_version.values, "depth": "5000", "design_name": "x", "action": "save"}
    response = signed_in_a.post(f"/designs/{design.pk}/edit/", values)
    assert response.status_code == 400
    assert (
        'value="5000"' in response.content.decode()
        and "Must be at most 1100 mm." in response.content.decode()
    )
    assert design.versions.count() == 1


def test_the_private_link_is_read_only(design, client_a):
    response = client_a.get(f"/designs/shared/{design.share_token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer", "the secret token never leaks through Referer"
    content = response.content.decode()
    assert "Walnut table" in content and "American black walnut" in content
    assert (
        "/edit/" not in content
        and 'name="action"' not in content
        and '<form method="post"' not in content.split("<main")[1].split("Sign out")[0]
    )
    link = content.split('href="/catalog/dining-table/?')[1].split('"')[0]
    assert "width=1800" in link and "top_material=walnut" in link, "offers to configure one's own from it"
    assert client_a.post(f"/designs/shared/{design.share_token}/", {}).status_code == 405
    assert client_a.get(f"/designs/shared/{design.share_token[:-2]}xx/").status_code == 404
