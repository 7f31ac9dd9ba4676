"""Refunds: full, partial, too large; charge.refunded events and refund balance transactions."""

import pytest
import requests
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


def test_charges_list_their_refunds_only_when_expanded_and_intents_have_no_charges(
    stripe_client, paid_charge
):
    charge = paid_charge(amount=10000)
    refund = stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000})

    plain = stripe_client.v1.charges.retrieve(charge.id)
    expanded = stripe_client.v1.charges.retrieve(charge.id, {"expand": ["refunds"]})
    intent = stripe_client.v1.payment_intents.retrieve(charge.payment_intent)
    event = stripe_client.v1.events.list({"type": "charge.refunded"}).data[0]

    # API version 2022-11-15 and later: no auto-expanded refunds, no `charges` list on PaymentIntents.
    assert "refunds" not in plain and plain.amount_refunded == 1000
    assert [r.id for r in expanded.refunds.data] == [refund.id]
    assert "charges" not in intent and intent.latest_charge == charge.id
    assert "refunds" not in event.data.object


def test_refunds_are_listed_by_charge_or_payment_intent_newest_first(stripe_client, paid_charge):
    first, second = paid_charge(amount=10000), paid_charge(amount=5000)
    a = stripe_client.v1.refunds.create({"charge": first.id, "amount": 1000})
    b = stripe_client.v1.refunds.create({"charge": first.id, "amount": 2000})
    c = stripe_client.v1.refunds.create({"charge": second.id, "amount": 500})

    by_charge = stripe_client.v1.refunds.list({"charge": first.id}).data
    by_intent = stripe_client.v1.refunds.list({"payment_intent": second.payment_intent}).data
    everything = stripe_client.v1.refunds.list().data

    assert [r.id for r in by_charge] == [b.id, a.id]
    assert [r.id for r in by_intent] == [c.id]
    assert [r.id for r in everything] == [c.id, b.id, a.id]
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.refunds.list({"charge": "ch_missing"})
    assert (unknown.value.code, unknown.value.param, unknown.value.http_status) == (
        "resource_missing",
        "charge",
        404,
    )
    with pytest.raises(stripe.InvalidRequestError) as typo:
        stripe_client.v1.refunds.list({"chrage": first.id})
    assert (typo.value.code, typo.value.param) == ("parameter_unknown", "chrage")


def test_updating_a_refund_emits_refund_updated(stripe_client, paid_charge):
    charge = paid_charge()
    refund = stripe_client.v1.refunds.create({"charge": charge.id, "amount": 100, "metadata": {"a": "1"}})

    updated = stripe_client.v1.refunds.update(refund.id, {"metadata": {"b": "2"}})

    assert updated.metadata.to_dict() == {"a": "1", "b": "2"}
    events = stripe_client.v1.events.list({"type": "refund.updated"}).data
    assert [e.data.object.id for e in events] == [refund.id]
    assert event_types(stripe_client).count("refund.created") == 1


def test_a_dashboard_refund_acts_for_the_charge_owner_with_the_events_of_an_api_refund(
    stripe_server, stripe_client, paid_charge, control
):
    from .helpers import make_client

    charge = paid_charge(amount=10000)
    other = make_client(stripe_server, api_key="sk_test_local_other")

    refund = control(f"charges/{charge.id}/refund", amount=2500, reason="requested_by_customer")

    assert (refund["amount"], refund["charge"], refund["metadata"]) == (2500, charge.id, {})
    assert refund["payment_intent"] == charge.payment_intent
    assert stripe_client.v1.charges.retrieve(charge.id).amount_refunded == 2500
    assert [r.id for r in stripe_client.v1.refunds.list({"charge": charge.id}).data] == [refund["id"]]
    assert other.v1.refunds.list().data == []
    types = event_types(stripe_client)
    assert types.count("refund.created") == 1 and types.count("charge.refunded") == 1
    assert balance_amount(stripe_client, "eur") == 9825 - 2500
    # The same rules as an API refund: what is left, at most.
    too_much = requests.post(
        f"{stripe_server}/_test/charges/{charge.id}/refund", json={"amount": 7501}, timeout=5
    )
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "amount_too_large"
    missing = requests.post(f"{stripe_server}/_test/charges/ch_missing/refund", json={}, timeout=5)
    assert missing.status_code == 404


def test_a_charge_with_an_open_chargeback_cannot_be_refunded(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)
    control(f"charges/{charge.id}/dispute", amount=4000)

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000})

    assert (error.value.code, error.value.http_status) == ("charge_disputed", 400)
    assert error.value.error.type == "invalid_request_error"
    assert stripe_client.v1.refunds.list({"charge": charge.id}).data == []


def test_an_inquirys_charge_can_still_be_refunded(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)
    inquiry = control(f"charges/{charge.id}/dispute", status="warning_needs_response")
    assert inquiry["is_charge_refundable"] is True

    refund = stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000})

    assert refund.status == "succeeded"


@pytest.mark.parametrize("option", ["reverse_transfer", "refund_application_fee"])
def test_transfer_options_are_refused_on_charges_without_transfer_data(stripe_client, paid_charge, option):
    charge = paid_charge(amount=10000)

    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000, option: True})

    assert (error.value.param, error.value.http_status) == (option, 400)
    assert stripe_client.v1.charges.retrieve(charge.id).amount_refunded == 0
    # `false` is what every charge without transfer_data gets anyway: accepted.
    assert (
        stripe_client.v1.refunds.create({"charge": charge.id, "amount": 1000, option: False}).amount == 1000
    )
