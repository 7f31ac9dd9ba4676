"""Webhook handlers for charges: the customer's payment, its refunds and its disputes.

A charge and its refunds are re-read from Stripe (the refunds through the refund list: charges no longer include
them), or the signed event body is applied through a monotonic service (disputes), and booked through entries keyed by Stripe ids: a duplicated, late or reordered event changes
nothing. Charges that are not this network's are ignored here and left for reconciliation to report.
"""

from __future__ import annotations

from apps.payouts import stripe_client
from apps.payouts.models import JournalEntry
from apps.payouts.payments.charges import (
    charge_book,
    charge_record,
    order_id_for_charge,
    order_id_for_charge_id,
)
from apps.payouts.payments.customer_refunds import refunds_record_for_charge
from apps.payouts.payments.disputes import dispute_record
from apps.payouts.webhooks.registry import event_object, handles


def _charge_is_ours(charge_id: str) -> bool:
    return (
        bool(order_id_for_charge_id(charge_id))
        or JournalEntry.objects.filter(stripe_object_id=charge_id).exists()
    )


@handles("charge.succeeded")
def charge_succeeded(event: dict) -> None:
    charge = event_object(event)
    if order_id_for_charge(charge) is None:
        return
    charge_record(charge_id=charge["id"])


@handles("charge.refunded", "charge.refund.updated", "refund.created", "refund.updated")
def charge_refunded(event: dict) -> None:
    obj = event_object(event)
    charge_id = obj.get("id") if obj.get("object") == "charge" else obj.get("charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if not charge_id or not _charge_is_ours(charge_id):
        return
    charge_book(
        charge=stripe_client.charge_retrieve(charge_id=charge_id)
    )  # a refund may overtake its charge's event
    refunds_record_for_charge(charge_id=charge_id)


@handles(
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
)
def charge_dispute(event: dict) -> None:
    dispute = event_object(event)
    charge_id = dispute.get("charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if not charge_id or not _charge_is_ours(charge_id):
        return
    dispute_record(dispute=dispute)
