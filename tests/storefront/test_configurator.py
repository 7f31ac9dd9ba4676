"""The catalog page and the configurator: full pages without JS, htmx fragments with live errors, preview and
quote; saving designs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Design, ProductTemplate
from apps.storefront.views.catalog import cart_enabled

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
TABLE = {
    "width": "1800",
    "depth": "900",
    "height": "750",
    "top_material": "oak",
    "leg_style": "straight",
    "leg_colour": "#1f2328",
    "engraving": "",
}


def test_catalog_lists_filters_and_searches(demo_catalog_a, client_a):
    page = client_a.get("/catalog/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "<html" in content
    for name in ("Dining table", "Bookshelf", "Phone stand"):
        assert name in content
    accessories = client_a.get("/catalog/?category=Accessories").content.decode()
    assert "Phone stand" in accessories and "Dining table" not in accessories
    fragment = client_a.get("/catalog/?q=shelf", **HX)
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]
    body = fragment.content.decode()
    assert "<html" not in body and 'id="catalog-results"' in body
    assert "Bookshelf" in body and "Dining table" not in body


def _add_templates(count: int, start: int) -> None:
    ProductTemplate.objects.bulk_create(
        ProductTemplate(
            name=f"Product {i}", slug=f"product-{i}", category=f"Category {i % 7}", description="d" * 50
        )
        for i in range(start, start + count)
    )


def test_catalog_renders_in_a_constant_number_of_queries(in_tenant_a, client_a):
    _add_templates(20, 0)
    with CaptureQueriesContext(connection) as twenty:
        assert client_a.get("/catalog/").status_code == 200
    _add_templates(180, 20)
    with CaptureQueriesContext(connection) as two_hundred:
        response = client_a.get("/catalog/")
    assert response.content.decode().count('class="card product-card"') == 200
    assert len(two_hundred) == len(twenty), [q["sql"] for q in two_hundred.captured_queries]


def test_configurator_page_shows_form_preview_and_quote(demo_catalog_a, client_a):
    response = client_a.get("/catalog/dining-table/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'hx-post="/catalog/dining-table/validate/"' in content
    assert 'hx-trigger="input changed delay:300ms"' in content
    assert "<svg" in content and "1800 mm" in content and "900 mm" in content and "750 mm" in content
    assert "Estimate from the catalogue&#x27;s cost model" in content
    assert re.search(r'<p class="price">€[\d,]+\.\d\d</p>', content)
    assert "Sign in to save" in content
    assert "Add to cart</button>" not in content, "only a saved version can go in the cart"
    assert ("Save the design to add it to your cart" in content) == cart_enabled()


def test_a_link_can_prefill_the_configurator(demo_catalog_a, client_a):
    content = client_a.get("/catalog/dining-table/?width=2100&top_material=walnut").content.decode()
    assert 'value="2100"' in content and "2100 mm" in content
    assert '<option value="walnut" selected>' in content


def test_live_validation_fragment_has_fields_preview_and_quote_out_of_band(demo_catalog_a, client_a):
    response = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "width": "2000", "leg_colour": "#2f4538"}, **HX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<div id="config-fields">')
    assert '<div id="preview" class="card preview" hx-swap-oob="true">' in content
    assert 'id="quote-panel"' in content and 'hx-swap-oob="true"' in content
    assert "2000 mm" in content and 'fill="#2f4538"' in content, "the preview follows size and colour"
    assert '<p class="price">' in content


def test_live_validation_shows_inline_errors_and_keeps_the_input(demo_catalog_a, client_a):
    response = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "width": "9999", "top_material": "teak"}, **HX
    )
    assert response.status_code == 200, "htmx swaps 200s; the errors are in the fragment"
    content = response.content.decode()
    assert 'value="9999"' in content
    assert 'id="id_width_error"' in content and "Must be at most 2400 mm." in content
    assert "Unknown option &#x27;teak&#x27;" in content
    assert '<p class="price">' not in content
    assert "Fix the highlighted values" in content
    assert "1800 mm" in content, "the preview falls back to the default width while the value is invalid"


def test_each_field_is_described_by_its_help_and_its_errors(demo_catalog_a, client_a):
    """Screen readers read a field's help and, when it has them, its errors: every id a field's
    aria-describedby names is on the page (the errors' list was `id_<key>_error`, the field named `_errors`)."""
    content = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "width": "9999", "top_material": "teak"}, **HX
    ).content.decode()
    described = re.search(r'<input type="number" name="width"[^>]*aria-describedby="([^"]+)"', content)
    assert described is not None
    for element_id in described.group(1).split():
        assert f'id="{element_id}"' in content, element_id
    assert 'aria-invalid="true"' in content


def test_constraint_errors_appear_on_the_involved_fields(demo_catalog_a, client_a):
    content = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "width": "2400", "depth": "1000"}, **HX
    ).content.decode()
    assert content.count("The top can be at most 2.2 m²") == 2


def test_without_javascript_the_form_posts_and_re_renders_the_page(demo_catalog_a, client_a):
    response = client_a.post("/catalog/dining-table/", {**TABLE, "height": "abc", "action": "update"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "<html" in content and 'value="abc"' in content and "Enter a number." in content
    ok = client_a.post("/catalog/dining-table/", {**TABLE, "width": "2200", "action": "update"})
    assert ok.status_code == 200 and "2200 mm" in ok.content.decode()


def test_engraving_is_escaped_in_the_preview(demo_catalog_a, client_a):
    content = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "engraving": "<script>alert(1)</script>"}, **HX
    ).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_preview_image_endpoint(demo_catalog_a, client_a):
    response = client_a.get("/catalog/bookshelf/preview.svg?shelves=6&finish=%233a5a78")
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert svg.startswith("<svg") and svg.count('class="shelf"') == 6 and "#3a5a78" in svg
    generic = client_a.get("/catalog/phone-stand/preview.svg?colour=%23d94f30").content.decode()
    assert "#d94f30" in generic and "mm" in generic


def test_saving_needs_sign_in_and_keeps_the_configuration(demo_catalog_a, client_a):
    response = client_a.post("/catalog/dining-table/", {**TABLE, "width": "2000", "action": "save"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "width%3D2000" in response["Location"]
    assert Design.objects.count() == 0


def test_saving_creates_the_design_and_redirects_to_it(demo_catalog_a, signed_in_a, customer_a):
    response = signed_in_a.post(
        "/catalog/dining-table/", {**TABLE, "width": "2000", "design_name": "Kitchen", "action": "save"}
    )
    design = Design.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/designs/{design.pk}/"
    assert (design.owner, design.name, design.current_version.values["width"]) == (
        customer_a,
        "Kitchen",
        2000,
    )


def test_saving_invalid_values_saves_nothing(demo_catalog_a, signed_in_a):
    response = signed_in_a.post(
        "/catalog/dining-table/", {**TABLE, "leg_style": "curly", "design_name": "Bad", "action": "save"}
    )
    assert response.status_code == 400
    assert "Unknown option &#x27;curly&#x27;" in response.content.decode()
    response = signed_in_a.post("/catalog/dining-table/", {**TABLE, "design_name": " ", "action": "save"})
    assert response.status_code == 400 and "Give the design a name." in response.content.decode()
    assert Design.objects.count() == 0


def test_unknown_or_inactive_templates_and_other_networks_are_404(demo_catalog_a, client_a, client_b):
    assert client_a.get("/catalog/sofa/").status_code == 404
    ProductTemplate.objects.filter(slug="bookshelf").update(active=False)
    assert client_a.get("/catalog/bookshelf/").status_code == 404
    assert client_a.post("/catalog/bookshelf/validate/", {}, **HX).status_code == 404
    assert client_b.get("/catalog/dining-table/").status_code == 404
    assert client_b.post("/catalog/dining-table/validate/", TABLE, **HX).status_code == 404


def test_the_price_summary_that_sticks_on_a_phone_follows_every_requote(demo_catalog_a, client_a):
    """On a phone the price panel sits far below the form; a one-line summary at the top of the form (sticky
    there) shows the live price and date, and every live re-quote replaces it out of band."""
    page = client_a.get("/catalog/dining-table/").content.decode()
    assert '<p id="price-summary" class="price-summary">' in page
    content = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "width": "2000"}, **HX
    ).content.decode()
    summary = content[content.index('<p id="price-summary"') :]
    summary = summary[: summary.index("</p>")]
    assert 'hx-swap-oob="true"' in summary and "<strong>€" in summary and "· by " in summary
    refused = client_a.post(
        "/catalog/dining-table/validate/", {**TABLE, "width": "9999"}, **HX
    ).content.decode()
    assert "Fix the highlighted values for a price" in refused[refused.index('id="price-summary"') :]
