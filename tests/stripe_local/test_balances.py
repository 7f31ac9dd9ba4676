"""Balances and balance transactions per account, with the configurable fee model."""

import pytest
import requests
import stripe

from .helpers import balance_amount


def _charge_txn(client, charge_id, **options):
    charge = client.v1.charges.retrieve(charge_id, {"expand": ["balance_transaction"]}, options)
    return charge.balance_transaction


def test_charge_fee_with_the_default_model(stripe_client, paid_charge):
    charge = paid_charge(amount=10000, currency="eur")

    txn = _charge_txn(stripe_client, charge.id)

    assert txn.id.startswith("txn_")
    assert (txn.type, txn.amount, txn.fee, txn.net) == ("charge", 10000, 175, 9825)  # 1.5 % + 25
    assert txn.source == charge.id
    assert (txn.status, txn.available_on) == ("pending", txn.created + 2 * 86400)  # card funds wait two days
    assert [(d.type, d.amount) for d in txn.fee_details] == [("stripe_fee", 175)]
    balance = stripe_client.v1.balance.retrieve()
    assert balance.object == "balance"
    assert [(b.currency, b.amount) for b in balance.available] == [("eur", 0)]
    assert [(b.currency, b.amount) for b in balance.pending] == [("eur", 9825)]


def test_zero_decimal_currency_is_never_multiplied(stripe_client, paid_charge):
    charge = paid_charge(amount=1000, currency="jpy")

    txn = _charge_txn(stripe_client, charge.id)

    assert (txn.currency, txn.amount, txn.fee, txn.net) == ("jpy", 1000, 40, 960)  # 15 + 25
    assert balance_amount(stripe_client, "jpy") == 960


@pytest.mark.parametrize(
    ("amount", "fee"),
    # 16.5 -> 17, 15.45 -> 15, 1.5 -> 2, 0.75 -> 1 (50 cents: Stripe's minimum EUR charge)
    [(1100, 17 + 25), (1030, 15 + 25), (100, 2 + 25), (50, 1 + 25)],
)
def test_fee_is_rounded_half_up(stripe_client, paid_charge, amount, fee):
    charge = paid_charge(amount=amount)

    assert _charge_txn(stripe_client, charge.id).fee == fee


def test_fee_model_is_configurable_until_the_next_wipe(stripe_server, stripe_client, paid_charge, control):
    settings = control("config", fee_percent="2.9", fee_fixed=30)
    assert settings["fee_percent"] == "2.9"

    charge = paid_charge(amount=10000)
    assert _charge_txn(stripe_client, charge.id).fee == 320

    requests.delete(stripe_server + "/_config/data", timeout=5).raise_for_status()
    assert requests.get(stripe_server + "/_test/config", timeout=5).json()["fee_fixed"] == 25
    charge = paid_charge(amount=10000)
    assert _charge_txn(stripe_client, charge.id).fee == 175


def test_balances_per_currency(stripe_client, paid_charge):
    paid_charge(amount=10000, currency="eur")
    paid_charge(amount=2000, currency="usd")

    pending = stripe_client.v1.balance.retrieve().pending

    assert [(b.currency, b.amount) for b in pending] == [("eur", 9825), ("usd", 1945)]


def test_balance_transactions_are_scoped_per_account(stripe_client, funded_account):
    account, transfer = funded_account(amount=4000)
    connected = {"stripe_account": account.id}

    platform_types = [t.type for t in stripe_client.v1.balance_transactions.list().data]
    connected_txns = stripe_client.v1.balance_transactions.list(options=connected).data

    assert platform_types == ["transfer", "charge"]  # newest first
    assert [(t.type, t.amount) for t in connected_txns] == [("payment", 4000)]
    assert [t.type for t in stripe_client.v1.balance_transactions.list({"type": "charge"}).data] == ["charge"]
    assert balance_amount(stripe_client, "eur") == 9825 - 4000
    assert balance_amount(stripe_client, "eur", account.id) == 4000
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.balance_transactions.retrieve(transfer.balance_transaction, options=connected)


def test_new_connected_account_has_an_empty_balance_in_its_currency(stripe_client, new_account):
    account = new_account(country="JP", tos_acceptance={"service_agreement": "recipient"})

    balance = stripe_client.v1.balance.retrieve(options={"stripe_account": account.id})

    assert [(b.currency, b.amount) for b in balance.available] == [("jpy", 0)]


def test_charges_are_scoped_per_account(stripe_client, paid_charge, funded_account):
    account, transfer = funded_account()

    connected_charges = stripe_client.v1.charges.list(options={"stripe_account": account.id}).data

    assert [c.id for c in connected_charges] == [transfer.destination_payment]
    assert transfer.destination_payment not in [c.id for c in stripe_client.v1.charges.list().data]


def test_balance_transactions_filter_on_created_and_paginate(stripe_client, funded_account):
    funded_account()  # platform: a charge then a transfer
    # Newest first; the two may fall in different seconds on a loaded machine, so anchor on the oldest.
    newest, oldest = stripe_client.v1.balance_transactions.list().data

    assert len(stripe_client.v1.balance_transactions.list({"created": {"gte": oldest.created}}).data) == 2
    assert stripe_client.v1.balance_transactions.list({"created": {"lt": oldest.created}}).data == []
    assert stripe_client.v1.balance_transactions.list({"created": newest.created + 60}).data == []
    # The platform's reconciliation walks the pages with starting_after.
    params, seen = {"limit": 1, "created": {"gte": newest.created - 5}}, []
    while True:
        page = stripe_client.v1.balance_transactions.list(params)
        seen += [txn.type for txn in page.data]
        if not page.has_more:
            break
        params["starting_after"] = page.data[-1].id
    assert seen == ["transfer", "charge"]
