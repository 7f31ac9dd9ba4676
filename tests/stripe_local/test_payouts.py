"""Payouts from connected accounts: paid, failed (test control), refused."""

import time

import pytest
import stripe

from .helpers import balance_amount, event_types


def _settled(client, payout_id, account_id):
    for _ in range(50):
        payout = client.v1.payouts.retrieve(payout_id, options={"stripe_account": account_id})
        if payout.status != "pending":
            return payout
        time.sleep(0.02)
    raise AssertionError(f"payout {payout_id} still pending")


def test_payout_is_paid_and_debits_the_balance(stripe_client, funded_account, days_pass):
    account, _ = funded_account(amount=5000)
    days_pass(3)  # the card funds become available
    connected = {"stripe_account": account.id}

    payout = stripe_client.v1.payouts.create(
        {"amount": 3000, "currency": "eur", "metadata": {"run": "1"}}, connected
    )

    assert payout.id.startswith("po_")
    assert payout.status == "pending"
    assert payout.destination == account.external_accounts.data[0].id
    assert _settled(stripe_client, payout.id, account.id).status == "paid"
    assert balance_amount(stripe_client, "eur", account.id) == 2000
    txn = stripe_client.v1.balance_transactions.retrieve(payout.balance_transaction, options=connected)
    assert (txn.type, txn.amount, txn.source) == ("payout", -3000, payout.id)
    events = stripe_client.v1.events.list({"type": "payout.paid"}, connected).data
    assert [(e.account, e.data.object.id) for e in events] == [(account.id, payout.id)]
    assert "payout.paid" not in event_types(stripe_client)  # it happened on the connected account


def test_payout_failure_control(stripe_client, funded_account, control, days_pass):
    account, _ = funded_account(amount=5000)
    days_pass(3)
    connected = {"stripe_account": account.id}
    control("payouts/fail_next", failure_code="account_closed")

    payout = stripe_client.v1.payouts.create({"amount": 3000, "currency": "eur"}, connected)

    payout = _settled(stripe_client, payout.id, account.id)
    assert payout.status == "failed"
    assert payout.failure_code == "account_closed"
    assert payout.failure_message
    failure_txn = stripe_client.v1.balance_transactions.retrieve(
        payout.failure_balance_transaction, options=connected
    )
    assert (failure_txn.type, failure_txn.amount) == ("payout_failure", 3000)
    assert balance_amount(stripe_client, "eur", account.id) == 5000
    assert "payout.failed" in event_types(stripe_client, account.id)
    assert "payout.paid" not in event_types(stripe_client, account.id)

    # One-shot: the next payout is paid.
    again = stripe_client.v1.payouts.create({"amount": 1000, "currency": "eur"}, connected)
    assert _settled(stripe_client, again.id, account.id).status == "paid"


def test_payout_larger_than_the_balance(stripe_client, funded_account):
    account, _ = funded_account(amount=5000)

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.payouts.create({"amount": 5001, "currency": "eur"}, {"stripe_account": account.id})

    assert error.value.code == "balance_insufficient"
    assert stripe_client.v1.payouts.list(options={"stripe_account": account.id}).data == []


def test_payout_needs_payouts_enabled(stripe_client, funded_account, control):
    account, _ = funded_account(amount=5000)
    control(f"accounts/{account.id}/restrict")

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.payouts.create({"amount": 100, "currency": "eur"}, {"stripe_account": account.id})

    assert error.value.code == "payouts_not_allowed"


def test_payouts_are_listed_per_account(stripe_client, funded_account, days_pass):
    alpha, _ = funded_account(amount=3000)
    beta, _ = funded_account(amount=3000)
    days_pass(3)
    paid = stripe_client.v1.payouts.create({"amount": 1000, "currency": "eur"}, {"stripe_account": alpha.id})
    stripe_client.v1.payouts.create({"amount": 1000, "currency": "eur"}, {"stripe_account": beta.id})

    assert [p.id for p in stripe_client.v1.payouts.list(options={"stripe_account": alpha.id}).data] == [
        paid.id
    ]
    assert stripe_client.v1.payouts.list().data == []
