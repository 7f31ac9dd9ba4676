"""Quantity price breaks: each quantity is the network's own plan for that many (setup shared by the batch,
machine hours respected), shown by the configurator, the design page and the quotes API."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.matching.quoting import price_breaks
from apps.suppliers.models import Resource
from tests.matching.builders import OFFICE_HOURS, bracket_template, full_workshop, haulier

VALUES = {"length": 800, "metal": "steel", "hours": 1}


def test_unit_price_falls_with_quantity_when_setup_dominates(in_tenant_a):
    """€50 setup per step: ten cost far less each than one, and the table is not a multiple of one."""
    haulier()
    full_workshop("Solo")
    Resource.objects.update(setup_cost_minor=5000, cost_per_minute_minor=1)
    template = bracket_template()
    rows = {row.quantity: row for row in price_breaks(template=template, values=VALUES, tenant=in_tenant_a)}
    assert sorted(rows) == [1, 2, 5, 10, 25]
    units = [rows[q].unit_price_minor for q in sorted(rows)]
    assert units == sorted(units, reverse=True) and units[0] > units[-1]
    assert rows[10].total_minor < 10 * rows[1].total_minor


def test_bigger_quantities_arrive_later_when_capacity_binds(in_tenant_a):
    """Two hours of cutting each in an office week: 25 take days longer than 1."""
    haulier()
    full_workshop("Office", hours=OFFICE_HOURS)
    template = bracket_template()
    template.price_break_quantities = [1, 25]
    template.save(update_fields=["price_break_quantities"])
    rows = price_breaks(template=template, values={**VALUES, "hours": 2}, tenant=in_tenant_a)
    assert [row.quantity for row in rows] == [1, 25]
    assert rows[1].delivery_date > rows[0].delivery_date


def test_the_configurator_and_the_api_show_the_price_breaks(in_tenant_a, client_a):
    haulier()
    full_workshop("Solo")
    template = bracket_template()
    page = client_a.get(f"/catalog/{template.slug}/")
    assert page.status_code == 200
    assert 'id="price-breaks"' in page.content.decode()
    answer = client_a.post(
        "/api/v1/quotes/", {"template": template.slug, "values": VALUES}, content_type="application/json"
    )
    assert answer.status_code == 200
    breaks = answer.json()["price_breaks"]
    assert [row["quantity"] for row in breaks] == [1, 2, 5, 10, 25]
    assert all(
        row["unit_price_minor"] * row["quantity"] - row["total_minor"] in range(-25, 26) for row in breaks
    )
    assert answer.json()["options"][-1]["kind"] == "cheapest"


def test_the_api_prices_the_quote_and_its_breaks_against_one_reading_of_the_network(in_tenant_a, client_a):
    """One request, one network state: the quote and its table of quantities share the request's quote context,
    so the network's middle (where a quote without an address delivers) is worked out once, not once for the
    quote and again for the table."""
    haulier()
    full_workshop("Solo")
    template = bracket_template()
    with CaptureQueriesContext(connection) as queries:
        answer = client_a.post(
            "/api/v1/quotes/", {"template": template.slug, "values": VALUES}, content_type="application/json"
        )
    assert answer.status_code == 200 and answer.json()["price_breaks"]
    middle = [  # asset_owner_list_eligible().only("latitude", "longitude"), as context._network_centre asks
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(
            'SELECT "suppliers_assetowner"."id", "suppliers_assetowner"."latitude", '
            '"suppliers_assetowner"."longitude" FROM "suppliers_assetowner" WHERE'
        )
    ]
    assert len(middle) == 1, middle
