"""The designer's earnings pages and API: sales per product and period, money, statements of their own lines;
another designer's statement is 404, another network's designer is nobody here, bad filters are 400."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.orders.models import Order, OrderLine
from apps.orders.status import OrderStatus
from apps.payouts.profit_share.statements import statement_refresh_for_order
from tests.conftest import api_token_for, host_of, sign_in
from tests.payouts.money_builders import make_order, sent_transfer_and_paid_payout


def _sale(login, *, royalty=1_200, total=12_000, quantity=2):
    with schema_context(login.tenant.schema_name):
        order = make_order(total_minor=total, status=OrderStatus.PAID)
        Order.objects.filter(pk=order.pk).update(paid_at=datetime(2026, 11, 20, tzinfo=UTC))
        line = OrderLine.objects.get(order=order)
        line.design_version.design.template = login.template
        line.design_version.design.save(update_fields=["template"])
        OrderLine.objects.filter(pk=line.pk).update(
            designer=login.designer, royalty_minor=royalty, quantity=quantity
        )
        statement_refresh_for_order(order_id=order.pk)
        return order


def _api(login) -> Client:
    with schema_context(login.tenant.schema_name):
        token = api_token_for(login.user)
    return Client(HTTP_HOST=host_of(login.tenant), HTTP_AUTHORIZATION=f"Token {token}")


@pytest.fixture
def signed_in_designer_a(client_a, designer_a):
    return sign_in(client_a, designer_a.tenant, designer_a.user)


def test_the_earnings_page_shows_sales_money_and_statements(signed_in_designer_a, designer_a):
    order = _sale(designer_a)
    page = signed_in_designer_a.get("/designer/earnings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert designer_a.template.name in html and "€12.00" in html and ">November 2026</time>" in html
    assert f"/designer/earnings/statements/{order.pk}/" in html
    statement = signed_in_designer_a.get(f"/designer/earnings/statements/{order.pk}/")
    assert statement.status_code == 200 and "Your royalty is paid in full" in statement.content.decode()


def _transferred_and_paid_out(login, order, amount):
    """A sent royalty transfer for the order's line and a bank payout of the designer's account."""
    with schema_context(login.tenant.schema_name):
        line = OrderLine.objects.get(order=order)
        sent_transfer_and_paid_payout(
            order,
            amount,
            when=datetime(2026, 11, 25, tzinfo=UTC),
            account=f"acct_d{login.designer.pk}",
            payout_fee=100,
            designer=login.designer,
            order_line=line,
        )
        return line


def test_the_earnings_page_lists_own_royalty_transfers_and_bank_payouts_only(
    signed_in_designer_a, designer_a, other_designer_a
):
    mine = _transferred_and_paid_out(designer_a, _sale(designer_a, royalty=1_234), 1_234)
    _transferred_and_paid_out(other_designer_a, _sale(other_designer_a, royalty=987), 987)
    html = signed_in_designer_a.get("/designer/earnings/").content.decode()
    assert 'id="transfers"' in html and 'id="payouts"' in html
    assert f"{mine.quantity} × {mine.description}" in html
    assert "€12.34" in html and "€11.34" in html  # the transfer, the payout
    assert "€9.87" not in html and "€8.87" not in html  # the other designer's


def test_bad_sales_filters_are_400_with_field_errors(signed_in_designer_a):
    page = signed_in_designer_a.get("/designer/earnings/?period=year&start=2026-12-01&end=2026-11-01")
    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()


def test_another_designers_statement_is_404_on_the_page_and_the_api(
    signed_in_designer_a, designer_a, other_designer_a
):
    theirs = _sale(other_designer_a)
    assert signed_in_designer_a.get(f"/designer/earnings/statements/{theirs.pk}/").status_code == 404
    assert _api(designer_a).get(f"/api/v1/designer/statements/{theirs.pk}/").status_code == 404
    assert _api(other_designer_a).get(f"/api/v1/designer/statements/{theirs.pk}/").status_code == 200


def test_the_api_answers_sales_and_earnings_in_minor_units(designer_a):
    _sale(designer_a)
    api = _api(designer_a)
    sales = api.get("/api/v1/designer/sales/?period=month")
    assert sales.status_code == 200
    [row] = sales.json()
    assert (row["product"], row["units"], row["sales_minor"], row["royalty_minor"], row["currency"]) == (
        designer_a.template.name,
        2,
        12_000,
        1_200,
        "EUR",
    )
    earnings = api.get("/api/v1/designer/earnings/")
    assert earnings.status_code == 200
    assert earnings.json()["money"][0]["expected_minor"] == 1_200
    bad = api.get("/api/v1/designer/sales/?period=decade&start=yesterday")
    assert bad.status_code == 400 and {"period", "start"} <= set(bad.json())


def test_tenants_are_walls_and_customers_are_not_designers(designer_a, designer_b, customer, client_a):
    order = _sale(designer_a)
    beta_api = _api(designer_b)
    # beta's designer on alpha's host: nobody there
    beta_on_alpha = Client(
        HTTP_HOST=host_of(designer_a.tenant), HTTP_AUTHORIZATION=beta_api.defaults["HTTP_AUTHORIZATION"]
    )
    assert beta_on_alpha.get("/api/v1/designer/earnings/").status_code in (401, 403, 404)
    assert beta_api.get(f"/api/v1/designer/statements/{order.pk}/").status_code == 404
    sign_in(client_a, designer_a.tenant, customer)
    assert client_a.get("/designer/earnings/").status_code == 404
    assert client_a.get("/api/v1/designer/earnings/").status_code == 404


def test_the_earnings_page_reads_a_fixed_number_of_queries(signed_in_designer_a, designer_a):
    """Statements with their lines, transfers with their order lines, reversals with their orders: no query per
    row (one sale or three read the same)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in_designer_a.get("/designer/earnings/").status_code == 200
        return len(captured.captured_queries)

    _transferred_and_paid_out(designer_a, _sale(designer_a), 1_200)
    queries()  # the first request after sign-in also copies the session into the cache (cached_db sessions)
    one = queries()
    for _ in range(2):
        _transferred_and_paid_out(designer_a, _sale(designer_a), 1_200)
    queries()  # the sales were written under schema_context: the next request SETs the network's path once
    assert queries() == one
