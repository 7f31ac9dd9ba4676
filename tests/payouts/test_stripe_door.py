"""Every call the platform makes through its one Stripe door, against the local Stripe-compatible server."""

import uuid

import pytest
import requests
from django.test import override_settings

from apps.payouts import stripe_client as door
from apps.payouts.models import StripeMode, StripeWrite
from apps.payouts.stripe_settings import stripe_settings_update


@pytest.fixture
def stripe_ready(stripe_server, in_tenant_a):
    return stripe_server


def key(name: str) -> str:
    return f"test:{name}:{uuid.uuid4().hex}"


def _onboarded_account(server: str) -> str:
    account = door.account_create(
        email="shop@example.test",
        business_name="Shop",
        country="NL",
        metadata={"kind": "asset_owner"},
        idempotency_key=key("account"),
    )
    requests.post(
        f"{server}/_test/accounts/{account['id']}/complete_onboarding", timeout=5
    ).raise_for_status()
    return account["id"]


def _paid_charge(amount: int = 10000, currency: str = "eur") -> tuple[dict, str]:
    intent = door.payment_intent_create(
        amount_minor=amount,
        currency=currency,
        transfer_group="order_1",
        metadata={"order": "1"},
        idempotency_key=key("pi"),
    )
    confirmed = door.payment_intent_confirm(
        payment_intent_id=intent["id"], payment_method="pm_card_visa", idempotency_key=key("confirm")
    )
    assert confirmed["status"] == "succeeded"
    return confirmed, confirmed["latest_charge"]


def test_connect_onboarding_round_trip(stripe_ready):
    account = door.account_create(
        email="mill@example.test",
        business_name="Mill",
        country="NL",
        metadata={},
        idempotency_key=key("acct"),
    )
    assert account["capabilities"]["transfers"] != "active"
    link = door.account_link_create(
        account_id=account["id"],
        refresh_url="http://alpha.localhost/r",
        return_url="http://alpha.localhost/ok",
        idempotency_key=key("link"),
    )
    page = requests.get(link["url"], timeout=5)
    assert page.status_code == 200
    requests.post(
        f"{stripe_ready}/_test/accounts/{account['id']}/complete_onboarding", timeout=5
    ).raise_for_status()
    refreshed = door.account_retrieve(account_id=account["id"])
    assert refreshed["capabilities"]["transfers"] == "active"
    assert refreshed["payouts_enabled"] is True


def test_payment_charge_fee_and_refund(stripe_ready):
    intent, charge_id = _paid_charge(10000)
    assert intent["transfer_group"] == "order_1"
    charge = door.charge_retrieve(charge_id=charge_id)
    assert charge["balance_transaction"]["fee"] == 175  # 1.5 % + 25
    assert charge["balance_transaction"]["net"] == 9825
    refund = door.refund_create(
        charge_id=charge_id, amount_minor=2500, metadata={}, idempotency_key=key("refund")
    )
    assert refund["amount"] == 2500
    assert refund["status"] == "succeeded"


def test_declined_card_raises_card_declined(stripe_ready):
    intent = door.payment_intent_create(
        amount_minor=5000, currency="eur", transfer_group="order_2", metadata={}, idempotency_key=key("pi")
    )
    with pytest.raises(door.CardDeclined):
        door.payment_intent_confirm(
            payment_intent_id=intent["id"], payment_method="pm_card_chargeDeclined", idempotency_key=key("c")
        )
    assert door.payment_intent_retrieve(payment_intent_id=intent["id"])["status"] != "succeeded"


def test_transfer_is_idempotent_and_recorded_once(stripe_ready):
    destination = _onboarded_account(stripe_ready)
    _, charge_id = _paid_charge(10000)
    transfer_key = key("transfer")
    args = dict(
        amount_minor=6000,
        currency="eur",
        destination=destination,
        transfer_group="order_1",
        source_transaction=charge_id,
        metadata={"work_item": "7"},
        idempotency_key=transfer_key,
    )
    first = door.transfer_create(**args)
    second = door.transfer_create(**args)
    assert first["id"] == second["id"]
    assert StripeWrite.objects.filter(idempotency_key=transfer_key).count() == 1
    assert StripeWrite.objects.get(idempotency_key=transfer_key).stripe_object_id == first["id"]
    with pytest.raises(door.IdempotencyConflict):
        door.transfer_create(**{**args, "amount_minor": 6001})
    balance = door.balance_retrieve(stripe_account=destination)
    assert (
        sum(b["amount"] for b in balance["available"] + balance["pending"] if b["currency"] == "eur") == 6000
    )


def test_transfer_failures_are_not_retryable(stripe_ready):
    _, charge_id = _paid_charge(1000)
    not_onboarded = door.account_create(
        email="x@example.test", business_name="X", country="NL", metadata={}, idempotency_key=key("acct")
    )["id"]
    with pytest.raises(door.StripeCallError) as error:
        door.transfer_create(
            amount_minor=500,
            currency="eur",
            destination=not_onboarded,
            transfer_group="g",
            source_transaction=charge_id,
            metadata={},
            idempotency_key=key("t"),
        )
    assert not error.value.retryable
    onboarded = _onboarded_account(stripe_ready)
    with pytest.raises(door.StripeCallError, match=r"(?i)exceed|insufficient|more than"):
        door.transfer_create(
            amount_minor=1001,
            currency="eur",
            destination=onboarded,
            transfer_group="g",
            source_transaction=charge_id,
            metadata={},
            idempotency_key=key("t"),
        )


def test_reversal_and_balance_transactions(stripe_ready):
    destination = _onboarded_account(stripe_ready)
    _, charge_id = _paid_charge(8000)
    transfer = door.transfer_create(
        amount_minor=4000,
        currency="eur",
        destination=destination,
        transfer_group="order_9",
        source_transaction=charge_id,
        metadata={},
        idempotency_key=key("t"),
    )
    reversal = door.transfer_reversal_create(
        transfer_id=transfer["id"], amount_minor=1500, metadata={}, idempotency_key=key("r")
    )
    assert reversal["amount"] == 1500
    assert door.transfer_retrieve(transfer_id=transfer["id"])["amount_reversed"] == 1500
    with pytest.raises(door.StripeCallError):
        door.transfer_reversal_create(
            transfer_id=transfer["id"], amount_minor=5000, metadata={}, idempotency_key=key("r")
        )
    seen = {txn["source"] for txn in door.balance_transactions_iter()}
    assert charge_id in seen
    assert transfer["id"] in seen


def test_server_errors_are_retried_without_duplicates(stripe_ready):
    destination = _onboarded_account(stripe_ready)
    _, charge_id = _paid_charge(3000)
    transfer_key = key("t")
    # Aimed at this request's key: a request the session's worker sends meanwhile must not take the fault.
    armed = requests.post(
        f"{stripe_ready}/_test/fail_next",
        data={"count": 1, "mode": "500", "when": "after", "idempotency_key": door.network_key(transfer_key)},
        timeout=5,
    )
    armed.raise_for_status()
    transfer = door.transfer_create(
        amount_minor=1000,
        currency="eur",
        destination=destination,
        transfer_group="order_5",
        source_transaction=charge_id,
        metadata={},
        idempotency_key=transfer_key,
    )
    # the fault was taken (by this call): arming a never-matching one leaves only that one pending
    pending = requests.post(f"{stripe_ready}/_test/fail_next", data={"path": "/v1/never"}, timeout=5).json()[
        "pending_faults"
    ]
    assert pending == armed.json()["pending_faults"], "the 500 reached this request"
    created = [t for t in door.balance_transactions_iter() if t["source"] == transfer["id"]]
    assert len(created) == 1


def test_a_hanging_stripe_is_a_retryable_error(stripe_ready):
    # Aimed at the balance read: a request the session's worker sends meanwhile must not take one of the three.
    requests.post(
        f"{stripe_ready}/_test/fail_next",
        data={"count": 3, "mode": "hang", "seconds": 3, "method": "GET", "path": "/v1/balance"},
        timeout=5,
    ).raise_for_status()
    with override_settings(STRIPE_TIMEOUT_S=1), pytest.raises(door.StripeCallError) as error:
        door.balance_retrieve()
    assert error.value.retryable


def test_payouts_of_a_connected_account_are_listed(stripe_ready):
    destination = _onboarded_account(stripe_ready)
    assert door.payout_list(stripe_account=destination) == []


def test_keys_the_admin_form_already_test_called_are_saved_without_calling_again(in_tenant_a):
    """The admin form test-calls a new secret key in clean() (to show a refusal next to the field); saving then
    must not call Stripe again. A made-up key would be refused by a second call (or fail to reach Stripe)."""
    row = stripe_settings_update(
        mode=StripeMode.STRIPE,
        publishable_key="pk_test_made_up",
        secret_key="sk_test_made_up_0000",
        webhook_secret="whsec_made_up",
        secret_key_verified=True,
    )
    row.refresh_from_db()
    assert (row.mode, row.secret_key, row.webhook_secret) == (
        StripeMode.STRIPE,
        "sk_test_made_up_0000",
        "whsec_made_up",
    )
    assert "made_up_0000" not in row.secret_key_encrypted
