"""Refunds: full, partial, too large; charge.refunded events and refund balance transactions."""

import pytest
import stripe

from .helpers import balance_amount, event_types


def test_full_refund(stripe_client, paid_charge):
    charge = paid_charge(amount=10000)

    refund = stripe_client.v1.refunds.create({"payment_intent": charge.payment_intent})

    assert refund.id.startswith("re_")
    assert refund.amount == 10000
    assert refund.status == "succeeded"
    assert refund.charge == charge.id
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert charge.refunded is True
    assert charge.amount_refunded == 10000
    txn = stripe_client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (txn.type, txn.amount, txn.fee, txn.source) == ("refund", -10000, 0, refund.id)
    # The processing fee is not given back: 9825 in, 10000 out.
    assert balance_amount(stripe_client, "eur") == -175
    events = stripe_client.v1.events.list({"type": "charge.refunded"}).data
    assert len(events) == 1
    assert events[0].data.object.id == charge.id
    assert events[0].data.object.refunded is True


def test_partial_refunds(stripe_client, paid_charge):
    charge = paid_charge(amount=10000)

    first = stripe_client.v1.refunds.create(
        {"charge": charge.id, "amount": 3000, "reason": "requested_by_customer"}
    )
    stripe_client.v1.refunds.create({"charge": charge.id, "amount": 2000})

    assert first.reason == "requested_by_customer"
    assert first.payment_intent == charge.payment_intent
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert charge.amount_refunded == 5000
    assert charge.refunded is False
    assert event_types(stripe_client).count("charge.refunded") == 2
    assert balance_amount(stripe_client, "eur") == 9825 - 5000


def test_refund_larger_than_what_is_left(stripe_client, paid_charge):
    charge = paid_charge(amount=10000)
    stripe_client.v1.refunds.create({"charge": charge.id, "amount": 6000})

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.refunds.create({"charge": charge.id, "amount": 4001})
    assert error.value.code == "amount_too_large"

    stripe_client.v1.refunds.create({"charge": charge.id})  # the remaining 4000
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1})
    assert error.value.code == "charge_already_refunded"
    assert stripe_client.v1.charges.retrieve(charge.id).amount_refunded == 10000
