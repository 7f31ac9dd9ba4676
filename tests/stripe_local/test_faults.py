"""/_test/fail_next: injected 500s and hangs, and how the SDK's retries with idempotency keys cope."""

import time
import uuid

import pytest
import stripe

from .helpers import make_client


@pytest.fixture
def transfer_params(onboarded_account, paid_charge):
    account = onboarded_account()
    charge = paid_charge(amount=10000)
    return {"amount": 2500, "currency": "eur", "destination": account.id, "source_transaction": charge.id}


def test_500_after_processing_then_sdk_retry_gets_the_stored_result(stripe_client, transfer_params, control):
    control("fail_next", mode="500", path="/v1/transfers")

    transfer = stripe_client.v1.transfers.create(
        transfer_params, options={"idempotency_key": uuid.uuid4().hex}
    )

    # The first attempt created the transfer but answered 500; the SDK retried with the same key.
    assert transfer.last_response.headers["Idempotent-Replayed"] == "true"
    assert [t.id for t in stripe_client.v1.transfers.list().data] == [transfer.id]


def test_500_before_processing_then_sdk_retry_runs_it_once(stripe_client, transfer_params, control):
    control("fail_next", mode="500", when="before", path="/v1/transfers")

    transfer = stripe_client.v1.transfers.create(transfer_params)

    assert transfer.last_response.headers.get("Idempotent-Replayed") is None
    assert [t.id for t in stripe_client.v1.transfers.list().data] == [transfer.id]


def test_500_without_retries_then_manual_retry_with_the_same_key(stripe_server, transfer_params, control):
    client = make_client(stripe_server, max_network_retries=0)
    key = uuid.uuid4().hex
    control("fail_next", mode="500")

    with pytest.raises(stripe.APIError) as error:
        client.v1.transfers.create(transfer_params, options={"idempotency_key": key})
    assert error.value.http_status == 500

    # The response was lost, not the transfer: retrying with the same key returns it.
    [created] = client.v1.transfers.list().data
    retried = client.v1.transfers.create(transfer_params, options={"idempotency_key": key})
    assert retried.id == created.id
    assert len(client.v1.transfers.list().data) == 1


def test_more_failures_than_retries_surface_as_api_error(stripe_client, control):
    control("fail_next", mode="500", count=3, when="before")

    with pytest.raises(stripe.APIError):
        stripe_client.v1.balance.retrieve()  # 1 try + 2 retries, all failing
    assert stripe_client.v1.balance.retrieve().object == "balance"


def test_hang_exceeds_the_client_timeout(stripe_server, control):
    client = make_client(stripe_server, max_network_retries=0, http_client=stripe.RequestsClient(timeout=0.5))
    control("fail_next", mode="hang", seconds=3, when="before")

    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        client.v1.balance.retrieve()
    assert time.monotonic() - started < 2.5


def test_hang_then_sdk_retry_with_the_same_key_gets_one_transfer(stripe_server, transfer_params, control):
    client = make_client(stripe_server, max_network_retries=2, http_client=stripe.RequestsClient(timeout=0.5))
    control("fail_next", mode="hang", seconds=3, path="/v1/transfers")

    transfer = client.v1.transfers.create(transfer_params)

    assert transfer.last_response.headers["Idempotent-Replayed"] == "true"
    assert [t.id for t in client.v1.transfers.list().data] == [transfer.id]


def test_faults_only_hit_matching_requests(stripe_client, control):
    control("fail_next", mode="500", count=3, when="before", method="POST", path="/v1/transfers")

    assert stripe_client.v1.balance.retrieve().object == "balance"
    assert stripe_client.v1.customers.create({"email": "c@example.test"}).id.startswith("cus_")


def test_a_fault_aimed_at_a_key_spares_every_other_request(stripe_server, transfer_params, control):
    """With `idempotency_key` the faults wait for that call (and the client's retries of it): a request sent
    meanwhile with another key, or none, goes through."""
    client = make_client(stripe_server, max_network_retries=0)
    control("fail_next", mode="500", count=2, when="before", path="/v1/transfers", idempotency_key="mine")

    assert client.v1.transfers.create(transfer_params, options={"idempotency_key": "another"}).id.startswith(
        "tr_"
    )
    assert client.v1.balance.retrieve().object == "balance"
    for _ in range(2):
        with pytest.raises(stripe.APIError):
            client.v1.transfers.create(transfer_params, options={"idempotency_key": "mine"})
    assert client.v1.transfers.create(transfer_params, options={"idempotency_key": "mine"}).id.startswith(
        "tr_"
    )


def test_429_is_stripes_rate_limit_and_runs_nothing(stripe_client, transfer_params, control):
    """`mode=429` answers like Stripe's rate limiter (before the request runs, whatever `when` says); the SDK
    raises RateLimitError and does not retry it, so the caller backs off."""
    control("fail_next", mode="429", when="after", path="/v1/transfers")

    with pytest.raises(stripe.RateLimitError) as error:
        stripe_client.v1.transfers.create(transfer_params, options={"idempotency_key": uuid.uuid4().hex})

    assert error.value.http_status == 429
    assert error.value.error.type == "invalid_request_error"
    assert error.value.error.code == "rate_limit"
    assert stripe_client.v1.transfers.list().data == []
    # Only one was armed: the next request goes through.
    transfer = stripe_client.v1.transfers.create(transfer_params)
    assert [t.id for t in stripe_client.v1.transfers.list().data] == [transfer.id]
