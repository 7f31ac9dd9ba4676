"""The cart's quote is one matching problem for what is really ordered: every line in its quantity, delivered to
the customer's destination, by the requested day."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.matching.models import MatchingRun
from apps.orders.ports import QuoteUnavailable
from apps.orders.quotes import QuoteRequestLine
from apps.storefront.order_quoting import quote_order
from apps.suppliers.models import Resource
from tests.matching.builders import OFFICE_HOURS, design_version, full_workshop, haulier

EINDHOVEN_NEARBY = (51.45, 5.48)  # about 1 km from the workshop
GRONINGEN = (53.2194, 6.5665)  # about 200 km away


def _quote(version, quantity=1, destination=EINDHOVEN_NEARBY, requested_date=None, more=()):
    lines = [QuoteRequestLine(design_version_id=version.pk, quantity=quantity), *more]
    return quote_order(lines=lines, destination=destination, requested_date=requested_date)


@pytest.fixture
def network(in_tenant_a):
    haulier()


def test_ten_cost_less_each_than_one_when_setup_dominates(in_tenant_a, network, customer):
    """Setup (€50 a step) is paid once per batch: ten brackets cost far less than ten times one."""
    full_workshop("Solo")
    Resource.objects.update(setup_cost_minor=5000, cost_per_minute_minor=1)
    version = design_version(customer)
    one, ten = _quote(version, 1), _quote(version, 10)
    assert ten.total_minor < 10 * one.total_minor
    assert ten.total_minor / 10 < one.total_minor * 0.5
    assert ten.lines[0].total_minor == ten.total_minor


def test_ten_take_longer_than_one_when_capacity_binds(in_tenant_a, network, customer):
    """Four hours of cutting each in an office week: ten take more days than one."""
    full_workshop("Office", hours=OFFICE_HOURS)
    version = design_version(customer, hours=4)
    one, ten = _quote(version, 1), _quote(version, 10)
    assert ten.delivery_date >= one.delivery_date + dt.timedelta(days=3)


def test_a_far_address_costs_more_transport_and_arrives_later(in_tenant_a, network, customer):
    """The quote delivers to the address asked for, not to the middle of the network."""
    full_workshop("Solo")
    version = design_version(customer)
    near, far = _quote(version, destination=EINDHOVEN_NEARBY), _quote(version, destination=GRONINGEN)
    assert far.total_minor > near.total_minor
    near_run, far_run = MatchingRun.objects.order_by("-id")[1], MatchingRun.objects.order_by("-id")[0]
    assert far_run.statistics["transport_minor"] > near_run.statistics["transport_minor"]
    assert far_run.parameters["delivery_point"] == list(GRONINGEN)
    near_arrival = dt.datetime.fromisoformat(near_run.parameters["options"][-1]["arrival"])
    far_arrival = dt.datetime.fromisoformat(far_run.parameters["options"][-1]["arrival"])
    assert far_arrival > near_arrival


def test_a_requested_date_too_early_is_refused_with_the_earliest_date(in_tenant_a, network, customer):
    """Nine office hours of cutting cannot arrive today: the refusal names the earliest possible day, and
    asking for that day is quoted."""
    full_workshop("Office", hours=OFFICE_HOURS)
    version = design_version(customer, hours=9)
    today = dt.datetime.now(ZoneInfo(in_tenant_a.time_zone)).date()
    with pytest.raises(QuoteUnavailable, match="earliest the network can deliver") as refused:
        _quote(version, requested_date=today)
    earliest = refused.value.earliest_date
    assert earliest is not None and earliest > today
    assert _quote(version, requested_date=earliest).delivery_date <= earliest


def test_a_cart_of_two_lines_is_one_plan_whose_lines_sum_to_the_total(in_tenant_a, network, customer):
    """Two designs are planned together (one run, one delivery): line totals add up to the order's total."""
    full_workshop("Solo")
    first, second = design_version(customer), design_version(customer, length=1200)
    runs_before = MatchingRun.objects.count()
    quote = _quote(first, 2, more=[QuoteRequestLine(design_version_id=second.pk, quantity=3)])
    assert MatchingRun.objects.count() == runs_before + 1
    assert sum(line.total_minor for line in quote.lines) == quote.total_minor
    assert [line.quantity for line in quote.lines] == [2, 3]
    run = MatchingRun.objects.order_by("-id").first()
    assert run.statistics["operations"] == 6  # three steps of each line, one operation per batch
