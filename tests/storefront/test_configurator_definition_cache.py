"""The configurator serves a product's definition from the process's cache (apps.catalog.spec_cache) and still
shows every change at once: a newly published version on the next request, a retired product never again, and an
in-place change to the network's own published product (fixtures, queryset updates) on the next request."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.definitions import template_definition
from apps.catalog.drafts import template_draft_update
from apps.catalog.models import Parameter
from apps.catalog.versions import template_retire, template_staff_publish, template_version_create

pytestmark = pytest.mark.django_db

URL = "/catalog/dining-table/"


@pytest.fixture
def staff(tenant_a, make_user):
    return make_user(tenant_a, Role.STAFF)


def _width_label(definition: dict) -> str:
    return next(p["label"] for p in definition["parameters"] if p["key"] == "width")


def test_a_newly_published_version_shows_on_the_next_request(demo_catalog_a, client_a, staff):
    table = demo_catalog_a["dining-table"]
    first = client_a.get(URL)
    assert first.status_code == 200 and '<label for="id_width">Width ' in first.content.decode()
    client_a.get(URL)  # served from the cache now
    v2 = template_version_create(actor=staff, template=table)
    definition = template_definition(v2)
    next(p for p in definition["parameters"] if p["key"] == "width")["label"] = "Table length"
    template_draft_update(actor=staff, template=v2, definition=definition)
    assert '<label for="id_width">Width ' in client_a.get(URL).content.decode(), "a draft changes nothing"
    template_staff_publish(actor=staff, template=v2)
    page = client_a.get(URL)
    assert page.context["template"].pk == v2.pk
    content = page.content.decode()
    assert '<label for="id_width">Table length ' in content and '<label for="id_width">Width ' not in content


def test_a_retired_product_is_not_served_though_its_definition_is_cached(demo_catalog_a, client_a, staff):
    assert client_a.get(URL).status_code == 200
    template_retire(actor=staff, template=demo_catalog_a["dining-table"])
    assert client_a.get(URL).status_code == 404
    assert client_a.get("/catalog/dining-table/preview.svg").status_code == 404


def test_an_in_place_change_to_the_networks_own_product_shows_on_the_next_request(demo_catalog_a, client_a):
    """A queryset update sends no signal and leaves the template's updated_at alone: the page still sees it."""
    assert '<label for="id_width">Width ' in client_a.get(URL).content.decode()
    Parameter.objects.filter(template=demo_catalog_a["dining-table"], key="width").update(label="Top length")
    content = client_a.get(URL).content.decode()
    assert '<label for="id_width">Top length ' in content and "Width " not in content
