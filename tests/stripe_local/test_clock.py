"""The test clock (``/_test/clock``) and the delivery queue (``/_test/webhooks/pending``): what lets tests
move Stripe's whole-second ``created`` forward and know when every webhook was sent, without sleeping."""

import time

import requests
import stripe

DAY = 86_400


def _clock(stripe_server, method: str = "GET", **params) -> requests.Response:
    return requests.request(method, f"{stripe_server}/_test/clock", json=params or None, timeout=5)


def test_a_frozen_clock_stamps_every_object_and_only_moves_forward(stripe_server, stripe_client, paid_charge):
    frozen = int(time.time()) - DAY
    assert _clock(stripe_server, "POST", frozen_time=frozen).json() == {"now": frozen, "frozen": True}
    charge = paid_charge()
    [txn] = stripe_client.v1.balance_transactions.list({"source": charge.id}).data
    assert charge.created == txn.created == frozen

    assert _clock(stripe_server, "POST", frozen_time=frozen + 1).status_code == 200
    customer = stripe_client.v1.customers.create({"email": "later@example.test"})
    assert customer.created == frozen + 1
    listed = stripe_client.v1.balance_transactions.list({"created": {"gt": frozen}}).data
    assert listed == [], "the charge's transaction is in the earlier second"

    backwards = _clock(stripe_server, "POST", frozen_time=frozen)
    assert backwards.status_code == 400 and backwards.json()["error"]["param"] == "frozen_time"
    assert _clock(stripe_server).json() == {"now": frozen + 1, "frozen": True}


def test_a_wipe_or_delete_returns_the_clock_to_real_time(stripe_server):
    _clock(stripe_server, "POST", frozen_time=1_000)
    assert _clock(stripe_server, "DELETE").json()["frozen"] is False
    _clock(stripe_server, "POST", frozen_time=1_000)
    requests.delete(f"{stripe_server}/_config/data", timeout=5).raise_for_status()
    real = _clock(stripe_server).json()
    assert real["frozen"] is False and abs(real["now"] - time.time()) < 60


def test_webhooks_are_signed_with_the_time_of_sending_whatever_the_clock(
    stripe_server, stripe_client, webhook_receiver
):
    """Stripe signs with the sending time; a frozen clock in the past must not make every signature too old."""
    receiver = webhook_receiver()
    _clock(stripe_server, "POST", frozen_time=int(time.time()) - DAY)
    stripe_client.v1.customers.create({"email": "buyer@example.test"})
    [(body, headers)] = receiver.wait_for("customer.created")
    event = stripe.Webhook.construct_event(body.decode(), headers["Stripe-Signature"], receiver.secret)
    assert event.created < time.time() - DAY + 60  # the event itself follows the clock


def test_pending_deliveries_count_until_the_receiver_got_them(
    stripe_server, stripe_client, webhook_receiver, wait_until_delivered
):
    receiver = webhook_receiver()
    stripe_client.v1.customers.create({"email": "buyer@example.test"})
    pending = requests.get(f"{stripe_server}/_test/webhooks/pending", timeout=5).json()["pending"]
    assert pending == 1, "sent about a second after the event"
    wait_until_delivered()
    assert receiver.types() == ["customer.created"]
