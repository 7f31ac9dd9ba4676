"""Webhook handlers for Stripe Connect accounts (a participant's onboarding state)."""

from apps.payouts.connect.onboarding import connect_status_refresh
from apps.payouts.webhooks.registry import handles


@handles("account.updated")
def account_updated(event: dict) -> None:
    """Re-reads the account from Stripe rather than trusting the event body, so a late or duplicated event
    can never roll the participant's state back."""
    account_id = (event.get("data") or {}).get("object", {}).get("id") or event.get("account") or ""
    connect_status_refresh(account_id=account_id)
