"""Idempotency-Key semantics: replay, conflicts, what is (not) stored."""

import uuid

import pytest
import stripe

from .helpers import balance_amount


def _key() -> str:
    return "test-" + uuid.uuid4().hex


def test_same_key_and_parameters_replay_the_stored_response(stripe_client, onboarded_account, paid_charge):
    account = onboarded_account()
    charge = paid_charge(amount=10000)
    params = {"amount": 2000, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    key = _key()

    first = stripe_client.v1.transfers.create(params, options={"idempotency_key": key})
    second = stripe_client.v1.transfers.create(params, options={"idempotency_key": key})

    assert second.id == first.id
    assert second.to_dict() == first.to_dict()
    assert first.last_response.headers.get("Idempotent-Replayed") is None
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert second.last_response.idempotency_key == key
    assert [t.id for t in stripe_client.v1.transfers.list().data] == [first.id]
    assert balance_amount(stripe_client, "eur") == 9825 - 2000
    assert balance_amount(stripe_client, "eur", account.id) == 2000


def test_same_key_with_other_parameters_is_an_idempotency_error(
    stripe_client, onboarded_account, paid_charge
):
    account = onboarded_account()
    charge = paid_charge(amount=10000)
    params = {"amount": 2000, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    key = _key()
    stripe_client.v1.transfers.create(params, options={"idempotency_key": key})

    with pytest.raises(stripe.IdempotencyError) as error:
        stripe_client.v1.transfers.create({**params, "amount": 2001}, options={"idempotency_key": key})

    assert error.value.http_status == 400
    assert error.value.error.type == "idempotency_error"
    assert len(stripe_client.v1.transfers.list().data) == 1


def test_same_key_on_another_endpoint_or_account_is_an_idempotency_error(stripe_client, new_account):
    account = new_account()
    key = _key()
    stripe_client.v1.customers.create({"email": "a@example.test"}, options={"idempotency_key": key})

    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.accounts.update(
            account.id, {"email": "a@example.test"}, options={"idempotency_key": key}
        )
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.customers.create(
            {"email": "a@example.test"}, options={"idempotency_key": key, "stripe_account": account.id}
        )


def test_card_errors_are_replayed_not_retried(stripe_client):
    params = {"amount": 5000, "currency": "eur", "payment_method": "pm_card_chargeDeclined", "confirm": True}
    key = _key()

    with pytest.raises(stripe.CardError) as first:
        stripe_client.v1.payment_intents.create(params, options={"idempotency_key": key})
    with pytest.raises(stripe.CardError) as second:
        stripe_client.v1.payment_intents.create(params, options={"idempotency_key": key})

    assert second.value.error.charge == first.value.error.charge
    assert second.value.headers["Idempotent-Replayed"] == "true"
    assert len(stripe_client.v1.payment_intents.list().data) == 1


def test_validation_errors_are_not_stored(stripe_client, new_account, paid_charge, control):
    account = new_account()
    charge = paid_charge()
    params = {"amount": 1000, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    key = _key()
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.transfers.create(params, options={"idempotency_key": key})

    control(f"accounts/{account.id}/complete_onboarding")
    transfer = stripe_client.v1.transfers.create(params, options={"idempotency_key": key})

    assert transfer.amount == 1000
    assert transfer.last_response.headers.get("Idempotent-Replayed") is None


def test_the_sdk_sends_a_fresh_key_on_every_call(stripe_client):
    first = stripe_client.v1.customers.create({"email": "same@example.test"})
    second = stripe_client.v1.customers.create({"email": "same@example.test"})

    assert first.id != second.id
    assert first.last_response.idempotency_key != second.last_response.idempotency_key


def test_a_key_expires_24_hours_after_its_first_request_by_the_server_clock(
    stripe_client, onboarded_account, paid_charge, control
):
    """As on Stripe, which prunes keys once they are 24 h old: re-sending an old write blindly makes a second
    object; within the 24 h it is replayed."""
    account = onboarded_account()
    charge = paid_charge(amount=10000)
    params = {"amount": 2000, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    key = _key()
    start = control("clock", frozen_time=2_000_000_000)["now"]
    first = stripe_client.v1.transfers.create(params, options={"idempotency_key": key})

    control("clock", frozen_time=start + 24 * 3600 - 1)
    replayed = stripe_client.v1.transfers.create(params, options={"idempotency_key": key})
    assert replayed.id == first.id
    assert replayed.last_response.headers["Idempotent-Replayed"] == "true"

    control("clock", frozen_time=start + 24 * 3600)
    again = stripe_client.v1.transfers.create(params, options={"idempotency_key": key})
    assert again.id != first.id
    assert again.last_response.headers.get("Idempotent-Replayed") is None
    assert {t.id for t in stripe_client.v1.transfers.list().data} == {first.id, again.id}
    # The expired key now belongs to its new request: sent again, that one is replayed.
    assert stripe_client.v1.transfers.create(params, options={"idempotency_key": key}).id == again.id
