"""Every API key is its own platform account: objects, balances, idempotency keys, webhooks, controls.

``stripe_client`` uses ``sk_test_local`` (platform A); ``client_b`` uses another key (platform B).
"""

import time
import uuid

import pytest
import requests
import stripe

from .helpers import balance_amount, event_types, make_client

KEY_A = "sk_test_local"
KEY_B = "sk_test_local_beta"


@pytest.fixture
def client_b(stripe_server) -> stripe.StripeClient:
    return make_client(stripe_server, KEY_B)


def _pay(client, amount: int, currency: str = "eur"):
    intent = client.v1.payment_intents.create(
        {"amount": amount, "currency": currency, "payment_method": "pm_card_visa", "confirm": True}
    )
    return client.v1.charges.retrieve(intent.latest_charge)


def _onboarded(client, control):
    account = client.v1.accounts.create(
        {"type": "express", "country": "FR", "capabilities": {"transfers": {"requested": True}}}
    )
    control(f"accounts/{account.id}/complete_onboarding")
    return account


def _transfer(client, account, charge, amount: int):
    return client.v1.transfers.create(
        {"amount": amount, "currency": "eur", "destination": account.id, "source_transaction": charge.id}
    )


def _error(call) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as error:
        call()
    return error.value


def test_another_keys_ids_are_resource_missing_exactly_like_unknown_ids(stripe_client, client_b, control):
    account = _onboarded(stripe_client, control)
    charge = _pay(stripe_client, 10000)
    transfer = _transfer(stripe_client, account, charge, 2000)
    customer = stripe_client.v1.customers.create({"email": "a@example.test"})
    foreign_ids = [
        (client_b.v1.charges.retrieve, charge.id),
        (client_b.v1.payment_intents.retrieve, charge.payment_intent),
        (client_b.v1.balance_transactions.retrieve, charge.balance_transaction),
        (client_b.v1.transfers.retrieve, transfer.id),
        (client_b.v1.accounts.retrieve, account.id),
        (client_b.v1.customers.retrieve, customer.id),
    ]

    for retrieve, object_id in foreign_ids:
        made_up = object_id.split("_")[0] + "_doesnotexist"
        foreign, unknown = _error(lambda: retrieve(object_id)), _error(lambda: retrieve(made_up))  # noqa: B023

        assert foreign.http_status == unknown.http_status == 404
        assert foreign.code == unknown.code == "resource_missing"
        assert foreign.param == unknown.param
        assert foreign.user_message == unknown.user_message.replace(made_up, object_id)
    assert stripe_client.v1.transfers.retrieve(transfer.id).amount == 2000  # still there for its owner


def test_another_key_cannot_change_or_delete_objects(stripe_client, client_b, control):
    account = _onboarded(stripe_client, control)
    charge = _pay(stripe_client, 10000)
    transfer = _transfer(stripe_client, account, charge, 2000)
    customer = stripe_client.v1.customers.create({"email": "a@example.test"})

    assert _error(lambda: client_b.v1.refunds.create({"charge": charge.id})).http_status == 404
    assert (
        _error(lambda: client_b.v1.transfers.update(transfer.id, {"metadata": {"x": "y"}})).http_status == 404
    )
    assert _error(lambda: client_b.v1.transfers.reversals.create(transfer.id)).http_status == 404
    assert _error(lambda: client_b.v1.customers.delete(customer.id)).http_status == 404
    assert _error(lambda: client_b.v1.accounts.delete(account.id)).http_status == 404

    assert stripe_client.v1.charges.retrieve(charge.id).amount_refunded == 0
    assert stripe_client.v1.transfers.retrieve(transfer.id).amount_reversed == 0
    assert stripe_client.v1.transfers.retrieve(transfer.id).metadata.to_dict() == {}
    assert stripe_client.v1.customers.retrieve(customer.id).id == customer.id
    assert stripe_client.v1.accounts.retrieve(account.id).id == account.id


def test_another_keys_connected_accounts_are_out_of_reach(stripe_client, client_b, control):
    account_a = _onboarded(stripe_client, control)
    charge_b = _pay(client_b, 10000)

    with pytest.raises(stripe.PermissionError) as header:
        client_b.v1.balance.retrieve(options={"stripe_account": account_a.id})
    to_foreign = _error(lambda: _transfer(client_b, account_a, charge_b, 1000))
    link = _error(
        lambda: client_b.v1.account_links.create(
            {
                "account": account_a.id,
                "refresh_url": "https://b.test/refresh",
                "return_url": "https://b.test/return",
                "type": "account_onboarding",
            }
        )
    )

    assert (header.value.http_status, header.value.error.code) == (403, "account_invalid")
    assert (to_foreign.code, to_foreign.param) == ("resource_missing", "destination")
    assert (link.code, link.param) == ("resource_missing", "account")
    assert client_b.v1.transfers.list().data == []
    assert balance_amount(client_b, "eur") == 10000 - 175
    assert balance_amount(stripe_client, "eur", account_a.id) == 0


def test_lists_and_balances_are_per_platform(stripe_client, client_b, control):
    account_a, account_b = _onboarded(stripe_client, control), _onboarded(client_b, control)
    charge_a, charge_b = _pay(stripe_client, 10000), _pay(client_b, 20000)
    transfer_a = _transfer(stripe_client, account_a, charge_a, 1000)
    transfer_b = _transfer(client_b, account_b, charge_b, 3000)
    customer_b = client_b.v1.customers.create({"email": "b@example.test"})

    def ids(client, resource) -> list[str]:
        return [obj.id for obj in getattr(client.v1, resource).list({"limit": 100}).data]

    assert ids(stripe_client, "charges") == [charge_a.id]
    assert ids(client_b, "charges") == [charge_b.id]
    assert ids(stripe_client, "payment_intents") == [charge_a.payment_intent]
    assert ids(client_b, "transfers") == [transfer_b.id]
    assert ids(stripe_client, "transfers") == [transfer_a.id]
    assert ids(stripe_client, "accounts") == [account_a.id]
    assert ids(client_b, "accounts") == [account_b.id]
    assert ids(stripe_client, "customers") == []
    assert ids(client_b, "customers") == [customer_b.id]
    assert not set(ids(stripe_client, "balance_transactions")) & set(ids(client_b, "balance_transactions"))
    assert not set(ids(stripe_client, "events")) & set(ids(client_b, "events"))
    assert balance_amount(stripe_client, "eur") == 10000 - 175 - 1000
    assert balance_amount(client_b, "eur") == 20000 - 325 - 3000
    assert balance_amount(stripe_client, "eur", account_a.id) == 1000
    assert balance_amount(client_b, "eur", account_b.id) == 3000


def test_the_same_idempotency_key_under_two_keys_creates_two_objects(stripe_client, client_b):
    key = "test-" + uuid.uuid4().hex

    first_a = stripe_client.v1.customers.create({"email": "a@example.test"}, options={"idempotency_key": key})
    first_b = client_b.v1.customers.create({"email": "b@example.test"}, options={"idempotency_key": key})
    again_a = stripe_client.v1.customers.create({"email": "a@example.test"}, options={"idempotency_key": key})
    again_b = client_b.v1.customers.create({"email": "b@example.test"}, options={"idempotency_key": key})

    assert first_a.id != first_b.id
    assert first_b.last_response.headers.get("Idempotent-Replayed") is None
    assert (again_a.id, again_b.id) == (first_a.id, first_b.id)
    assert again_a.last_response.headers["Idempotent-Replayed"] == "true"
    assert again_b.last_response.headers["Idempotent-Replayed"] == "true"
    assert [c.id for c in stripe_client.v1.customers.list().data] == [first_a.id]
    assert [c.id for c in client_b.v1.customers.list().data] == [first_b.id]


def _received(receiver) -> set[tuple[str, str]]:
    return {(event["type"], event["data"]["object"]["id"]) for event in receiver.events()}


def _wait_until_received(receiver, expected: set, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not expected <= _received(receiver) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert expected <= _received(receiver), expected - _received(receiver)


def test_a_webhook_endpoint_registered_with_a_key_gets_only_that_platforms_events(
    stripe_client, client_b, control, webhook_receiver, wait_until_delivered, days_pass
):
    only_a = webhook_receiver(api_key=KEY_A)
    only_b = webhook_receiver(api_key="pk_test_local_beta")  # a publishable key names the same platform
    everything = webhook_receiver()
    connect_a = webhook_receiver(api_key=KEY_A, connect=True)
    connect_b = webhook_receiver(api_key="pk_test_local_beta", connect=True)
    connect_everything = webhook_receiver(connect=True)
    customer_a = stripe_client.v1.customers.create({"email": "a@example.test"})
    account_a = _onboarded(stripe_client, control)  # account.updated comes from an out-of-band control
    charge_a = _pay(stripe_client, 10000)
    transfer_a = _transfer(stripe_client, account_a, charge_a, 5000)
    days_pass(3)  # the transferred card funds become available
    payout_a = stripe_client.v1.payouts.create(
        {"amount": 1000, "currency": "eur"}, {"stripe_account": account_a.id}
    )
    dispute_a = control(f"charges/{charge_a.id}/dispute", amount=1000)
    customer_b = client_b.v1.customers.create({"email": "b@example.test"})
    account_b = _onboarded(client_b, control)
    from_a = {
        ("customer.created", customer_a.id),
        ("charge.succeeded", charge_a.id),
        ("transfer.created", transfer_a.id),
        ("charge.dispute.created", dispute_a["id"]),
    }
    connected_a = {("account.updated", account_a.id), ("payout.paid", payout_a.id)}
    from_b = {("customer.created", customer_b.id)}
    connected_b = {("account.updated", account_b.id)}

    _wait_until_received(everything, from_a | from_b)
    _wait_until_received(
        connect_everything, connected_a | connected_b
    )  # payout.paid comes after its response
    wait_until_delivered()

    assert from_a <= _received(only_a)
    assert not {object_id for _, object_id in _received(only_a)} & {customer_b.id, account_b.id}
    assert _received(only_b) == from_b
    assert connected_a <= _received(connect_a) and _received(connect_b) == connected_b
    assert not {object_id for _, object_id in _received(connect_a)} & {account_b.id}
    assert {event.get("account") for event in connect_a.events()} == {account_a.id}
    assert not any(event.get("account") for event in only_a.events() + everything.events())
    [payout_paid] = [e for e in connect_a.events() if e["type"] == "payout.paid"]
    assert payout_paid["account"] == account_a.id  # a connected account's event, for its platform


def test_webhook_registration_refuses_a_malformed_api_key(stripe_server):
    response = requests.post(
        f"{stripe_server}/_config/webhooks/bad",
        json={"url": "http://127.0.0.1:9/hook", "secret": "whsec_x", "api_key": "not_a_key"},
        timeout=5,
    )

    assert response.status_code == 400


def test_controls_act_on_any_platforms_objects_for_their_owner(stripe_client, client_b, control):
    account_a = _onboarded(stripe_client, control)  # the control itself sends no key
    charge_a = _pay(stripe_client, 10000)

    dispute = control(f"charges/{charge_a.id}/dispute", amount=2000)
    control(f"accounts/{account_a.id}/restrict")

    assert [d.id for d in stripe_client.v1.disputes.list().data] == [dispute["id"]]
    assert balance_amount(stripe_client, "eur") == 10000 - 175 - 2000 - 1500
    assert event_types(stripe_client, account_a.id) == ["account.updated", "account.updated"]
    assert "charge.dispute.created" in event_types(stripe_client)
    assert client_b.v1.disputes.list().data == []
    assert event_types(client_b) == []
    assert stripe_client.v1.accounts.retrieve(account_a.id).payouts_enabled is False


def test_a_publishable_key_acts_for_the_platform_of_the_same_secret_key(
    stripe_server, stripe_client, client_b
):
    card = {"card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2030"}
    response = requests.post(
        f"{stripe_server}/v1/tokens",
        data={**card, "card[cvc]": "123", "key": "pk_test_local_beta"},
        timeout=5,
    )

    assert response.status_code == 200, response.text
    token = response.json()["id"]
    assert client_b.v1.tokens.retrieve(token).id == token
    assert _error(lambda: stripe_client.v1.tokens.retrieve(token)).http_status == 404


def test_wipe_forgets_every_platform(stripe_server, stripe_client, client_b):
    stripe_client.v1.customers.create({"email": "a@example.test"})
    client_b.v1.customers.create({"email": "b@example.test"})

    requests.delete(stripe_server + "/_config/data", timeout=5).raise_for_status()

    assert stripe_client.v1.customers.list().data == []
    assert client_b.v1.customers.list().data == []
