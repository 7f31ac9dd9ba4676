"""Transfers to connected accounts and their reversals, including every failure the platform can hit."""

import pytest
import stripe

from .helpers import balance_amount, event_types


def test_transfer_with_source_transaction(stripe_client, onboarded_account, paid_charge):
    account = onboarded_account()
    charge = paid_charge(amount=10000, transfer_group="order_7")

    transfer = stripe_client.v1.transfers.create(
        {
            "amount": 7000,
            "currency": "eur",
            "destination": account.id,
            "source_transaction": charge.id,
            "transfer_group": "order_7",
            "metadata": {"order": "7"},
        }
    )

    assert transfer.id.startswith("tr_")
    assert transfer.object == "transfer"
    assert (transfer.amount, transfer.currency, transfer.destination) == (7000, "eur", account.id)
    assert transfer.source_transaction == charge.id
    assert transfer.transfer_group == "order_7"
    assert transfer.metadata.to_dict() == {"order": "7"}
    assert (transfer.reversed, transfer.amount_reversed, transfer.reversals.data) == (False, 0, [])
    assert transfer.livemode is False

    platform_txn = stripe_client.v1.balance_transactions.retrieve(transfer.balance_transaction)
    assert (platform_txn.type, platform_txn.amount, platform_txn.source) == ("transfer", -7000, transfer.id)
    assert balance_amount(stripe_client, "eur") == 9825 - 7000

    connected = {"stripe_account": account.id}
    payment = stripe_client.v1.charges.retrieve(transfer.destination_payment, options=connected)
    assert payment.id.startswith("py_")
    assert (payment.object, payment.amount, payment.source_transfer) == ("charge", 7000, transfer.id)
    payment_txn = stripe_client.v1.balance_transactions.retrieve(
        payment.balance_transaction, options=connected
    )
    assert (payment_txn.type, payment_txn.amount, payment_txn.net) == ("payment", 7000, 7000)
    assert balance_amount(stripe_client, "eur", account.id) == 7000

    # The destination payment lives on the connected account only.
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.charges.retrieve(transfer.destination_payment)
    assert "transfer.created" in event_types(stripe_client)


def test_list_and_update_transfers(stripe_client, onboarded_account, paid_charge):
    alpha, beta = onboarded_account(), onboarded_account()
    charge = paid_charge(amount=10000)
    params = {"currency": "eur", "source_transaction": charge.id}
    t1 = stripe_client.v1.transfers.create(
        {**params, "amount": 100, "destination": alpha.id, "transfer_group": "x"}
    )
    t2 = stripe_client.v1.transfers.create(
        {**params, "amount": 200, "destination": beta.id, "transfer_group": "x"}
    )
    t3 = stripe_client.v1.transfers.create(
        {**params, "amount": 300, "destination": alpha.id, "transfer_group": "y"}
    )

    assert [t.id for t in stripe_client.v1.transfers.list().data] == [t3.id, t2.id, t1.id]
    assert [t.id for t in stripe_client.v1.transfers.list({"destination": alpha.id}).data] == [t3.id, t1.id]
    assert [t.id for t in stripe_client.v1.transfers.list({"transfer_group": "x"}).data] == [t2.id, t1.id]
    page = stripe_client.v1.transfers.list({"limit": 1, "starting_after": t3.id})
    assert [t.id for t in page.data] == [t2.id]
    assert page.has_more is True

    updated = stripe_client.v1.transfers.update(t1.id, {"metadata": {"payout_batch": "b1"}})
    assert updated.metadata.to_dict() == {"payout_batch": "b1"}
    assert stripe_client.v1.transfers.retrieve(t1.id).metadata.to_dict() == {"payout_batch": "b1"}


def test_destination_without_active_transfers_capability(stripe_client, new_account, paid_charge):
    account = new_account()  # not onboarded
    charge = paid_charge()

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create(
            {"amount": 1000, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
        )

    assert error.value.http_status == 400
    assert error.value.code == "insufficient_capabilities_for_transfer"
    assert error.value.param == "destination"
    assert error.value.error.type == "invalid_request_error"
    assert stripe_client.v1.transfers.list().data == []


def test_unknown_destination(stripe_client, paid_charge):
    charge = paid_charge()
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create(
            {
                "amount": 1000,
                "currency": "eur",
                "destination": "acct_unknown",
                "source_transaction": charge.id,
            }
        )
    assert error.value.code == "resource_missing"
    assert error.value.param == "destination"


def test_transfers_cannot_exceed_what_the_source_charge_can_fund(
    stripe_client, onboarded_account, paid_charge
):
    account = onboarded_account()
    charge = paid_charge(amount=10000)
    params = {"currency": "eur", "destination": account.id, "source_transaction": charge.id}
    stripe_client.v1.transfers.create({**params, "amount": 6000})
    stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000})

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create({**params, "amount": 3001})  # 10000 - 1000 refunded - 6000
    assert error.value.code == "amount_too_large"
    assert error.value.param == "amount"

    assert stripe_client.v1.transfers.create({**params, "amount": 3000}).amount == 3000
    assert len(stripe_client.v1.transfers.list().data) == 2


def test_transfer_currency_must_match_the_source_charge(stripe_client, onboarded_account, paid_charge):
    account = onboarded_account()
    charge = paid_charge(amount=10000, currency="eur")

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create(
            {"amount": 1000, "currency": "usd", "destination": account.id, "source_transaction": charge.id}
        )

    assert error.value.param == "currency"
    assert "currency" in error.value.user_message


def test_transfer_without_source_needs_available_platform_balance(
    stripe_client, onboarded_account, paid_charge, days_pass
):
    account = onboarded_account()
    params = {"amount": 5000, "currency": "eur", "destination": account.id}

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create(params)
    assert error.value.code == "balance_insufficient"

    charge = paid_charge(amount=10000)  # platform balance: 9825, pending for two days
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create(params)
    assert (error.value.code, error.value.param) == ("balance_insufficient", "amount")
    # With the charge as source_transaction, pending funds may be transferred (as on Stripe).
    funded = stripe_client.v1.transfers.create({**params, "source_transaction": charge.id})
    assert funded.amount == 5000

    days_pass(2)
    assert balance_amount(stripe_client, "eur", status="available") == 4825
    assert stripe_client.v1.transfers.create({**params, "amount": 4825}).amount == 4825
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.create({**params, "amount": 1})
    assert error.value.code == "balance_insufficient"


def test_partial_then_full_reversal(stripe_client, funded_account):
    account, transfer = funded_account(amount=5000)

    partial = stripe_client.v1.transfers.reversals.create(
        transfer.id, {"amount": 1500, "metadata": {"why": "x"}}
    )
    rest = stripe_client.v1.transfers.reversals.create(transfer.id)  # no amount: everything left

    assert partial.id.startswith("trr_")
    assert (partial.object, partial.amount, partial.transfer) == ("transfer_reversal", 1500, transfer.id)
    assert partial.metadata.to_dict() == {"why": "x"}
    assert rest.amount == 3500
    transfer = stripe_client.v1.transfers.retrieve(transfer.id)
    assert transfer.reversed is True
    assert transfer.amount_reversed == 5000
    assert [r.id for r in transfer.reversals.data] == [rest.id, partial.id]
    assert [r.id for r in stripe_client.v1.transfers.reversals.list(transfer.id).data] == [
        rest.id,
        partial.id,
    ]
    assert stripe_client.v1.transfers.reversals.retrieve(transfer.id, partial.id).amount == 1500

    platform_txn = stripe_client.v1.balance_transactions.retrieve(partial.balance_transaction)
    assert (platform_txn.type, platform_txn.amount) == ("transfer_refund", 1500)
    connected = {"stripe_account": account.id}
    refund = stripe_client.v1.refunds.retrieve(partial.destination_payment_refund, options=connected)
    refund_txn = stripe_client.v1.balance_transactions.retrieve(refund.balance_transaction, options=connected)
    assert (refund_txn.type, refund_txn.amount) == ("payment_refund", -1500)
    assert balance_amount(stripe_client, "eur", account.id) == 0
    assert balance_amount(stripe_client, "eur") == 9825
    payment = stripe_client.v1.charges.retrieve(transfer.destination_payment, options=connected)
    assert (payment.amount_refunded, payment.refunded) == (5000, True)
    assert event_types(stripe_client).count("transfer.reversed") == 2


def test_reversal_larger_than_what_is_left(stripe_client, funded_account):
    _, transfer = funded_account(amount=5000)
    stripe_client.v1.transfers.reversals.create(transfer.id, {"amount": 4000})

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.reversals.create(transfer.id, {"amount": 1001})

    assert error.value.code == "amount_too_large"
    assert error.value.param == "amount"
    assert stripe_client.v1.transfers.retrieve(transfer.id).amount_reversed == 4000


def test_reversal_larger_than_the_destination_balance(stripe_client, funded_account, days_pass):
    account, transfer = funded_account(amount=5000)
    days_pass(3)
    stripe_client.v1.payouts.create(
        {"amount": 4500, "currency": "eur"}, options={"stripe_account": account.id}
    )

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.reversals.create(transfer.id, {"amount": 501})
    assert error.value.code == "balance_insufficient"

    assert stripe_client.v1.transfers.reversals.create(transfer.id, {"amount": 500}).amount == 500
    assert balance_amount(stripe_client, "eur", account.id) == 0


def test_connected_account_cannot_see_platform_transfers(stripe_client, funded_account):
    account, transfer = funded_account()

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.retrieve(transfer.id, options={"stripe_account": account.id})
    assert error.value.http_status == 404
    assert stripe_client.v1.transfers.list(options={"stripe_account": account.id}).data == []
