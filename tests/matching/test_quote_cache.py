"""Quotes are cached by question and network plan version: a commit makes them stale, and one network never
reads another's. Only quotes that matter keep a run row."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.matching.models import MatchingRun
from apps.matching.quoting import SOURCE_MATCHED, quote_configuration, quote_design_version
from apps.matching.services import order_commit
from apps.suppliers.models import Resource
from apps.suppliers.services import participant_transition
from apps.suppliers.status import ParticipantStatus
from tests.matching.builders import UTRECHT, bracket_template, design_version, full_workshop, paid_order

VALUES = {"length": 800, "metal": "steel", "hours": 1}


def _quote(tenant):
    return quote_configuration(template=bracket_template(), values=VALUES, tenant=tenant)


def test_a_cached_quote_is_served_until_a_plan_is_committed(
    in_tenant_a, carrier, customer, django_capture_on_commit_callbacks
):
    """Prices changed behind the cache's back (no save, no commit) are not seen; committing an order makes
    the next quote solve again and see them."""
    full_workshop("Solo")
    first = _quote(in_tenant_a)
    assert first.source == SOURCE_MATCHED
    Resource.objects.update(cost_per_minute_minor=500)  # a queryset update: no updated_at, no commit
    assert _quote(in_tenant_a).price_minor == first.price_minor
    with django_capture_on_commit_callbacks(execute=True):
        order_commit(order_id=paid_order(customer, design_version(customer)).pk)
    assert _quote(in_tenant_a).price_minor > first.price_minor


def test_a_cached_quote_never_crosses_networks(in_tenant_a, tenant_b, carrier):
    """The same configuration asked in another network is answered by that network (which has no workshop),
    not from the first network's cache."""
    full_workshop("Solo")
    assert _quote(in_tenant_a).source == SOURCE_MATCHED
    connection.set_tenant(tenant_b)
    other = quote_configuration(template=bracket_template(), values=VALUES, tenant=tenant_b)
    assert other.source != SOURCE_MATCHED


def test_only_quotes_that_matter_keep_a_run(in_tenant_a, carrier, customer):
    """A visitor's configurator quote writes no run; a saved design's quote does (once, then from the cache
    with the same run)."""
    full_workshop("Solo")
    before = MatchingRun.objects.count()
    visitor = _quote(in_tenant_a)
    assert visitor.run_id is None and MatchingRun.objects.count() == before
    version = design_version(customer)
    saved = quote_design_version(design_version=version, tenant=in_tenant_a)
    again = quote_design_version(design_version=version, tenant=in_tenant_a)
    assert saved.run_id is not None and again.run_id == saved.run_id
    assert MatchingRun.objects.count() == before + 1
    assert MatchingRun.objects.get(pk=saved.run_id).statistics["method"]


def test_a_cached_quote_is_not_served_after_its_workshop_is_suspended(in_tenant_a, carrier):
    """Changing what a quote reads of the network (here staff suspend the only workshop) makes the cached quote
    stale: the next one is solved again and cannot be matched."""
    owner, _ = full_workshop("Solo")

    def to_the_customer():  # an address: the network's middle (which moves with its workshops) is not asked
        return quote_configuration(
            template=bracket_template(), values=VALUES, tenant=in_tenant_a, destination=UTRECHT
        )

    assert to_the_customer().source == SOURCE_MATCHED
    participant_transition(participant=owner, to=ParticipantStatus.SUSPENDED, reason="test")
    assert to_the_customer().source != SOURCE_MATCHED


def test_a_cached_quote_reads_no_network_rows(in_tenant_a, carrier):
    """A quote served from the cache costs one cache round trip for the network's state, not the settings,
    the workshops' middle and the last resource and rate-card edits from the database."""
    full_workshop("Solo")
    first = _quote(in_tenant_a)
    with CaptureQueriesContext(connection) as queries:
        again = _quote(in_tenant_a)
    assert again == first
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in (
        "matching_matchingsettings",
        "suppliers_resource",
        "suppliers_ratecard",
        "suppliers_assetowner",
    ):
        assert table not in read, table
