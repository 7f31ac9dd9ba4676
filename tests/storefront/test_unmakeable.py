"""Sell only what can be made: the quote API refuses an unmakeable design with the reasons (409), the cart and
checkout refuse it, the design page offers no "Add to cart"; saving it stays allowed."""

import pytest

from apps.matching.makeable import DesignUnmakeable
from apps.orders.models import CartLine
from tests.conftest import sign_in
from tests.matching.builders import bracket_template, design_version, haulier, workshop

pytestmark = pytest.mark.django_db

UNMAKEABLE = {"length": 2000, "metal": "steel", "hours": 1}  # longer than the only laser's bed


@pytest.fixture
def small_laser_network(in_tenant_a):
    haulier()
    owner, _ = workshop(
        "Small beds",
        processes={
            "laser_cutting": {"max_length_mm": 1000, "max_width_mm": 1000},
            "sheet_bending": {},
            "packaging": {"materials": []},
        },
    )
    bracket_template()
    return owner


def test_quote_api_refuses_an_unmakeable_design_with_the_reasons(small_laser_network, client_a):
    """409, code "unmakeable", the step by key and name, what to change and the machine's own reason; never a
    price."""
    response = client_a.post(
        "/api/v1/quotes/", {"template": "bracket", "values": UNMAKEABLE}, content_type="application/json"
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "unmakeable" and "price_minor" not in body
    (reason,) = body["reasons"]
    assert (reason["code"], reason["step_keys"], reason["steps"], reason["change"]) == (
        "no_capable_resource",
        ["cut"],
        ["Cutting"],
        "size",
    )
    assert reason["machines"] == [
        {
            "company": small_laser_network.name,
            "machine": "Small beds laser_cutting",
            "kind": "too_small",
            "detail": "too small for 2000 × 200 × 3 mm (takes at most 1000 × 1000 × 500 mm)",
        }
    ]
    assert "Choose a smaller size." in body["detail"]
    makeable = client_a.post(
        "/api/v1/quotes/",
        {"template": "bracket", "values": {**UNMAKEABLE, "length": 800}},
        content_type="application/json",
    )
    assert makeable.status_code == 200 and makeable.json()["source"] == "network_match"


def test_an_unmakeable_design_is_saved_but_never_goes_in_the_cart(
    small_laser_network, client_a, tenant_a, customer
):
    """Saving works; its page has no "Add to cart"; posting to the cart anyway (page or API) is refused and the
    cart stays empty; a makeable design goes in."""
    version = design_version(customer, length=2000)
    sign_in(client_a, tenant_a, customer)
    page = client_a.get(f"/designs/{version.design_id}/").content.decode()
    assert "We cannot make this design as configured" in page and "Add to cart</button>" not in page

    response = client_a.post("/cart/add/", {"design_version": str(version.pk), "quantity": 1}, follow=True)
    assert "cannot be added to your cart" in response.content.decode()
    api = client_a.post(
        "/api/v1/cart/lines/", {"design_version": str(version.pk)}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["code"] == "unmakeable"
    assert not CartLine.objects.filter(cart__customer=customer).exists()

    makeable = design_version(customer, length=800)
    assert "Add to cart</button>" in client_a.get(f"/designs/{makeable.design_id}/").content.decode()
    client_a.post("/cart/add/", {"design_version": str(makeable.pk), "quantity": 1})
    assert list(
        CartLine.objects.filter(cart__customer=customer).values_list("design_version", flat=True)
    ) == [makeable.pk]


def test_the_quote_api_takes_a_typed_address(small_laser_network, client_a):
    """The address is what people write; the quote delivers to the town the gazetteer finds."""
    body = {"template": "bracket", "values": {**UNMAKEABLE, "length": 800}}
    response = client_a.post(
        "/api/v1/quotes/",
        {**body, "address": {"postcode": "1012 JS", "city": "amsterdam", "country": "nl"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    latitude, longitude = response.json()["destination"].values()
    assert abs(latitude - 52.37) < 0.05 and abs(longitude - 4.89) < 0.05
    unknown = client_a.post(
        "/api/v1/quotes/", {**body, "address": {"city": "Atlantis"}}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert unknown.json() == {
        "address": {
            "city": [
                "We could not find “Atlantis” in Netherlands. Check the spelling, or give the nearest town."
            ]
        }
    }


@pytest.mark.parametrize(
    "address",
    [
        "Amsterdam",
        ["Amsterdam"],
        {},
        {"city": ""},
        {"city": None},
        {"city": "Amsterdam", "country": "ZZ"},
        {"city": "Amsterdam", "country": "Nederland"},
        {"city": "x" * 500},
        {"city": "\x00"},
        {"city": {"name": "Amsterdam"}},
        {"city": "Amsterdam", "postcode": "9" * 50},
    ],
)
def test_odd_quote_addresses_are_400s_never_500s(small_laser_network, client_a, address):
    response = client_a.post(
        "/api/v1/quotes/",
        {"template": "bracket", "values": {**UNMAKEABLE, "length": 800}, "address": address},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "address" in response.json()


def test_an_order_is_refused_when_its_design_can_no_longer_be_made(small_laser_network, customer):
    """In the cart and quoted while the laser took it; the laser shrinks before checkout: no order is made, the
    refusal names the step (server-side, whatever the page showed)."""
    from apps.orders import checkout
    from apps.orders.models import Order
    from apps.orders.services import AddressInput, cart_address_set, cart_line_add
    from apps.suppliers.models import Resource
    from apps.suppliers.services import resource_update

    version = design_version(customer, length=800)
    cart_line_add(customer=customer, design_version=version, quantity=1)
    cart_address_set(
        customer=customer,
        address=AddressInput(recipient_name="Ada", address_line="Dam 1", city="Amsterdam"),
        requested_delivery_date=None,
    )
    quoted = checkout.cart_quote(customer=customer)
    assert quoted.quote is not None, quoted.error
    laser = Resource.objects.get(asset_owner=small_laser_network, process="laser_cutting")
    resource_update(resource=laser, max_length_mm=500, max_width_mm=500)

    with pytest.raises(DesignUnmakeable) as refused:
        checkout.checkout_place(
            customer=customer,
            checkout_key=quoted.cart.checkout_key,
            seen_total_minor=quoted.quote.total_minor,
            seen_delivery_date=quoted.quote.delivery_date,
        )
    assert refused.value.reasons[0].step_keys == ("cut",)
    assert not Order.objects.filter(customer=customer).exists()
