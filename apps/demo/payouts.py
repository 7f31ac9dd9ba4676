"""Demo seeding's Stripe side: approved demo participants get fully onboarded accounts on the local server."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid

from django.conf import settings

from apps.payouts import stripe_client
from apps.payouts.connect.onboarding import account_idempotency_key, connect_status_refresh
from apps.payouts.models import StripeMode
from apps.suppliers.models import Participant
from apps.suppliers.services import participant_connect_account_set


def _local_server_reachable() -> bool:
    try:
        with urllib.request.urlopen(f"{settings.STRIPE_LOCAL_URL}/_test/health", timeout=1) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


def _local_complete_onboarding(account_id: str) -> None:
    """The local server's test control standing in for a person filling in Stripe's onboarding form."""
    request = urllib.request.Request(  # noqa: S310 - our own local server's URL from settings
        f"{settings.STRIPE_LOCAL_URL}/_test/accounts/{account_id}/complete_onboarding",
        data=b"",
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


def connect_demo_onboard(participant: Participant) -> bool:
    """Demo seeding only: gives an approved participant a fully onboarded account on the local Stripe server.

    Returns False (and does nothing) unless the network uses the local server and it answers; the caller then
    records a seeded `acct_demo_*` state instead. An account id that the (in-memory) local server no longer
    knows, e.g. after a restart, is replaced.
    """
    if stripe_client.stripe_settings_get().mode != StripeMode.LOCAL or not _local_server_reachable():
        return False
    account_id = participant.stripe_account_id
    if account_id:
        try:
            stripe_client.account_retrieve(account_id=account_id)
        except stripe_client.StripeCallError:
            account_id = ""
    if not account_id:
        account = stripe_client.account_create(
            email=participant.contact_email,
            business_name=participant.name,
            country=participant.country,
            metadata={"kind": participant.kind, "participant_id": str(participant.pk), "demo": "true"},
            idempotency_key=f"{account_idempotency_key(participant)}:demo:{uuid.uuid4().hex}",
        )
        account_id = account["id"]
        participant_connect_account_set(participant=participant, account_id=account_id, replace=True)
    _local_complete_onboarding(account_id)
    connect_status_refresh(account_id=account_id)
    return True
