"""Webhook delivery like Stripe's: account vs Connect endpoints with their own secrets, the event's shape
(api_version, request, pending_webhooks), the Host override, and retries re-signed per attempt."""

import json
import time

import pytest
import requests
import stripe

from tools.stripe_local.retries import retry_delays
from tools.stripe_local.version import API_VERSION


def _signed_at(headers: dict) -> int:
    return int(headers["Stripe-Signature"].split(",")[0].removeprefix("t="))


def test_the_server_speaks_the_sdks_pinned_api_version():
    assert stripe.api_version == API_VERSION


def test_connect_events_go_only_to_connect_endpoints_and_platform_events_only_to_account_endpoints(
    stripe_client, webhook_receiver, funded_account, paid_charge, wait_until_delivered, days_pass
):
    platform = webhook_receiver()
    connect = webhook_receiver(connect=True)
    account, _ = funded_account()  # account.updated: the connected account's event; transfer.created: ours
    charge = paid_charge()  # charge.succeeded, payment_intent.succeeded: the platform's
    days_pass(3)  # the transferred card funds become available, so the account can be paid out
    stripe_client.v1.payouts.create({"amount": 100, "currency": "eur"}, {"stripe_account": account.id})

    connect.wait_for("account.updated", "payout.paid")
    platform.wait_for("charge.succeeded", "transfer.created")
    wait_until_delivered()

    assert {event["account"] for event in connect.events()} == {account.id}
    assert not any("account" in event for event in platform.events())
    assert "account.updated" not in platform.types() and "payout.created" not in platform.types()
    assert "charge.succeeded" not in connect.types()
    assert charge.id in [e["data"]["object"]["id"] for e in platform.events()]


def test_each_endpoint_signs_with_its_own_secret(webhook_receiver, onboarded_account, paid_charge):
    platform = webhook_receiver()
    connect = webhook_receiver(connect=True)
    onboarded_account()
    paid_charge()

    [(body, headers)] = connect.wait_for("account.updated")
    stripe.Webhook.construct_event(body.decode(), headers["Stripe-Signature"], connect.secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.decode(), headers["Stripe-Signature"], platform.secret)
    [(body, headers)] = platform.wait_for("charge.succeeded")
    stripe.Webhook.construct_event(body.decode(), headers["Stripe-Signature"], platform.secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.decode(), headers["Stripe-Signature"], connect.secret)


def test_events_carry_the_endpoints_api_version_the_request_and_pending_webhooks(
    stripe_client, webhook_receiver, new_account, control, wait_until_delivered
):
    pinned = webhook_receiver()
    older = webhook_receiver(api_version="2024-06-20")
    connect = webhook_receiver(connect=True)
    customer = stripe_client.v1.customers.create(
        {"email": "buyer@example.test"}, options={"idempotency_key": "customer-for-the-test"}
    )
    account = new_account()
    control(f"accounts/{account.id}/complete_onboarding")

    [(body, _)] = pinned.wait_for("customer.created")
    [(older_body, _)] = older.wait_for("customer.created")
    [(control_body, _)] = connect.wait_for("account.updated")
    wait_until_delivered()

    event = stripe.Event.construct_from(json.loads(body), "sk_unused")
    assert event.api_version == API_VERSION and event.livemode is False
    assert event.request.id == customer.last_response.request_id
    assert event.request.idempotency_key == "customer-for-the-test"
    assert event.pending_webhooks >= 1  # this endpoint had not been answered yet when it was sent
    assert json.loads(older_body)["api_version"] == "2024-06-20"
    from_control = json.loads(control_body)
    assert from_control["request"] == {"id": None, "idempotency_key": None}  # no API request caused it
    listed = stripe_client.v1.events.retrieve(event.id)
    assert listed.api_version == API_VERSION
    assert listed.pending_webhooks == 0  # both endpoints answered 2xx


def test_an_endpoint_registered_with_a_host_gets_it_as_the_host_header(stripe_server, stripe_client):
    from tests.stripe_local.helpers import WebhookReceiver

    receiver = WebhookReceiver()
    requests.post(
        f"{stripe_server}/_config/webhooks/hosted",
        json={"url": receiver.url, "secret": receiver.secret, "host": "demo.localhost:8000"},
        timeout=5,
    ).raise_for_status()
    try:
        stripe_client.v1.customers.create({"email": "buyer@example.test"})
        [(_, headers)] = receiver.wait_for("customer.created")
    finally:
        requests.delete(f"{stripe_server}/_config/webhooks/hosted", timeout=5)
        receiver.server.shutdown()
        receiver.server.server_close()

    assert headers["Host"] == "demo.localhost:8000"


@pytest.mark.parametrize("host", ["demo.localhost\r\nX-Evil: 1", " ", "a b", "demo.localhost:80000x"])
def test_a_malformed_host_is_refused(stripe_server, host):
    response = requests.post(
        f"{stripe_server}/_config/webhooks/bad",
        json={"url": "http://127.0.0.1:9/hook", "secret": "whsec_x", "host": host},
        timeout=5,
    )
    assert response.status_code == 400


def test_a_failed_delivery_is_retried_and_signed_again_with_the_time_of_the_retry(
    stripe_client, webhook_receiver, control, wait_until_delivered
):
    # The first retry waits Stripe's 5 minutes × scale = 1.2 s, so the two attempts fall in different seconds.
    control("config", webhook_time_scale=1.2 / 300)
    receiver = webhook_receiver(fail_first=1)
    stripe_client.v1.customers.create({"email": "buyer@example.test"})

    [(body, headers)] = receiver.wait_for("customer.created")
    wait_until_delivered()

    assert len(receiver.attempts) == 2
    (first_body, first_headers), (second_body, second_headers) = receiver.attempts
    assert first_body == second_body == body
    assert _signed_at(second_headers) > _signed_at(first_headers)
    assert first_headers["Stripe-Signature"] != second_headers["Stripe-Signature"]
    stripe.Webhook.construct_event(body.decode(), headers["Stripe-Signature"], receiver.secret)


def test_a_delivery_that_never_succeeds_is_given_up_after_stripes_schedule(
    stripe_server, stripe_client, webhook_receiver, wait_until_delivered
):
    """Stripe's three days (exponential back-off from 5 minutes, at most a day apart) run in ~2.4 s here."""
    receiver = webhook_receiver(fail_first=1000)
    stripe_client.v1.customers.create({"email": "buyer@example.test"})

    wait_until_delivered(timeout=20)

    assert len(receiver.attempts) == 1 + len(retry_delays(1.0))
    assert receiver.deliveries == []


def test_the_retry_schedule_has_stripes_shape():
    delays = retry_delays(1.0)
    assert delays[:4] == [300, 600, 1200, 2400]  # doubling from five minutes
    assert max(delays) == 24 * 3600  # at most a day apart
    assert 2.5 * 24 * 3600 < sum(delays) <= 3 * 24 * 3600  # for up to three days
    assert retry_delays(1 / 60)[0] == 5  # locally, by default, a Stripe minute is a second


def test_an_unregistered_endpoint_gets_no_more_retries(
    stripe_server, stripe_client, webhook_receiver, control, wait_until_delivered
):
    control("config", webhook_time_scale=1.0 / 300)  # first retry after a second
    receiver = webhook_receiver(fail_first=1000)
    stripe_client.v1.customers.create({"email": "buyer@example.test"})
    deadline = time.monotonic() + 10
    while not receiver.attempts and time.monotonic() < deadline:
        time.sleep(0.02)
    requests.delete(f"{stripe_server}/_config/webhooks/{receiver.webhook_id}", timeout=5).raise_for_status()

    wait_until_delivered(timeout=10)

    assert len(receiver.attempts) == 1
