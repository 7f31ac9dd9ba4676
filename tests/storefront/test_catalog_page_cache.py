"""The catalogue page is kept whole in the cache under a fingerprint of the catalogue's rows and their designers
(apps/storefront/catalog_page.py): a product or designer changed by a queryset update() or a bare create (no
service, no signal) shows on the very next request, each filter and the htmx results have their own entry, and
another network's catalogue is never served.

Every test asks for the page first, so the change is judged against a kept body."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.catalog.models import ProductTemplate
from apps.demo.catalog import catalog_demo_seed
from apps.suppliers.status import ParticipantStatus
from tests.conftest import host_of
from tests.designers.factories import make_designer, make_designer_template

pytestmark = pytest.mark.django_db


def _page(client, path: str = "/catalog/", **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response.content.decode()


def _kept(client, path: str = "/catalog/", **headers) -> str:
    _page(client, path, **headers)
    return _page(client, path, **headers)


def test_a_products_new_name_and_a_product_leaving_the_catalogue(client_a, demo_catalog_a):
    template = next(iter(demo_catalog_a.values()))
    assert template.name in _kept(client_a)
    ProductTemplate.objects.filter(pk=template.pk).update(name="Renamed bookcase")
    assert "Renamed bookcase" in _page(client_a)
    ProductTemplate.objects.filter(pk=template.pk).update(active=False)
    assert "Renamed bookcase" not in _page(client_a)


def test_a_new_product_and_its_designers_name_and_state(client_a, demo_catalog_a):
    _kept(client_a)
    designer = make_designer("Lumen Studio", status=ParticipantStatus.APPLIED)
    lamp = make_designer_template(designer, "Lamp")
    body = _page(client_a)
    assert lamp.name in body and "Designed by Lumen Studio" in body  # not approved: no link to a page
    type(designer).objects.filter(pk=designer.pk).update(name="Lumen Works")
    assert "Designed by Lumen Works" in _page(client_a)
    type(designer).objects.filter(pk=designer.pk).update(status=ParticipantStatus.APPROVED)
    body = _page(client_a)
    assert "Designed by Lumen Works" not in body and ">Lumen Works</a>" in body


def test_each_filter_and_the_htmx_results_have_their_own_entry(client_a, demo_catalog_a):
    template = next(iter(demo_catalog_a.values()))
    _kept(client_a)
    assert "No products match" in _kept(client_a, "/catalog/?q=zzzz")
    assert template.name in _page(client_a)
    results = _kept(client_a, "/catalog/", HTTP_HX_REQUEST="true")
    assert results.lstrip().startswith('<section id="catalog-results"') and "<html" not in results
    assert "<html" in _page(client_a)


def test_another_network_never_gets_the_kept_catalogue(client_a, demo_catalog_a, tenant_b):
    template = next(iter(demo_catalog_a.values()))
    ProductTemplate.objects.filter(pk=template.pk).update(name="Only on alpha")
    assert "Only on alpha" in _kept(client_a)
    with schema_context(tenant_b.schema_name):
        catalog_demo_seed()
        other = Client(HTTP_HOST=host_of(tenant_b))
        assert "Only on alpha" not in _kept(other)
