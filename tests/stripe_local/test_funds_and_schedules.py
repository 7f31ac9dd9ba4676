"""Funds pending until ``available_on``, connected accounts' payout schedules, and the automatic payouts that
make a later transfer reversal fail as on Stripe."""

import time

import pytest
import stripe

from .helpers import balance_amount, event_types

DAY = 86400
MANUAL = {"payouts": {"schedule": {"interval": "manual"}}}


def _transfer(client, account, charge, amount):
    return client.v1.transfers.create(
        {"amount": amount, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    )


def _payouts_settled(client, account_id, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        payouts = client.v1.payouts.list(options={"stripe_account": account_id}).data
        if len(payouts) >= count and all(p.status != "pending" for p in payouts):
            return payouts
        assert time.monotonic() < deadline, f"payouts of {account_id}: {[p.status for p in payouts]}"
        time.sleep(0.02)


def test_card_funds_are_pending_until_available_on_then_available(stripe_client, paid_charge, days_pass):
    start = days_pass(0)
    charge = paid_charge(amount=10000)
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert (txn.status, txn.available_on) == ("pending", start + 2 * DAY)

    days_pass(2 - 1 / DAY)  # one second before available_on
    assert balance_amount(stripe_client, "eur", status="pending") == 9825
    assert balance_amount(stripe_client, "eur", status="available") == 0

    days_pass(1 / DAY)
    assert stripe_client.v1.balance_transactions.retrieve(txn.id).status == "available"
    assert balance_amount(stripe_client, "eur", status="available") == 9825
    assert balance_amount(stripe_client, "eur", status="pending") == 0


def test_the_delay_is_a_server_setting(stripe_client, paid_charge, control):
    assert control("config")["available_delay_days"] == 2
    control("config", available_delay_days=0)

    charge = paid_charge(amount=10000)

    assert stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction).status == "available"
    assert balance_amount(stripe_client, "eur", status="available") == 9825


def test_a_transfer_from_a_pending_charge_reaches_the_destination_pending(
    stripe_client, onboarded_account, paid_charge, days_pass
):
    start = days_pass(0)
    account = onboarded_account(settings=MANUAL)
    charge = paid_charge(amount=10000)
    days_pass(1)

    transfer = _transfer(stripe_client, account, charge, 4000)

    connected = {"stripe_account": account.id}
    [payment_txn] = stripe_client.v1.balance_transactions.list(options=connected).data
    assert (payment_txn.type, payment_txn.status) == ("payment", "pending")
    assert payment_txn.available_on == start + 2 * DAY  # when the source charge's funds are available
    with pytest.raises(stripe.InvalidRequestError) as error:  # pending funds are not paid out
        stripe_client.v1.payouts.create({"amount": 4000, "currency": "eur"}, connected)
    assert error.value.code == "balance_insufficient"
    # A reversal may take back funds still pending.
    assert stripe_client.v1.transfers.reversals.create(transfer.id, {"amount": 1000}).amount == 1000

    days_pass(1)
    assert balance_amount(stripe_client, "eur", account.id, status="available") == 3000
    assert stripe_client.v1.payouts.create({"amount": 3000, "currency": "eur"}, connected).amount == 3000


def test_payout_schedule_is_daily_by_default_and_set_at_create_and_update(stripe_client, new_account):
    account = new_account()
    assert account.settings.payouts.schedule.to_dict() == {"delay_days": 2, "interval": "daily"}

    manual = new_account(settings={"payouts": {"schedule": {"interval": "manual"}}})
    assert manual.settings.payouts.schedule.interval == "manual"

    weekly = stripe_client.v1.accounts.update(
        account.id, {"settings": {"payouts": {"schedule": {"interval": "weekly", "weekly_anchor": "friday"}}}}
    )
    assert weekly.settings.payouts.schedule.to_dict() == {
        "delay_days": 2,
        "interval": "weekly",
        "weekly_anchor": "friday",
    }
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.accounts.update(
            account.id, {"settings": {"payouts": {"schedule": {"interval": "hourly"}}}}
        )
    assert error.value.param == "settings[payouts][schedule][interval]"
    assert stripe_client.v1.accounts.retrieve(account.id).settings.payouts.schedule.interval == "weekly"


def test_an_automatic_schedule_pays_out_and_a_later_reversal_fails(
    stripe_client, onboarded_account, paid_charge, days_pass, webhook_receiver
):
    receiver = webhook_receiver(events=["payout.created", "payout.paid"], connect=True)
    days_pass(0)
    daily = onboarded_account()  # Stripe's default: daily
    manual = onboarded_account(settings=MANUAL)
    charge = paid_charge(amount=10000)
    to_daily = _transfer(stripe_client, daily, charge, 4000)
    _transfer(stripe_client, manual, charge, 3000)

    days_pass(1)  # a payout day passes, but the funds are still pending: nothing to pay
    assert stripe_client.v1.payouts.list(options={"stripe_account": daily.id}).data == []

    days_pass(2)  # the funds became available and another payout day passed
    [payout] = _payouts_settled(stripe_client, daily.id, 1)
    assert (payout.amount, payout.currency, payout.automatic, payout.status) == (4000, "eur", True, "paid")
    assert balance_amount(stripe_client, "eur", daily.id) == 0
    assert {"payout.created", "payout.paid"} <= set(event_types(stripe_client, daily.id))
    delivered = receiver.wait_for("payout.created", "payout.paid")
    assert {event["account"] for event in receiver.events()} == {daily.id}
    assert len(delivered) == 2
    # The manual account keeps its money until the platform pays it out.
    assert stripe_client.v1.payouts.list(options={"stripe_account": manual.id}).data == []
    assert balance_amount(stripe_client, "eur", manual.id, status="available") == 3000

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.transfers.reversals.create(to_daily.id, {"amount": 2000})
    assert (error.value.code, error.value.param) == ("balance_insufficient", "amount")
    assert stripe_client.v1.transfers.retrieve(to_daily.id).amount_reversed == 0


def test_a_weekly_schedule_pays_out_on_its_anchor_day_only(
    stripe_client, onboarded_account, paid_charge, days_pass
):
    monday = 1_800_000_000 - 1_800_000_000 % (7 * DAY) + 4 * DAY  # the Unix epoch was a Thursday
    days_pass((monday - time.time()) / DAY + 0.5)  # Monday noon, a new timeline
    account = onboarded_account(
        settings={"payouts": {"schedule": {"interval": "weekly", "weekly_anchor": "thursday"}}}
    )
    _transfer(stripe_client, account, paid_charge(amount=10000), 4000)

    days_pass(2)  # Wednesday noon: the funds are available, no payout day yet
    assert stripe_client.v1.payouts.list(options={"stripe_account": account.id}).data == []

    days_pass(1)  # past Thursday 00:00
    [payout] = _payouts_settled(stripe_client, account.id, 1)
    assert (payout.amount, payout.automatic) == (4000, True)
