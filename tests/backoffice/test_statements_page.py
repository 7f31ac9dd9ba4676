"""Finance's statements page: grouped by participant with totals, the policy sentence once per group, a filter by
participant and period, groups a page at a time, order numbers that never wrap, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.backoffice import statements as statements_page
from apps.core.money import Money
from apps.payouts.models import ProfitShareStatement
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share.statements import statement_refresh_for_order
from tests.conftest import sign_in
from tests.payouts.conftest import fresh_stripe, money_a  # noqa: F401 - fixtures
from tests.payouts.money_builders import make_order, make_participants, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client_a, tenant_a, make_user, money_a):  # noqa: F811
    user = make_user(tenant_a, Role.FINANCE)
    connection.set_tenant(tenant_a)
    return sign_in(client_a, tenant_a, user)


def _paid_orders(owners, count: int):
    """`count` orders, each with a job at every owner, paid, with their statements written."""
    orders = []
    for _ in range(count):
        order = make_order(total_minor=10_000, items=[(owner, 2_000) for owner in owners])
        charge_record(charge_id=pay(order)["id"])
        statement_refresh_for_order(order_id=order.pk)
        orders.append(order)
    return orders


def _group(body: str, name: str) -> str:
    start = body.index(f'>{name} <span class="badge">')
    end = body.find('class="card statement-group"', start)
    return body[start : end if end > 0 else len(body)]


def test_statements_are_grouped_by_participant_with_totals_and_the_policy_once(finance):
    (first, second), _ = make_participants(owners=2, carriers=0)
    orders = _paid_orders([first, second], 2)
    body = finance.get("/backoffice/finance/statements/").content.decode()
    group = _group(body, first.name)
    mine = ProfitShareStatement.objects.filter(asset_owner=first, split__is_current=True)
    assert mine.count() == 2
    total = Money(sum(s.amount_minor for s in mine), "EUR")
    assert f"<strong>{total}</strong>" in group and "2 statements" in group
    assert group.count("Policy version") == 1  # said once for the group, not per row
    assert all(order.reference in group for order in orders)
    assert 'class="nowrap"' in group
    assert second.name in body and _group(body, second.name).count("Policy version") == 1


def test_the_participant_filter_shows_only_that_participant(finance):
    (first, second), _ = make_participants(owners=2, carriers=0)
    _paid_orders([first, second], 1)
    body = finance.get(
        f"/backoffice/finance/statements/?participant=asset_owner:{second.pk}"
    ).content.decode()
    assert (
        f'>{second.name} <span class="badge">' in body and f'>{first.name} <span class="badge">' not in body
    )
    assert f'<option value="asset_owner:{second.pk}" selected>' in body
    for junk in ("carrier:x", "nobody:1", ""):
        assert finance.get(f"/backoffice/finance/statements/?participant={junk}").status_code == 200


def test_groups_come_a_page_at_a_time(finance, monkeypatch):
    monkeypatch.setattr(statements_page, "GROUPS_PER_PAGE", 2)
    owners, _ = make_participants(owners=3, carriers=0)
    _paid_orders(owners, 1)
    first = finance.get("/backoffice/finance/statements/").content.decode()
    second = finance.get("/backoffice/finance/statements/?page=2").content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    shown = [o.name for o in owners if f'>{o.name} <span class="badge">' in first]
    rest = [o.name for o in owners if f'>{o.name} <span class="badge">' in second]
    assert len(shown) == 2 and len(rest) == 1 and set(shown).isdisjoint(rest)


def test_the_page_reads_a_fixed_number_of_queries(finance):
    owners, _ = make_participants(owners=2, carriers=0)
    _paid_orders(owners, 1)
    finance.get("/backoffice/finance/statements/")
    with CaptureQueriesContext(connection) as small:
        finance.get("/backoffice/finance/statements/")
    more, _ = make_participants(owners=2, carriers=0)
    _paid_orders([*owners, *more], 3)
    with CaptureQueriesContext(connection) as large:
        finance.get("/backoffice/finance/statements/")
    assert len(large.captured_queries) == len(small.captured_queries)
