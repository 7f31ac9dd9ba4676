"""Stripe's currency rules on the local server: only currencies Stripe charges in, three-decimal amounts ending in
0, ISK/UGX in whole units (two decimals, 00), the settlement currency's minimum (`amount_too_small`), charges
converted into the platform's settlement currency with `exchange_rate`, transfers in the settlement currency,
and cross-border accounts only with the recipient service agreement."""

import time

import pytest
import stripe


def _intent(stripe_client, amount, currency):
    return stripe_client.v1.payment_intents.create(
        {"amount": amount, "currency": currency, "payment_method": "pm_card_visa", "confirm": True}
    )


def _refused(call) -> dict:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        call()
    assert refused.value.http_status == 400
    error = refused.value.error
    return {"code": error.code, "param": error.param, "message": error.message}


@pytest.mark.parametrize(
    ("currency", "bad", "good"),
    [("kwd", 5124, 5120), ("bhd", 1001, 1010), ("isk", 150050, 150000), ("ugx", 200001, 200000)],
)
def test_amounts_follow_the_currencys_step(stripe_client, currency, bad, good):
    error = _refused(lambda: _intent(stripe_client, bad, currency))
    assert (error["code"], error["param"]) == ("invalid_charge_amount", "amount")
    assert _intent(stripe_client, good, currency).status == "succeeded"
    assert len(stripe_client.v1.payment_intents.list().data) == 1  # the refused one was never stored


def test_refunds_follow_the_step_too(stripe_client, paid_charge):
    charge = paid_charge(amount=5120, currency="kwd")
    error = _refused(lambda: stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1001}))
    assert (error["code"], error["param"]) == ("invalid_charge_amount", "amount")
    assert stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000}).amount == 1000


@pytest.mark.parametrize(("currency", "minimum"), [("eur", 50), ("jpy", 50), ("gbp", 30), ("huf", 17500)])
def test_charges_below_the_minimum_are_amount_too_small(stripe_client, currency, minimum):
    error = _refused(lambda: _intent(stripe_client, minimum - 1, currency))
    assert (error["code"], error["param"]) == ("amount_too_small", "amount")
    assert "at least" in error["message"]
    assert _intent(stripe_client, minimum, currency).status == "succeeded"


def test_currencies_stripe_does_not_charge_in_are_refused(stripe_client):
    for currency in ("dem", "xau"):
        assert (
            _refused(lambda currency=currency: _intent(stripe_client, 10000, currency))["param"] == "currency"
        )


def test_charges_settle_in_the_platform_currency_with_an_exchange_rate(stripe_client, paid_charge, control):
    control("config", platform_country="US", settle_in_platform_currency=True)
    charge = paid_charge(amount=10000, currency="eur")
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    # 100.00 EUR at the fixed test rate 1.10 is 110.00 USD; the fee (1.5 % + 25) is taken in USD.
    assert (txn.currency, txn.amount, txn.exchange_rate, txn.fee, txn.net) == ("usd", 11000, 1.1, 190, 10810)
    assert charge.currency == "eur" and charge.amount == 10000
    balance = stripe_client.v1.balance.retrieve()
    assert [(b.currency, b.amount) for b in balance.pending] == [("usd", 10810)]  # card funds wait 2 days
    refund = stripe_client.v1.refunds.create({"charge": charge.id, "amount": 5000})
    refund_txn = stripe_client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (refund_txn.currency, refund_txn.amount) == ("usd", -5500)
    # The minimum is the settlement currency's after conversion: 0.40 EUR is about 0.44 USD.
    error = _refused(lambda: _intent(stripe_client, 40, "eur"))
    assert error["code"] == "amount_too_small" and "converts to approximately 0.44 USD" in error["message"]


def test_a_converted_charge_funds_transfers_in_the_settlement_currency(
    stripe_client, paid_charge, onboarded_account, control
):
    control("config", settle_in_platform_currency=True)
    account = onboarded_account()
    charge = paid_charge(amount=10000, currency="eur")
    transfer = {"destination": account.id, "source_transaction": charge.id}
    error = _refused(
        lambda: stripe_client.v1.transfers.create({**transfer, "amount": 4000, "currency": "eur"})
    )
    assert (error["code"], error["param"]) == ("transfer_source_balance_parameters_mismatch", "currency")
    error = _refused(
        lambda: stripe_client.v1.transfers.create({**transfer, "amount": 11001, "currency": "usd"})
    )
    assert (error["code"], error["param"]) == ("amount_too_large", "amount")
    assert stripe_client.v1.transfers.create({**transfer, "amount": 11000, "currency": "usd"}).amount == 11000


def test_without_the_setting_each_currency_settles_as_charged(stripe_client, paid_charge):
    txn = stripe_client.v1.balance_transactions.retrieve(
        paid_charge(amount=1000, currency="jpy").balance_transaction
    )
    assert (txn.currency, txn.amount, txn.exchange_rate) == ("jpy", 1000, None)


def test_cross_border_accounts_need_the_recipient_agreement(stripe_client, new_account):
    # The platform is in the US (the default); France is in the region where `full` works across borders.
    assert new_account(country="FR").tos_acceptance.service_agreement == "full"
    error = _refused(lambda: new_account(country="JP"))
    assert error["param"] == "tos_acceptance[service_agreement]" and "recipient" in error["message"]
    recipient = new_account(country="JP", tos_acceptance={"service_agreement": "recipient"})
    assert (recipient.country, recipient.tos_acceptance.service_agreement) == ("JP", "recipient")
    error = _refused(lambda: new_account(country="JM", tos_acceptance={"service_agreement": "recipient"}))
    assert error["param"] == "country" and "cannot be created by platforms in US" in error["message"]


def test_recipient_accounts_cannot_take_card_payments(stripe_client, new_account):
    card_payments = {"transfers": {"requested": True}, "card_payments": {"requested": True}}
    recipient = {"service_agreement": "recipient"}
    error = _refused(lambda: new_account(country="JP", tos_acceptance=recipient, capabilities=card_payments))
    assert error["param"] == "capabilities[card_payments]"
    account = new_account(country="JP", tos_acceptance=recipient)
    update = {"capabilities": {"card_payments": {"requested": True}}}
    assert _refused(lambda: stripe_client.v1.accounts.update(account.id, update))["param"] == (
        "capabilities[card_payments]"
    )
    change = {"tos_acceptance": {"service_agreement": "full"}}
    assert _refused(lambda: stripe_client.v1.accounts.update(account.id, change))["param"] == (
        "tos_acceptance[service_agreement]"
    )


def test_only_us_platforms_pay_recipients_across_borders(stripe_client, new_account, control):
    control("config", platform_country="DE")
    error = _refused(lambda: new_account(country="JP", tos_acceptance={"service_agreement": "recipient"}))
    assert error["param"] == "country"
    assert new_account(country="US").country == "US"  # within the region: full agreement


def test_huf_payouts_are_whole_forints(stripe_client, paid_charge, control):
    """Stripe charges HUF with decimals but pays it out in whole forints (amounts divisible by 100)."""
    paid_charge(amount=20045, currency="huf")
    error = _refused(lambda: stripe_client.v1.payouts.create({"amount": 1045, "currency": "huf"}))
    assert (error["code"], error["param"]) == ("invalid_payout_amount", "amount")
    control("clock", frozen_time=int(time.time()) + 3 * 86400)  # the card funds become available
    assert stripe_client.v1.payouts.create({"amount": 1000, "currency": "huf"}).amount == 1000
