"""The server as a whole: wipes, memory-only state, isolation between instances, HTTP behaviour."""

import os
import tempfile
import uuid
from pathlib import Path

import pytest
import requests
import stripe

from tools.stripe_local.process import start_local_stripe, stop_local_stripe

from .helpers import make_client


def test_wipe_forgets_everything(stripe_server, stripe_client, onboarded_account, paid_charge, control):
    account = onboarded_account()
    charge = paid_charge()
    key = uuid.uuid4().hex
    stripe_client.v1.customers.create({"email": "a@example.test"}, options={"idempotency_key": key})
    control("config", fee_fixed=99)
    control("decline_next_payment")
    control("payouts/fail_next")

    requests.delete(stripe_server + "/_config/data", timeout=5).raise_for_status()

    assert stripe_client.v1.accounts.list().data == []
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.charges.retrieve(charge.id)
    with pytest.raises(stripe.PermissionError):
        stripe_client.v1.balance.retrieve(options={"stripe_account": account.id})
    assert stripe_client.v1.balance_transactions.list().data == []
    # The key is forgotten: other parameters are fine now.
    stripe_client.v1.customers.create({"email": "b@example.test"}, options={"idempotency_key": key})
    # The controls are forgotten: the next payment succeeds with the default fee.
    assert paid_charge(amount=10000).amount == 10000
    assert stripe_client.v1.balance.retrieve().pending[0].amount == 9825


def test_state_is_never_written_to_disk(stripe_client, paid_charge):
    pickle = Path(tempfile.gettempdir()) / "localstripe.pickle"
    before = pickle.stat().st_mtime_ns if pickle.exists() else None

    paid_charge()
    stripe_client.v1.customers.create({"email": "a@example.test"})

    assert (pickle.stat().st_mtime_ns if pickle.exists() else None) == before


def test_two_servers_do_not_share_state(stripe_client, new_account):
    account = new_account()
    url, popen = start_local_stripe(extra_args=["--quiet", "--fee-percent", "2.9", "--fee-fixed", "30"])
    try:
        other = make_client(url)
        assert other.v1.accounts.list().data == []
        with pytest.raises(stripe.InvalidRequestError):
            other.v1.accounts.retrieve(account.id)
        intent = other.v1.payment_intents.create(
            {"amount": 10000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True}
        )
        charge = other.v1.charges.retrieve(intent.latest_charge, {"expand": ["balance_transaction"]})
        assert charge.balance_transaction.fee == 320  # CLI flags set that server's fee model
    finally:
        stop_local_stripe(popen)
    assert popen.returncode is not None
    assert [a.id for a in stripe_client.v1.accounts.list().data] == [account.id]
    os.unlink(popen.log_path)


def test_api_needs_a_secret_key(stripe_server):
    response = requests.get(stripe_server + "/v1/balance", timeout=5)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_unknown_routes_answer_stripe_shaped_404(stripe_server):
    response = requests.get(stripe_server + "/v1/nothing_here", auth=("sk_test_x", ""), timeout=5)

    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


def test_unknown_ids_are_resource_missing(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.payment_intents.retrieve("pi_nope")

    assert error.value.http_status == 404
    assert error.value.code == "resource_missing"
    assert "pi_nope" in error.value.user_message
