"""Lead-time options: distinct feasible plans, fastest first; the order keeps the option bought and its commit
delivers by that option's day."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.matching.models import MatchingSettings
from apps.matching.services import order_commit
from apps.orders import checkout
from apps.orders.models import Order, WorkItem
from apps.orders.quotes import QuoteRequestLine
from apps.storefront.order_quoting import quote_order
from apps.suppliers.models import Resource
from tests.conftest import sign_in
from tests.matching.builders import (
    AMERSFOORT,
    CUSTOMER_POINT,
    OFFICE_HOURS,
    design_version,
    full_workshop,
    haulier,
    paid_order,
)


@pytest.fixture
def two_workshops(in_tenant_a):
    """A cheap workshop and a dear one, both open office hours: ten four-hour parts keep one busy for a week,
    or both for half of it."""
    haulier()
    full_workshop("Cheap", hours=OFFICE_HOURS)
    full_workshop("Dear", hours=OFFICE_HOURS, coordinates=AMERSFOORT)
    Resource.objects.filter(asset_owner__name="Dear").update(cost_per_minute_minor=150)
    # time enough for CP-SAT to find the cheapest plan too (the greedy plan alone is the fastest one)
    MatchingSettings.objects.update_or_create(pk=1, defaults={"quote_time_limit_ms": 3000})


def _options_quote(customer):
    version = design_version(customer, hours=4)
    quote = quote_order(
        lines=[QuoteRequestLine(design_version_id=version.pk, quantity=10)],
        destination=(float(CUSTOMER_POINT[0]), float(CUSTOMER_POINT[1])),
        requested_date=None,
    )
    return version, quote


def test_options_are_distinct_feasible_and_ordered(two_workshops, customer):
    """Fastest first: each later option arrives later and costs less; the fastest says what makes it faster;
    the quote itself is the cheapest."""
    _, quote = _options_quote(customer)
    options = quote.options
    assert len(options) >= 2
    assert options[0].kind == "fastest" and options[-1].kind == "cheapest"
    dates = [o.delivery_date for o in options]
    prices = [o.total_minor for o in options]
    assert dates == sorted(set(dates)) and prices == sorted(set(prices), reverse=True)
    assert "second workshop" in options[0].faster_because
    assert (quote.option, quote.total_minor, quote.delivery_date) == (
        "cheapest",
        options[-1].total_minor,
        options[-1].delivery_date,
    )
    for option in options:
        assert sum(option.line_totals) == option.total_minor
    fastest = quote.choose("fastest")
    assert (
        fastest.total_minor == options[0].total_minor and fastest.lines[0].total_minor == fastest.total_minor
    )


def test_the_commit_keeps_the_bought_options_date(two_workshops, customer, client_a, tenant_a):
    """An order bought in the fastest option is planned to arrive by that option's day (not the cheapest
    one's), and its page says which option was bought."""
    version, quote = _options_quote(customer)
    fastest = quote.choose("fastest")
    assert fastest.delivery_date < quote.delivery_date
    order = paid_order(customer, version, quantity=10, promised=fastest.delivery_date)
    Order.objects.filter(pk=order.pk).update(
        delivery_option="fastest",
        delivery_option_label=fastest.chosen.label,
        delivery_option_note=fastest.chosen.faster_because,
        quote_lots=fastest.lots,
    )
    order_commit(order_id=order.pk)
    order.refresh_from_db()
    assert order.eta is not None
    assert order.eta.astimezone(ZoneInfo(tenant_a.time_zone)).date() <= fastest.delivery_date
    owners = set(
        WorkItem.objects.filter(order=order, step_key__startswith="cut").values_list("asset_owner", flat=True)
    )
    assert len(owners) == 2  # the cutting is shared out, as in the option bought
    page = sign_in(client_a, tenant_a, customer).get(f"/orders/{order.pk}/")
    assert page.status_code == 200
    assert "Delivery option" in page.content.decode() and "Fastest" in page.content.decode()


def test_the_customer_chooses_an_option_on_the_cart_and_the_order_keeps_it(
    two_workshops, customer, client_a, tenant_a
):
    """The cart offers the faster options beside the quote's own; ordering the fastest makes an order at its
    price and day, which keeps the option (and how it shares out the work)."""
    from tests.orders.conftest import fill_cart

    version = design_version(customer, hours=4)
    fill_cart(customer, (version, 10))
    quoted = checkout.cart_quote(customer=customer)
    fastest = quoted.quote.choose("fastest")
    client = sign_in(client_a, tenant_a, customer)
    page = client.get("/cart/").content.decode()
    assert 'id="delivery-options"' in page and "Order fastest instead" in page
    placed = client.post(
        "/checkout/",
        {
            "checkout_key": quoted.cart.checkout_key,
            "seen_total_minor": fastest.total_minor,
            "seen_delivery_date": fastest.delivery_date.isoformat(),
            "delivery_option": "fastest",
        },
    )
    assert placed.status_code == 302
    order = Order.objects.get(customer=customer)
    assert (order.delivery_option, order.total_minor, order.promised_delivery_date) == (
        "fastest",
        fastest.total_minor,
        fastest.delivery_date,
    )
    assert order.quote_lots == fastest.lots and order.delivery_option_note


def test_time_enough_for_two_searches_keeps_the_balanced_option(two_workshops, customer):
    """With the fixture's 3 s, the balanced variant is searched by CP-SAT too (not only the standard plan), so
    the customer keeps the middle option: sooner than the cheapest, cheaper than the fastest.

    Quoted on a Friday morning: whether the middle plan lands on a day of its own depends on where the weekend
    falls (quoted early in the week, the balanced plan arrives the fastest one's day for less and replaces it),
    so the test travels to a fixed instant instead of depending on the day it runs."""
    friday_morning = dt.datetime(2026, 12, 11, 9, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(friday_morning, tick=True):
        _, quote = _options_quote(customer)
    assert [o.kind for o in quote.options] == ["fastest", "balanced", "cheapest"]
    dates = [o.delivery_date for o in quote.options]
    prices = [o.total_minor for o in quote.options]
    assert dates == sorted(set(dates)) and prices == sorted(set(prices), reverse=True)
