"""A quote solved again (cache bypassed) reads the network's resources, calendars and carriers from this
process while the network is unchanged, and afresh once any of them is saved."""

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import configuration_validate
from apps.matching.plan_version import PLAN_VERSION_KEY
from apps.matching.quoting import SOURCE_MATCHED, QuoteItem, quote_items
from apps.matching.quoting.network_version import NETWORK_VERSION_KEY
from apps.suppliers.models import Resource
from tests.matching.builders import UTRECHT, bracket_template, full_workshop, haulier

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


def test_another_network_never_gets_these_rows(in_tenant_a, tenant_b, carrier):
    """Two networks that look alike to the process's copy (the same versions, as many resources, edited at the
    same moment) still each read their own: the copy is keyed by the network's schema. Here the second network's
    workshop charges five times as much, so its price must be its own."""
    edited = timezone.now() - dt.timedelta(hours=1)

    def alike(cost_per_minute: int) -> None:  # queryset updates: no signal, no updated_at of their own
        full_workshop("Solo")
        Resource.objects.update(cost_per_minute_minor=cost_per_minute, updated_at=edited)
        cache.set_many({PLAN_VERSION_KEY: 7, NETWORK_VERSION_KEY: 7}, timeout=None)  # each network's counters

    alike(100)
    first = _solved(in_tenant_a)
    connection.set_tenant(tenant_b)
    haulier()
    alike(500)
    other = _solved(tenant_b)
    assert (first.source, other.source) == (SOURCE_MATCHED, SOURCE_MATCHED)
    assert other.price_minor > first.price_minor
