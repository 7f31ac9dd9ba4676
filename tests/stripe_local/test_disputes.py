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


def _dispute_events(client, dispute_id):
    """(type, status) of every event about the dispute, oldest first."""
    events = client.v1.events.list({"limit": 100}).data
    return [(e.type, e.data.object.status) for e in reversed(events) if e.data.object.id == dispute_id]


def _evidence(client, dispute_id, text):
    return client.v1.disputes.update(dispute_id, {"evidence": {"uncategorized_text": text}})


def test_winning_evidence_wins_a_chargeback_and_reinstates_the_funds(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)
    dispute = control(f"charges/{charge.id}/dispute", amount=4000)

    won = _evidence(stripe_client, dispute["id"], "winning_evidence")

    assert won.status == "won"
    reinstated = won.balance_transactions[-1]
    assert (reinstated.amount, reinstated.fee, reinstated.reporting_category) == (4000, 0, "dispute_reversal")
    assert balance_amount(stripe_client, "eur") == 9825 - 1500  # the dispute fee is kept
    assert _dispute_events(stripe_client, dispute["id"]) == [
        ("charge.dispute.created", "needs_response"),
        ("charge.dispute.funds_withdrawn", "needs_response"),
        ("charge.dispute.updated", "under_review"),
        ("charge.dispute.closed", "won"),
        ("charge.dispute.funds_reinstated", "won"),
    ]
    # Closed: its evidence can no longer change, and closing it again changes nothing.
    with pytest.raises(stripe.InvalidRequestError) as error:
        _evidence(stripe_client, dispute["id"], "losing_evidence")
    assert error.value.param == "evidence"
    assert stripe_client.v1.disputes.close(dispute["id"]).status == "won"


def test_losing_evidence_loses_a_chargeback_and_the_funds_stay_withdrawn(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)
    dispute = control(f"charges/{charge.id}/dispute")

    lost = _evidence(stripe_client, dispute["id"], "losing_evidence")

    assert lost.status == "lost" and len(lost.balance_transactions) == 1
    assert balance_amount(stripe_client, "eur") == 9825 - 10000 - 1500
    assert _dispute_events(stripe_client, dispute["id"])[-2:] == [
        ("charge.dispute.updated", "under_review"),
        ("charge.dispute.closed", "lost"),
    ]
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.refunds.create({"charge": charge.id, "amount": 100})
    assert error.value.code == "charge_disputed"


def test_other_evidence_puts_a_chargeback_under_review(stripe_client, paid_charge, control):
    charge = paid_charge()
    dispute = control(f"charges/{charge.id}/dispute")

    reviewed = _evidence(stripe_client, dispute["id"], "The customer signed for the parcel.")

    assert reviewed.status == "under_review" and reviewed.evidence_details.submission_count == 1
    assert _dispute_events(stripe_client, dispute["id"])[-1] == ("charge.dispute.updated", "under_review")


def test_an_inquiry_withdraws_nothing_and_closes_as_warning_closed(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)

    inquiry = control(f"charges/{charge.id}/dispute", status="warning_needs_response")
    closed = _evidence(stripe_client, inquiry["id"], "winning_evidence")

    assert inquiry["status"] == "warning_needs_response" and inquiry["balance_transactions"] == []
    assert closed.status == "warning_closed" and closed.balance_transactions == []
    assert balance_amount(stripe_client, "eur") == 9825
    assert _dispute_events(stripe_client, inquiry["id"]) == [
        ("charge.dispute.created", "warning_needs_response"),
        ("charge.dispute.updated", "warning_under_review"),
        ("charge.dispute.closed", "warning_closed"),
    ]


def test_an_inquiry_closed_by_the_merchant_is_warning_closed(stripe_client, paid_charge, control):
    charge = paid_charge()
    inquiry = control(f"charges/{charge.id}/dispute", status="warning_needs_response")

    assert stripe_client.v1.disputes.close(inquiry["id"]).status == "warning_closed"
    assert balance_amount(stripe_client, "eur") == 9825


def test_losing_evidence_escalates_an_inquiry_to_a_chargeback(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)
    inquiry = control(f"charges/{charge.id}/dispute", status="warning_needs_response")

    escalated = _evidence(stripe_client, inquiry["id"], "losing_evidence")

    assert escalated.status == "needs_response" and escalated.is_charge_refundable is False
    assert balance_amount(stripe_client, "eur") == 9825 - 10000 - 1500
    assert _dispute_events(stripe_client, inquiry["id"])[-2:] == [
        ("charge.dispute.updated", "needs_response"),
        ("charge.dispute.funds_withdrawn", "needs_response"),
    ]
    assert _evidence(stripe_client, inquiry["id"], "winning_evidence").status == "won"
    assert balance_amount(stripe_client, "eur") == 9825 - 1500


def test_a_prevented_dispute_refunds_the_customer_without_a_chargeback(stripe_client, paid_charge, control):
    charge = paid_charge(amount=10000)

    prevented = control(f"charges/{charge.id}/dispute", status="prevented", amount=6000)

    assert prevented["status"] == "prevented" and prevented["balance_transactions"] == []
    refunds = stripe_client.v1.refunds.list({"charge": charge.id}).data
    assert [(r.amount, r.reason) for r in refunds] == [(6000, "fraudulent")]
    assert balance_amount(stripe_client, "eur") == 9825 - 6000  # no dispute fee
    assert _dispute_events(stripe_client, prevented["id"]) == [
        ("charge.dispute.created", "prevented"),
        ("charge.dispute.closed", "prevented"),
    ]
    assert {"refund.created", "charge.refunded"} <= {e.type for e in stripe_client.v1.events.list().data}
