"""Webhook handlers of the money side: charges, refunds, disputes, transfers and payouts.

Each handler re-reads the object from Stripe where the client can (charges, transfers) or applies the signed
event body through a monotonic service (disputes, payouts), and books through entries keyed by Stripe ids: a
duplicated, late or reordered event changes nothing. Objects that are not this network's are ignored here and
left for reconciliation to report.
"""

from __future__ import annotations

import logging

from django.db import connection

from apps.payouts import hooks_money, stripe_client  # noqa: F401 - importing hooks_money subscribes to orders' hooks
from apps.payouts.charges import charge_book, charge_record, order_id_for_charge
from apps.payouts.connected_payouts import payout_record
from apps.payouts.disputes import dispute_record
from apps.payouts.models import JournalEntry, StripeMode, Transfer
from apps.payouts.refunds import order_id_for_charge_id, refunds_record_from_charge
from apps.payouts.transfers import parse_uuid, transfer_sync_from_stripe
from apps.payouts.webhook_handlers import handles

logger = logging.getLogger(__name__)


def _object(event: dict) -> dict:
    return (event.get("data") or {}).get("object") or {}


def _charge_is_ours(charge_id: str) -> bool:
    return (
        bool(order_id_for_charge_id(charge_id))
        or JournalEntry.objects.filter(stripe_object_id=charge_id).exists()
    )


@handles("charge.succeeded")
def charge_succeeded(event: dict) -> None:
    charge = _object(event)
    if order_id_for_charge(charge) is None:
        return
    charge_record(charge_id=charge["id"])


@handles("charge.refunded", "charge.refund.updated", "refund.created", "refund.updated")
def charge_refunded(event: dict) -> None:
    obj = _object(event)
    charge_id = obj.get("id") if obj.get("object") == "charge" else obj.get("charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if not charge_id or not _charge_is_ours(charge_id):
        return
    charge = stripe_client.charge_retrieve(charge_id=charge_id)
    charge_book(charge=charge)  # a refund may overtake its charge's own event
    refunds_record_from_charge(charge=charge)


@handles(
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
)
def charge_dispute(event: dict) -> None:
    dispute = _object(event)
    charge_id = dispute.get("charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if not charge_id or not _charge_is_ours(charge_id):
        return
    dispute_record(dispute=dispute)


@handles("transfer.created", "transfer.updated", "transfer.reversed")
def transfer_changed(event: dict) -> None:
    obj = _object(event)
    ours = Transfer.objects.filter(stripe_transfer_id=obj.get("id") or "-").exists()
    our_id = parse_uuid((obj.get("metadata") or {}).get("transfer_id"))
    if not ours and not (our_id and Transfer.objects.filter(pk=our_id).exists()):
        return  # made outside the platform (or by another network): reconciliation reports it
    transfer_sync_from_stripe(stripe_transfer=stripe_client.transfer_retrieve(transfer_id=obj["id"]))


def _platform_payout_is_ours(payout: dict) -> bool:
    """With real keys the platform account is the network's own; the local server shares one platform account
    among networks, so there only payouts tagged with this network count."""
    if stripe_client.stripe_settings_get().mode == StripeMode.STRIPE:
        return True
    return (payout.get("metadata") or {}).get("network") == connection.schema_name


@handles("payout.created", "payout.updated", "payout.paid", "payout.failed", "payout.canceled")
def payout_changed(event: dict) -> None:
    payout = _object(event)
    account = event.get("account") or ""
    if not account and not _platform_payout_is_ours(payout):
        return
    payout_record(payout=payout, account=account)
