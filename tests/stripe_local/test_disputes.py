"""Disputes created by the test control: object, events and the debit of amount + dispute fee."""

import pytest
import requests
import stripe

from .helpers import balance_amount


def test_dispute_control(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)

    dispute = control(f"charges/{charge.id}/dispute", reason="product_not_received")

    assert dispute["id"].startswith("dp_")
    assert dispute["object"] == "dispute"
    assert (dispute["amount"], dispute["charge"], dispute["status"]) == (10000, charge.id, "needs_response")
    assert dispute["reason"] == "product_not_received"
    assert dispute["payment_intent"] == charge.payment_intent
    txn = dispute["balance_transactions"][0]
    assert (txn["type"], txn["amount"], txn["fee"], txn["net"]) == ("adjustment", -10000, 1500, -11500)
    assert balance_amount(stripe_client, "eur") == 9825 - 10000 - 1500
    assert stripe_client.v1.charges.retrieve(charge.id).disputed is True
    assert stripe_client.v1.disputes.retrieve(dispute["id"]).status == "needs_response"
    assert [d.id for d in stripe_client.v1.disputes.list({"charge": charge.id}).data] == [dispute["id"]]
    events = stripe_client.v1.events.list({"type": "charge.dispute.created"}).data
    assert [e.data.object.id for e in events] == [dispute["id"]]


def test_partial_dispute_and_closing(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)

    dispute = control(f"charges/{charge.id}/dispute", amount=4000)
    closed = stripe_client.v1.disputes.close(dispute["id"])

    assert dispute["amount"] == 4000
    assert balance_amount(stripe_client, "eur") == 9825 - 4000 - 1500
    assert closed.status == "lost"


def test_a_charge_is_disputed_once(stripe_server, stripe_client, paid_charge, control):
    charge = paid_charge()
    control(f"charges/{charge.id}/dispute")

    again = requests.post(f"{stripe_server}/_test/charges/{charge.id}/dispute", timeout=5)

    assert again.status_code == 400
    assert again.json()["error"]["type"] == "invalid_request_error"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.disputes.retrieve("dp_unknown")
