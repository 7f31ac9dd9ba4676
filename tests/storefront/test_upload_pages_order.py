"""The part page's order panel: the options the network offers for the part, the quantity, the quote (price breaks
and lead-time options, as the configurator shows them), and "Add to cart" through the part's design version. Bad
input is told inline with what was typed kept; nothing is saved then."""

import re

import pytest
from django_tenants.utils import schema_context

from apps.orders.models import CartLine
from apps.uploads.models import PartUpload
from tests.storefront.part_builders import box
from tests.uploads.part_network import parts_network  # noqa: F401 - fixture: alpha with the demo workshops and rates

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PRICE = re.compile(r'<p class="price">€[\d,]+\.\d\d</p>')


@pytest.fixture
def closed_box(parts_network, tenant_a, customer_a, tmp_path) -> PartUpload:  # noqa: F811 - the fixture above
    """customer_a's closed 40 × 30 × 10 mm box: nothing to fix, so the options and the price are open."""
    with schema_context(tenant_a.schema_name):
        return box(customer_a, tmp_path)


def quote_url(upload: PartUpload) -> str:
    return f"/parts/{upload.pk}/quote/"


def selected(html: str, name: str) -> str:
    """The value the select `name` shows as chosen."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def defaults(signed_in_a, upload: PartUpload) -> dict:
    """The options the page offers first, as the form would post them."""
    html = signed_in_a.get(f"/parts/{upload.pk}/").content.decode()
    names = re.findall(r'<select name="([a-z_]+)"', html)
    return {name: selected(html, name) for name in names} | {"quantity": "1"}


def test_a_part_without_errors_offers_its_options_and_a_quote(signed_in_a, closed_box):
    html = signed_in_a.get(f"/parts/{closed_box.pk}/").content.decode()
    assert 'id="options-form"' in html
    for name in ("process", "material", "quantity"):
        assert f'name="{name}"' in html
    assert selected(html, "process").endswith("_printing")
    # The storefront's own quote panel: the price, the delivery date and the price breaks.
    assert PRICE.search(html)
    assert "Delivery by" in html and 'id="price-breaks"' in html


def test_options_the_network_does_not_offer_are_told_inline_and_the_input_is_kept(signed_in_a, closed_box):
    data = defaults(signed_in_a, closed_box) | {"material": "unobtainium", "quantity": "7"}
    response = signed_in_a.post(quote_url(closed_box), data)
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(r'id="id_material_error"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert "works:" in errors  # what the process does work, named
    assert 'name="quantity" value="7"' in html
    assert not PRICE.search(html)


def test_a_quantity_out_of_range_is_told_inline(signed_in_a, closed_box):
    data = defaults(signed_in_a, closed_box) | {"quantity": "0"}
    response = signed_in_a.post(quote_url(closed_box), data, **HTMX)
    assert response.status_code == 200  # htmx swaps only successes: the panel carries the error
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="part-order"')
    assert "At least 1." in html and 'name="quantity" value="0"' in html


def test_changing_an_option_requotes_the_panel(signed_in_a, closed_box):
    data = defaults(signed_in_a, closed_box) | {"quantity": "3"}
    html = signed_in_a.post(quote_url(closed_box), data, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="part-order"') and PRICE.search(html)
    assert "<html" not in html


def test_add_to_cart_saves_the_part_as_a_design_and_puts_it_in_the_cart(
    signed_in_a, tenant_a, customer_a, closed_box
):
    data = defaults(signed_in_a, closed_box) | {"quantity": "2", "action": "cart"}
    response = signed_in_a.post(quote_url(closed_box), data)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    with schema_context(tenant_a.schema_name):
        upload = PartUpload.objects.select_related("design").get(pk=closed_box.pk)
        line = CartLine.objects.get(cart__customer=customer_a)
        assert line.design_version.design_id == upload.design_id
        assert line.quantity == 2
        assert line.design_version.values["process"] == data["process"]


def test_add_to_cart_with_htmx_sends_the_browser_to_the_cart(signed_in_a, closed_box):
    data = defaults(signed_in_a, closed_box) | {"action": "cart"}
    response = signed_in_a.post(quote_url(closed_box), data, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == "/cart/"


def test_nothing_is_saved_when_the_options_are_refused(signed_in_a, tenant_a, customer_a, closed_box):
    data = defaults(signed_in_a, closed_box) | {"material": "unobtainium", "action": "cart"}
    assert signed_in_a.post(quote_url(closed_box), data).status_code == 400
    with schema_context(tenant_a.schema_name):
        assert PartUpload.objects.get(pk=closed_box.pk).design_id is None
        assert not CartLine.objects.filter(cart__customer=customer_a).exists()
