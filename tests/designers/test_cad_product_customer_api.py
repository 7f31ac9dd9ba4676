"""A designer's CAD product through the customer API, as its storefront page sells it: the catalog describes the
options the designer offers, /designs/validate/ and /quotes/ answer a customer's options (the page's price and
date, with the designer's royalty; an option outside the designer's choice a 400 keyed by that option), /designs/
saves them as a version of the customer's design, and the cart and checkout APIs order and pay it. A draft, a
retired product or another network's is not sold."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.catalog.versions import template_retire
from apps.orders.models import OrderLine
from tests.conftest import api_token_for, host_of
from tests.designers.cad_builders import PLA_BLACK, cad_designer, cad_draft, cad_published, customer_user
from tests.uploads.part_network import parts_network  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/catalog/templates/"
VALIDATE = "/api/v1/designs/validate/"
QUOTES = "/api/v1/quotes/"
DESIGNS = "/api/v1/designs/"


def api(tenant, user=None) -> Client:
    if user is None:
        return Client(HTTP_HOST=host_of(tenant))
    return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")


def post(client: Client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def studio(parts_network):  # noqa: F811 - the fixture imported above
    return cad_designer()


@pytest.fixture
def product(studio):
    designer, member = studio
    return cad_published(designer, member, royalty_bp=1_000)


def test_the_catalog_describes_the_options_as_the_designer_narrowed_them(tenant_a, product):
    anonymous = api(tenant_a)
    detail = anonymous.get(f"{TEMPLATES}{product.slug}/")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["kind"], body["routing"]) == ("part", [])
    properties = body["parameters_schema"]["properties"]
    assert set(properties) == {"process", "material", "colour", "infill_percent", "finish"}
    assert properties["process"]["enum"] == ["fdm_printing"]
    assert properties["material"]["enum"] == ["petg", "pla"]
    assert properties["colour"]["enum"] == ["black", "white"]
    assert 100 in properties["infill_percent"]["enum"] and properties["infill_percent"]["type"] == "integer"
    assert "as_printed" in properties["finish"]["enum"]
    choices = body["parameters_schema"]["x-choices"]
    assert {m["value"] for p in choices["processes"] for m in p["materials"]} == {"pla", "petg"}
    defaults = body["defaults"]
    assert defaults["material"] in ("pla", "petg") and defaults["colour"] in ("black", "white")
    assert post(anonymous, VALIDATE, {"template": product.slug, "values": defaults}).status_code == 200
    listed = {row["slug"]: row for row in anonymous.get(TEMPLATES).json()["results"]}
    assert listed[product.slug]["kind"] == "part"


def test_validate_and_quote_answer_the_options_with_the_pages_price_and_the_royalty(tenant_a, product):
    anonymous = api(tenant_a)
    valid = post(anonymous, VALIDATE, {"template": product.slug, "values": PLA_BLACK})
    assert valid.status_code == 200, valid.content
    assert valid.json()["valid"] is True and valid.json()["values"]["material"] == "pla"
    assert [op["process"] for op in valid.json()["operations"]] == ["fdm_printing"]

    quoted = post(anonymous, QUOTES, {"template": product.slug, "values": PLA_BLACK})
    assert quoted.status_code == 200, quoted.content
    quote = quoted.json()
    assert quote["price_minor"] > 0 and quote["royalty_minor"] > 0
    assert abs(quote["royalty_minor"] - (quote["price_minor"] - quote["royalty_minor"]) * 0.10) <= 1
    page = anonymous.post(f"/catalog/{product.slug}/", {**PLA_BLACK, "quantity": "1"}).content.decode()
    assert re.search(r'<p class="price">([^<]+)</p>', page).group(1) == quote["price"]
    assert f'datetime="{quote["delivery_date"]}"' in page, "the page's delivery date"


@pytest.mark.parametrize(
    ("option", "value"), [("colour", "red"), ("material", "asa"), ("infill_percent", {"x": [1]})]
)
def test_an_option_outside_the_designers_choice_is_a_400_keyed_by_that_option(
    tenant_a, product, option, value
):
    customer = api(tenant_a, customer_user())
    values = {**PLA_BLACK, option: value}
    for url, body in (
        (VALIDATE, {"template": product.slug, "values": values}),
        (QUOTES, {"template": product.slug, "values": values}),
        (DESIGNS, {"template": product.slug, "values": values, "name": "Clip"}),
    ):
        response = post(customer, url, body)
        assert response.status_code == 400, (url, response.content)
        assert set(response.json()["values"]) == {option}, (url, response.json())
    assert not product.designs.exists()


def test_a_draft_a_retired_product_or_another_networks_is_not_sold(tenant_a, tenant_b, studio, product):
    designer, member = studio
    draft = cad_draft(designer, member, name="Draft clip")
    customer = api(tenant_a, customer_user())
    with schema_context(tenant_b.schema_name):
        beta = api(tenant_b, customer_user())

    def refused(client: Client, slug: str) -> None:
        assert client.get(f"{TEMPLATES}{slug}/").status_code == 404
        for url in (VALIDATE, QUOTES, DESIGNS):
            response = post(client, url, {"template": slug, "values": PLA_BLACK, "name": "Clip"})
            assert response.status_code == 400 and set(response.json()) == {"template"}, url

    refused(customer, draft.slug)
    refused(beta, product.slug)
    with schema_context(tenant_a.schema_name):  # the requests to beta left the connection there
        template_retire(actor=member, designer=designer, template=product)
    refused(customer, product.slug)
    with schema_context(tenant_a.schema_name):
        assert not product.designs.exists() and not draft.designs.exists()


def test_a_customer_buys_it_through_the_api_and_the_paid_line_pins_product_designer_and_royalty(
    tenant_a, studio, product, stripe_server
):
    designer, _member = studio
    buyer = customer_user()
    client = api(tenant_a, buyer)
    created = post(client, DESIGNS, {"template": product.slug, "values": PLA_BLACK, "name": "My clip"})
    assert created.status_code == 201, created.content
    design = created.json()
    version = design["current_version"]
    assert (design["template"], design["name"], version["values"]["colour"]) == (
        product.slug,
        "My clip",
        "black",
    )
    again = post(client, DESIGNS, {"template": product.slug, "values": PLA_BLACK, "name": "Spare clip"})
    assert again.status_code == 201, again.content
    assert again.json()["id"] != design["id"], "create makes a design of its own, as for any template"
    assert client.get(f"{DESIGNS}{design['id']}/").json()["name"] == "My clip", "the first one is untouched"

    line = post(client, "/api/v1/cart/lines/", {"design_version": str(version["id"]), "quantity": 2})
    assert line.status_code == 201, line.content
    address = {
        "recipient_name": "Ada",
        "recipient_phone": "+31 6 1234 5678",
        "address_line": "Oudegracht 1",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "country": "NL",
    }
    assert client.put("/api/v1/cart/", address, content_type="application/json").status_code == 200
    cart = client.post("/api/v1/cart/quote/").json()
    assert cart["quote"]["total_minor"] > 0, cart
    order = post(
        client,
        "/api/v1/orders/",
        {
            "checkout_key": cart["checkout_key"],
            "expected_total_minor": cart["quote"]["total_minor"],
            "expected_delivery_date": cart["quote"]["delivery_date"],
        },
    )
    assert order.status_code == 201, order.content
    paid = post(client, f"/api/v1/orders/{order.json()['id']}/pay/", {"payment_method": "pm_card_visa"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid", paid.content

    ordered = OrderLine.objects.select_related("design_version__design").get(order_id=order.json()["id"])
    assert (str(ordered.design_version_id), ordered.designer_id) == (str(version["id"]), designer.pk)
    assert ordered.design_version.design.template_id == product.pk, "this very version of the product"
    assert ordered.royalty_minor > 0


def test_patching_a_designs_options_saves_a_new_version_checked_as_the_page_checks_them(tenant_a, product):
    """PATCH with new values answered 400 'Unknown parameter.' for every option of a CAD product's design: the
    values went to the configurable templates' validation. They are the product's options: a new version of this
    very design, an option outside the designer's choice a 400 keyed by it, another customer's design a 404."""
    buyer = customer_user()
    client = api(tenant_a, buyer)
    design = post(client, DESIGNS, {"template": product.slug, "values": PLA_BLACK, "name": "My clip"}).json()
    url = f"{DESIGNS}{design['id']}/"
    white = {**PLA_BLACK, "colour": "white"}

    changed = client.patch(url, {"values": white, "name": "White clip"}, content_type="application/json")

    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["id"], body["name"]) == (design["id"], "White clip")
    assert body["current_version"]["values"]["colour"] == "white"
    assert body["current_version"]["number"] == design["current_version"]["number"] + 1
    red = client.patch(url, {"values": {**PLA_BLACK, "colour": "red"}}, content_type="application/json")
    assert red.status_code == 400 and "colour" in red.json()["values"], red.content
    assert client.get(url).json()["current_version"]["values"]["colour"] == "white"  # nothing saved
    stranger = api(tenant_a, customer_user())
    assert stranger.patch(url, {"values": white}, content_type="application/json").status_code == 404
