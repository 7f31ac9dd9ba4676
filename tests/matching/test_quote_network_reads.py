"""A quote solved again (cache bypassed) reads the network's resources, calendars and carriers from this
process while the network is unchanged, and afresh once any of them is saved."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import configuration_validate
from apps.matching.quoting import SOURCE_MATCHED, QuoteItem, quote_items
from tests.matching.builders import UTRECHT, bracket_template, full_workshop

VALUES = {"length": 800, "metal": "steel", "hours": 1}
NETWORK_TABLES = ("suppliers_openinghours", "suppliers_calendarexception", "suppliers_carrier")


def _solved(tenant):
    template = bracket_template()
    configuration = configuration_validate(template_spec_for(template), VALUES)
    return quote_items(
        items=[QuoteItem(configuration.operations, 1, template.margin_percent)],
        template=template,
        values=configuration.values,
        tenant=tenant,
        destination=UTRECHT,
        requested_date=None,
        parameters={},
        record=False,
        use_cache=False,
    )


def _read(queries) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_an_unchanged_network_is_not_read_again(in_tenant_a, carrier):
    full_workshop("Solo")
    first = _solved(in_tenant_a)
    assert first.source == SOURCE_MATCHED
    with CaptureQueriesContext(connection) as queries:
        again = _solved(in_tenant_a)
    assert (again.price_minor, again.delivery_date) == (first.price_minor, first.delivery_date)
    for table in NETWORK_TABLES:
        assert table not in _read(queries), table


def test_a_saved_machine_is_read_afresh(in_tenant_a, carrier):
    _, resources = full_workshop("Solo")
    first = _solved(in_tenant_a)
    cutting = resources["laser_cutting"]
    cutting.cost_per_minute_minor *= 5
    cutting.save()
    with CaptureQueriesContext(connection) as queries:
        dearer = _solved(in_tenant_a)
    assert "suppliers_openinghours" in _read(queries)
    assert dearer.price_minor > first.price_minor
