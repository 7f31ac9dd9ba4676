"""Fixtures for testing tools.stripe_local: a real server subprocess and the official Stripe SDK.

No Django needed: run with ``.venv/bin/pytest tests/stripe_local -q -p no:django``.
"""

import secrets
import sys
import time
from pathlib import Path

import pytest
import requests
import stripe

from .helpers import FAST_WEBHOOK_RETRIES, WebhookReceiver, make_client

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `pytest` (unlike `python -m pytest`) does not put the cwd on sys.path
    sys.path.insert(0, str(REPO_ROOT))

from tools.stripe_local.process import start_local_stripe, stop_local_stripe  # noqa: E402


@pytest.fixture(scope="session")
def stripe_server(request):
    url, popen = start_local_stripe(extra_args=FAST_WEBHOOK_RETRIES)
    yield url
    stop_local_stripe(popen)
    if request.session.testsfailed:
        print(f"\nstripe_local server log: {popen.log_path}")
    else:
        Path(popen.log_path).unlink(missing_ok=True)


@pytest.fixture
def stripe_client(stripe_server) -> stripe.StripeClient:
    return make_client(stripe_server)


@pytest.fixture(autouse=True)
def _fresh_stripe_state(stripe_server):
    requests.delete(stripe_server + "/_config/data", timeout=5).raise_for_status()
    yield


@pytest.fixture
def control(stripe_server):
    """``control("fail_next", mode="hang")`` -> POST /_test/fail_next, returns the JSON answer."""

    def call(endpoint: str, /, **params):
        response = requests.post(f"{stripe_server}/_test/{endpoint}", json=params, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    return call


@pytest.fixture
def new_account(stripe_client):
    def create(**params):
        params = {
            "type": "express",
            "country": "FR",
            "capabilities": {"transfers": {"requested": True}},
            **params,
        }
        return stripe_client.v1.accounts.create(params)

    return create


@pytest.fixture
def onboarded_account(new_account, control, stripe_client):
    def create(**params):
        account = new_account(**params)
        control(f"accounts/{account.id}/complete_onboarding")
        return stripe_client.v1.accounts.retrieve(account.id)

    return create


@pytest.fixture
def paid_charge(stripe_client):
    """Pay with ``pm_card_visa`` through a PaymentIntent and return the resulting Charge."""

    def pay(amount=10000, currency="eur", **params):
        intent = stripe_client.v1.payment_intents.create(
            {
                "amount": amount,
                "currency": currency,
                "payment_method": "pm_card_visa",
                "confirm": True,
                **params,
            }
        )
        assert intent.status == "succeeded"
        return stripe_client.v1.charges.retrieve(intent.latest_charge)

    return pay


@pytest.fixture
def funded_account(onboarded_account, paid_charge, stripe_client):
    """An onboarded connected account holding ``amount`` (transferred from a fresh charge)."""

    def create(amount=5000, currency="eur"):
        account = onboarded_account()
        charge = paid_charge(amount=10000, currency=currency)
        transfer = stripe_client.v1.transfers.create(
            {
                "amount": amount,
                "currency": currency,
                "destination": account.id,
                "source_transaction": charge.id,
            }
        )
        return account, transfer

    return create


@pytest.fixture
def days_pass(stripe_server):
    """``days_pass(n)``: the server's clock moves ``n`` days on, so card funds whose ``available_on`` passes
    become available. A clock still in real time is frozen first (a new timeline: no automatic payout is made
    for that jump); moving a frozen clock on makes the automatic payouts that fall due meanwhile."""

    def move(days: float) -> int:
        now = requests.get(f"{stripe_server}/_test/clock", timeout=5).json()["now"]
        response = requests.post(
            f"{stripe_server}/_test/clock", json={"frozen_time": now + int(days * 86400)}, timeout=5
        )
        assert response.status_code == 200, response.text
        return response.json()["now"]

    return move


@pytest.fixture
def wait_until_delivered(stripe_server):
    """Wait until the server has no webhook delivery scheduled or in flight (``/_test/webhooks/pending``):
    then what a receiver got is all it will ever get for the events emitted so far."""

    def wait(timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            pending = requests.get(f"{stripe_server}/_test/webhooks/pending", timeout=5).json()["pending"]
            if pending == 0:
                return
            assert time.monotonic() < deadline, f"{pending} webhook deliveries still pending"
            time.sleep(0.05)

    return wait


@pytest.fixture
def webhook_receiver(stripe_server):
    """Yield a function registering a receiver: an account endpoint, or a Connect one (``connect=True``),
    optionally for some event types, one platform's events (``api_key``) or another ``api_version``; the
    receiver answers ``fail_first`` deliveries with HTTP 500 before it accepts."""
    registered = []

    def register(events=None, api_key=None, connect=None, api_version=None, fail_first=0) -> WebhookReceiver:
        receiver = WebhookReceiver(fail_first=fail_first)
        webhook_id = "test_" + secrets.token_hex(6)
        payload = {"url": receiver.url, "secret": receiver.secret}
        options = {"events": events, "api_key": api_key, "connect": connect, "api_version": api_version}
        payload.update({name: value for name, value in options.items() if value is not None})
        requests.post(
            f"{stripe_server}/_config/webhooks/{webhook_id}", json=payload, timeout=5
        ).raise_for_status()
        receiver.webhook_id = webhook_id
        registered.append((webhook_id, receiver))
        return receiver

    yield register
    for webhook_id, receiver in registered:
        requests.delete(f"{stripe_server}/_config/webhooks/{webhook_id}", timeout=5)
        receiver.server.shutdown()
        receiver.server.server_close()
