"""Webhook handlers for payouts (a Stripe balance paid out to a bank): the platform's own (account endpoint) and
its connected accounts' (Connect endpoint), applied from the signed event body through a monotonic service."""

from __future__ import annotations

from django.db import connection

from apps.payouts import stripe_client
from apps.payouts.connect.bank_payouts import payout_record
from apps.payouts.models import StripeMode
from apps.payouts.webhooks.registry import WebhookEndpoint, event_object, handles


def _platform_payout_is_ours(payout: dict) -> bool:
    """With real keys the platform account is the network's own; the local server shares one platform account
    among networks, so there only payouts tagged with this network count."""
    if stripe_client.stripe_settings_get().mode == StripeMode.STRIPE:
        return True
    return (payout.get("metadata") or {}).get("network") == connection.schema_name


@handles(
    "payout.created",
    "payout.updated",
    "payout.paid",
    "payout.failed",
    "payout.canceled",
    endpoints=(
        WebhookEndpoint.ACCOUNT,
        WebhookEndpoint.CONNECT,
    ),  # the platform's own payouts, and its accounts'
)
def payout_changed(event: dict) -> None:
    payout = event_object(event)
    account = event.get("account") or ""
    if not account and not _platform_payout_is_ours(payout):
        return
    payout_record(payout=payout, account=account)
