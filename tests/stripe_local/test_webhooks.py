"""Webhook delivery: registered endpoints receive events signed exactly like Stripe signs them."""

import hashlib
import hmac
import json
import re
import time

import pytest
import requests
import stripe


def _run_platform_flow(client, control, onboarded_account, paid_charge, days_pass):
    """Exercise every event type the platform listens to; return the ids the events must refer to."""
    client.v1.customers.create({"email": "buyer@example.test"})  # localstripe's own customer.created
    account = onboarded_account(settings={"payouts": {"schedule": {"interval": "manual"}}})
    charge = paid_charge(amount=10000)
    client.v1.refunds.create({"charge": charge.id, "amount": 1000})
    transfer = client.v1.transfers.create(
        {"amount": 5000, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    )
    client.v1.transfers.reversals.create(transfer.id, {"amount": 1000})
    days_pass(3)  # the transferred card funds become available on the connected account
    connected = {"stripe_account": account.id}
    paid = client.v1.payouts.create({"amount": 1000, "currency": "eur"}, connected)
    control("payouts/fail_next")
    failed = client.v1.payouts.create({"amount": 1000, "currency": "eur"}, connected)
    dispute = control(f"charges/{charge.id}/dispute", amount=2000)
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.create(
            {"amount": 500, "currency": "eur", "payment_method": "pm_card_chargeDeclined", "confirm": True}
        )
    return {
        "account.updated": account.id,
        "payment_intent.succeeded": charge.payment_intent,
        "charge.refunded": charge.id,
        "transfer.created": transfer.id,
        "transfer.reversed": transfer.id,
        "payout.paid": paid.id,
        "payout.failed": failed.id,
        "charge.dispute.created": dispute["id"],
        "payment_intent.payment_failed": None,
        "customer.created": None,
    }


CONNECT_EVENTS = ("account.updated", "payout.paid", "payout.failed")


def _verified(receiver, deliveries, created_between: tuple[float, float]) -> dict[str, list]:
    """Checks each delivery's signature by hand and with the SDK; returns the events by type."""
    seen = {}
    for body, headers in deliveries:
        signature = headers["Stripe-Signature"]
        assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", signature)
        timestamp = signature.split(",")[0][2:]
        digest = hmac.new(
            receiver.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        assert signature.endswith("v1=" + digest)
        assert headers["Content-Type"].startswith("application/json")
        event = stripe.Webhook.construct_event(body.decode(), signature, receiver.secret)
        assert event.id.startswith("evt_")
        assert created_between[0] - 60 < event.created < created_between[1] + 60
        seen.setdefault(event.type, []).append(event)
    return seen


def test_events_arrive_signed_and_verify_with_the_sdk(
    stripe_client, webhook_receiver, control, onboarded_account, paid_charge, days_pass
):
    receiver = webhook_receiver()
    connected = webhook_receiver(connect=True)
    started = time.time()
    expected = _run_platform_flow(stripe_client, control, onboarded_account, paid_charge, days_pass)
    span = (started, days_pass(0))  # the flow moved the clock on: events are stamped with the server's time

    seen = _verified(receiver, receiver.wait_for(*(t for t in expected if t not in CONNECT_EVENTS)), span)
    seen |= _verified(connected, connected.wait_for(*CONNECT_EVENTS), span)

    for event_type, object_id in expected.items():
        if object_id is not None:
            assert object_id in [e.data.object.id for e in seen[event_type]], event_type
    account_id = expected["account.updated"]
    assert {e.account for e in seen["account.updated"]} == {account_id}
    assert {e.account for e in seen["payout.paid"]} == {account_id}
    assert "account" not in seen["transfer.created"][0]  # platform events have no account
    assert seen["payout.failed"][0].data.object.status == "failed"


def test_a_wrong_secret_or_a_tampered_payload_does_not_verify(stripe_client, webhook_receiver):
    receiver = webhook_receiver()
    stripe_client.v1.customers.create({"email": "buyer@example.test"})
    [(body, headers)] = receiver.wait_for("customer.created")
    signature = headers["Stripe-Signature"]

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.decode(), signature, "whsec_wrong")
    tampered = json.loads(body)
    tampered["data"]["object"]["email"] = "attacker@example.test"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(json.dumps(tampered), signature, receiver.secret)


def test_an_endpoint_only_gets_the_event_types_it_asked_for(
    stripe_client, webhook_receiver, onboarded_account, paid_charge, wait_until_delivered
):
    receiver = webhook_receiver(events=["transfer.created"])
    account = onboarded_account()
    charge = paid_charge()
    stripe_client.v1.transfers.create(
        {"amount": 100, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    )

    wait_until_delivered()  # every event of the flow was sent to every endpoint that takes it

    assert receiver.types() == ["transfer.created"]


def test_unregistered_endpoint_gets_nothing(
    stripe_server, stripe_client, webhook_receiver, wait_until_delivered
):
    receiver = webhook_receiver()
    webhook_id = "solo"
    requests.post(
        f"{stripe_server}/_config/webhooks/{webhook_id}",
        json={"url": receiver.url, "secret": "whsec_x"},
        timeout=5,
    ).raise_for_status()
    requests.delete(f"{stripe_server}/_config/webhooks/{webhook_id}", timeout=5).raise_for_status()
    stripe_client.v1.customers.create({"email": "buyer@example.test"})

    wait_until_delivered()

    assert receiver.types() == ["customer.created"]
