"""PaymentIntents and charges: success with transfer_group, declines, the decline control."""

import pytest
import stripe

from .helpers import event_types


def test_payment_intent_succeeds_and_carries_transfer_group(stripe_client):
    intent = stripe_client.v1.payment_intents.create(
        {
            "amount": 10000,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "transfer_group": "order_42",
            "description": "Order 42",
            "metadata": {"order": "42"},
        }
    )

    assert intent.id.startswith("pi_")
    assert intent.status == "succeeded"
    assert intent.transfer_group == "order_42"
    assert isinstance(intent.latest_charge, str)  # an id unless expanded, as in current API versions
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert charge.paid is True
    assert charge.amount == 10000
    assert charge.payment_intent == intent.id
    assert charge.transfer_group == "order_42"
    assert charge.description == "Order 42"
    assert {"payment_intent.succeeded", "charge.succeeded"} <= set(event_types(stripe_client))


def test_confirm_with_a_payment_method(stripe_client):
    intent = stripe_client.v1.payment_intents.create(
        {"amount": 2500, "currency": "eur", "transfer_group": "g"}
    )
    assert intent.status == "requires_payment_method"

    intent = stripe_client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})

    assert intent.status == "succeeded"
    assert stripe_client.v1.charges.retrieve(intent.latest_charge).transfer_group == "g"


def test_expand_latest_charge(stripe_client, paid_charge):
    charge = paid_charge()

    intent = stripe_client.v1.payment_intents.retrieve(charge.payment_intent, {"expand": ["latest_charge"]})

    assert intent.latest_charge.id == charge.id
    assert intent.latest_charge.object == "charge"
    nested = stripe_client.v1.payment_intents.retrieve(
        charge.payment_intent, {"expand": ["latest_charge.balance_transaction"]}
    )
    assert nested.latest_charge.balance_transaction.net == 9825


def _declining_card(client):
    card = {"number": "4000000000000002", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    return client.v1.payment_methods.create({"type": "card", "card": card}).id


@pytest.mark.parametrize(
    "payment_method", ["pm_card_chargeDeclined", "pm_card_visa_chargeDeclined", "card 0002"]
)
def test_declined_card_fails_with_card_error(stripe_client, payment_method):
    if payment_method == "card 0002":
        payment_method = _declining_card(stripe_client)

    with pytest.raises(stripe.CardError) as error:
        stripe_client.v1.payment_intents.create(
            {"amount": 5000, "currency": "eur", "payment_method": payment_method, "confirm": True}
        )

    assert error.value.http_status == 402
    assert error.value.code == "card_declined"
    assert error.value.error.type == "card_error"
    assert error.value.error.decline_code == "generic_decline"
    intent = error.value.error.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.decline_code == "generic_decline"
    charge = stripe_client.v1.charges.retrieve(error.value.error.charge)
    assert charge.status == "failed"
    assert charge.paid is False
    assert charge.failure_code == "card_declined"
    assert {"payment_intent.payment_failed", "charge.failed"} <= set(event_types(stripe_client))
    assert "payment_intent.succeeded" not in event_types(stripe_client)


def test_insufficient_funds_card(stripe_client):
    with pytest.raises(stripe.CardError) as error:
        stripe_client.v1.payment_intents.create(
            {
                "amount": 5000,
                "currency": "eur",
                "payment_method": "pm_card_chargeDeclinedInsufficientFunds",
                "confirm": True,
            }
        )
    assert error.value.error.decline_code == "insufficient_funds"
    assert error.value.user_message == "Your card has insufficient funds."


def test_decline_next_payment_control_then_retry_succeeds(stripe_client, control):
    control("decline_next_payment")
    intent = stripe_client.v1.payment_intents.create({"amount": 3000, "currency": "eur"})

    with pytest.raises(stripe.CardError):
        stripe_client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"

    # The control is one-shot: the customer's next attempt goes through.
    intent = stripe_client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert intent.status == "succeeded"


def test_decline_control_counts_attempts(stripe_client, control):
    control("decline_next_payment", count=2, decline_code="insufficient_funds")
    params = {"amount": 1000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True}

    for _ in range(2):
        with pytest.raises(stripe.CardError) as error:
            stripe_client.v1.payment_intents.create(params)
        assert error.value.error.decline_code == "insufficient_funds"
    assert stripe_client.v1.payment_intents.create(params).status == "succeeded"


def test_charges_are_listed_newest_first_and_filter_on_transfer_group(stripe_client, paid_charge):
    first = paid_charge(transfer_group="a")
    second = paid_charge(transfer_group="b")

    assert [c.id for c in stripe_client.v1.charges.list().data] == [second.id, first.id]
    assert [c.id for c in stripe_client.v1.charges.list({"transfer_group": "a"}).data] == [first.id]
    assert [c.id for c in stripe_client.v1.charges.list({"payment_intent": second.payment_intent}).data] == [
        second.id
    ]


def test_direct_charge_with_transfer_group(stripe_client):
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    payment_method = stripe_client.v1.payment_methods.create({"type": "card", "card": card})

    charge = stripe_client.v1.charges.create(
        {"amount": 4000, "currency": "eur", "source": payment_method.id, "transfer_group": "order_9"}
    )

    assert charge.status == "succeeded"
    assert charge.transfer_group == "order_9"
    assert stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction).fee == 85  # 60 + 25
