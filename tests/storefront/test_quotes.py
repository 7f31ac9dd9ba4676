"""Quotes: one function for the storefront and the API. These networks have no workshops, so the quote is the
catalogue's estimate, and the panel and the API say so."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalog.estimate import catalogue_estimate
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.catalog.validation import InvalidConfiguration
from apps.matching.quoting import quote_configuration
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_without_workshops_the_quote_is_the_catalogue_estimate(demo_catalog_a, tenant_a):
    table = demo_catalog_a["dining-table"]
    values = {**template_spec_for(table).defaults(), "width": 2000}
    quote = quote_configuration(template=table, values=values, tenant=tenant_a)
    estimate = catalogue_estimate(table, values)
    assert (quote.price_minor, quote.currency, quote.lead_time_days) == (
        estimate.price_minor,
        "EUR",
        estimate.lead_time_days,
    )
    assert quote.source == "catalogue_estimate"
    assert quote.source_label.startswith("Estimate from the catalogue's cost model")
    assert quote.asset_owner_count is None
    assert len(quote.breakdown) == 6
    assert dt.timedelta(minutes=29) < quote.expires_at - timezone.now() <= dt.timedelta(minutes=30)
    assert quote.delivery_date > timezone.now().date()
    with pytest.raises(InvalidConfiguration):
        quote_configuration(template=table, values={**values, "width": 1}, tenant=tenant_a)


def quote(client, body):
    return client.post("/api/v1/quotes/", body, content_type="application/json")


def test_anonymous_visitors_can_quote_a_raw_configuration(demo_catalog_a, client_a):
    spec = template_spec_for(demo_catalog_a["bookshelf"])
    response = quote(client_a, {"template": "bookshelf", "values": {**spec.defaults(), "shelves": 6}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["currency"] == "EUR" and body["price_minor"] > 0 and body["price"].startswith("€")
    assert body["source"] == "catalogue_estimate" and body["asset_owner_count"] is None
    assert [step["step_key"] for step in body["breakdown"]] == [
        "panels_cnc",
        "painting",
        "assembly",
        "packing",
    ]
    assert body["breakdown"][0]["cost_minor"] == sum(body["breakdown"][0]["drivers_minor"].values())
    dt.date.fromisoformat(body["delivery_date"])
    assert body["expires_at"] and body["design_version"] is None


def test_bad_quote_requests_are_400s_naming_the_field(demo_catalog_a, client_a):
    spec = template_spec_for(demo_catalog_a["bookshelf"])
    bad = quote(
        client_a, {"template": "bookshelf", "values": {**spec.defaults(), "shelves": 7, "height": 1000}}
    )
    assert bad.status_code == 400
    assert "180 mm between shelves" in bad.json()["values"]["shelves"][0]
    assert quote(client_a, {"template": "bookshelf"}).json() == {"values": ["This field is required."]}
    assert "sofa" in quote(client_a, {"template": "sofa", "values": {}}).json()["template"][0]
    assert quote(client_a, {"design": 1, "template": "bookshelf", "values": {}}).status_code == 400


def test_quoting_a_design_is_for_its_owner(demo_catalog_a, client_a, tenant_a, make_user, tenant_b):
    owner = make_user(tenant_a, Role.CUSTOMER)
    table = demo_catalog_a["dining-table"]
    design = design_create(owner=owner, template=table, name="T", values=template_spec_for(table).defaults())
    assert quote(client_a, {"design": design.pk}).status_code == 401
    sign_in(client_a, tenant_a, owner)
    response = quote(client_a, {"design": design.pk})
    assert response.status_code == 200
    assert response.json()["design_version"] == str(design.current_version.pk)
    other = sign_in(Client(HTTP_HOST="alpha.localhost"), tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert quote(other, {"design": design.pk}).status_code == 404
    stranger = sign_in(Client(HTTP_HOST="beta.localhost"), tenant_b, make_user(tenant_b, Role.CUSTOMER))
    assert quote(stranger, {"design": design.pk}).status_code == 404
    assert (
        quote(Client(HTTP_HOST="beta.localhost"), {"template": "dining-table", "values": {}}).status_code
        == 400
    )
