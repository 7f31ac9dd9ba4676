"""Webhook handlers for Stripe Connect accounts (a participant's onboarding state), from the Connect endpoint."""

from apps.payouts.connect.onboarding import connect_status_refresh
from apps.payouts.webhooks.registry import WebhookEndpoint, event_object, handles


@handles(
    "account.updated",
    "capability.updated",
    # A representative's details (person.*) are part of the account's requirements: verifying one can make the
    # participant payable, and one going stale can make requirements past due before any account.updated.
    "person.created",
    "person.updated",
    "person.deleted",
    endpoints=(WebhookEndpoint.CONNECT,),
)
def account_updated(event: dict) -> None:
    """Re-reads the account from Stripe rather than trusting the event body, so a late or duplicated event
    can never roll the participant's state back. The account is the event's `account` (a Connect event), else
    the object's: an account's own id, or a capability's or person's `account`."""
    obj = event_object(event)
    account_id = (
        event.get("account")
        or obj.get("account")
        or (obj.get("id") if obj.get("object") == "account" else "")
    )
    if isinstance(account_id, str) and account_id.startswith("acct_"):
        connect_status_refresh(account_id=account_id)
