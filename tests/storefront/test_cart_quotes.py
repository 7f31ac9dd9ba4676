"""The cart shows its price the moment a line is added (to the saved address, or the network's default point
until there is one) and quotes again in place (htmx) when a quantity or the address changes."""

import pytest

from apps.orders.models import Cart

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient_name": "Ada",
    "address_line": "Oudegracht 1",
    "postcode": "3511 AB",
    "city": "Utrecht",
    "country": "NL",
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_new_line_is_priced_at_once_and_requoted_in_place(signed_in, table, customer):
    signed_in.post("/cart/add/", {"design_version": str(table.current_version.pk), "quantity": 1})
    page = signed_in.get("/cart/").content.decode()
    cart = Cart.objects.get(customer=customer)
    assert cart.quote_total_minor and not cart.has_coordinates
    assert 'class="total"' in page and 'id="default-destination"' in page
    assert "Place order and pay" not in page, "a price to the network's default point is never ordered"
    one = cart.quote_total_minor

    line = cart.lines.get()
    response = signed_in.post(f"/cart/lines/{line.pk}/", {"quantity": 2}, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="cart">') and "<html" not in fragment
    two = Cart.objects.get(customer=customer).quote_total_minor
    assert two > one

    response = signed_in.post("/cart/address/", ADDRESS, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Shipping details saved." in fragment and "Place order and pay" in fragment
    assert "For delivery to Utrecht." in fragment
    cart = Cart.objects.get(customer=customer)
    assert cart.has_coordinates and cart.quote_total_minor is not None


def test_an_unknown_town_keeps_the_cart_quoted_and_the_input(signed_in, table, customer):
    """htmx: the address form comes back with the message on the town, what was typed kept, and the cart still
    priced (to the network's default point: nothing was saved); without htmx the same page is a 400."""
    signed_in.post("/cart/add/", {"design_version": str(table.current_version.pk), "quantity": 1})
    response = signed_in.post("/cart/address/", {**ADDRESS, "city": "Nergenshuizen"}, **HTMX)
    assert response.status_code == 200, "htmx swaps 200s only; the fragment carries the error"
    fragment = response.content.decode()
    assert (
        "We could not find “Nergenshuizen” in Netherlands." in fragment
        and 'value="Nergenshuizen"' in fragment
    )
    assert 'value="Oudegracht 1"' in fragment and 'class="total"' in fragment
    assert not Cart.objects.get(customer=customer).has_coordinates
    page = signed_in.post("/cart/address/", {**ADDRESS, "city": "Nergenshuizen"})
    assert (
        page.status_code == 400
        and "We could not find “Nergenshuizen” in Netherlands." in page.content.decode()
    )
