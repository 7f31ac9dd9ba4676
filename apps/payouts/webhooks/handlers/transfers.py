"""Webhook handlers for transfers to participants: each event re-reads the transfer from Stripe, so a late or
reordered event cannot roll it back. Transfers made outside the platform are left for reconciliation."""

from __future__ import annotations

from apps.payouts import stripe_client
from apps.payouts.models import Transfer
from apps.payouts.transfers.participant_transfers import parse_uuid, transfer_sync_from_stripe
from apps.payouts.webhooks.registry import event_object, handles


@handles("transfer.created", "transfer.updated", "transfer.reversed")
def transfer_changed(event: dict) -> None:
    obj = event_object(event)
    ours = Transfer.objects.filter(stripe_transfer_id=obj.get("id") or "-").exists()
    our_id = parse_uuid((obj.get("metadata") or {}).get("transfer_id"))
    if not ours and not (our_id and Transfer.objects.filter(pk=our_id).exists()):
        return  # made outside the platform (or by another network): reconciliation reports it
    transfer_sync_from_stripe(stripe_transfer=stripe_client.transfer_retrieve(transfer_id=obj["id"]))
