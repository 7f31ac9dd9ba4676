"""Stripe Connect onboarding of asset owners and carriers.

The participant's state lives in apps.suppliers (written only through its services); this module is the
Stripe side: it creates the connected account once (on a manual payout schedule: the platform pays participants
out after the hold, connect/bank_payouts.py), hands out account links, and mirrors the account's state back
(`connect_status_refresh`, called by the return page and by the `account.updated` handler), switching an account
still on an automatic schedule to manual.
"""

from __future__ import annotations

import logging
import uuid

from django.db import connection

from apps.payouts import stripe_client
from apps.payouts.connect.cross_border import CrossBorderRefused, service_agreement_for
from apps.payouts.transfers.participant_transfers import transfers_resume_for_participant
from apps.suppliers.models import Participant
from apps.suppliers.selectors import participant_by_stripe_account
from apps.suppliers.services import participant_connect_account_set, participant_connect_update
from apps.suppliers.status import ParticipantStatus

logger = logging.getLogger(__name__)


__all__ = ["CrossBorderRefused", "NotApproved", "connect_onboarding_start", "connect_status_refresh"]


class NotApproved(Exception):
    """Only approved participants set up payouts."""


def account_idempotency_key(participant: Participant) -> str:
    return f"account:{participant.kind}:{participant.pk}"


def connect_account_ensure(*, participant: Participant) -> Participant:
    """The participant with its connected account, created on first call.

    The create carries the idempotency key `account:<kind>:<id>`: two concurrent first calls (or a retry
    after a lost response) get the same account from Stripe, and storing its id is a compare-and-swap.
    An account in another country than the network's Stripe account gets the recipient service agreement, or
    CrossBorderRefused (nothing is created) when Stripe cannot pay out there from this platform.
    """
    if participant.stripe_account_id:
        return participant
    platform_country = stripe_client.platform_account_retrieve().get("country") or participant.country
    agreement = service_agreement_for(country=participant.country, platform_country=platform_country)
    account = stripe_client.account_create(
        service_agreement=agreement,
        email=participant.contact_email,
        business_name=participant.name,
        country=participant.country,
        metadata={
            "kind": participant.kind,
            "participant_id": str(participant.pk),
            "network": connection.schema_name,
        },
        idempotency_key=account_idempotency_key(participant),
    )
    return participant_connect_account_set(participant=participant, account_id=account["id"])


def connect_onboarding_start(*, participant: Participant, return_url: str, refresh_url: str) -> str:
    """Creates the connected account if needed and returns a fresh onboarding link's URL.

    Raises NotApproved unless staff approved the participant; CrossBorderRefused when Stripe cannot pay out to
    the participant's country from this network's account; StripeCallError when Stripe refuses.
    """
    if participant.status != ParticipantStatus.APPROVED:
        raise NotApproved(
            f"{participant} is {participant.status}; only approved participants set up payouts."
        )
    participant = connect_account_ensure(participant=participant)
    # A link is single-use and short-lived; every click asks for a new one (hence a fresh key per link).
    link = stripe_client.account_link_create(
        account_id=participant.stripe_account_id,
        refresh_url=refresh_url,
        return_url=return_url,
        idempotency_key=f"account_link:{participant.stripe_account_id}:{uuid.uuid4().hex}",
    )
    return link["url"]


def connect_status_refresh(*, account_id: str) -> Participant | None:
    """Reads the connected account from Stripe and mirrors it onto its participant.

    Returns the participant, or None when no participant of this network has the account (nothing is asked
    of Stripe then). Safe to run any number of times and in any order: it always applies the current state.
    A restriction (payouts off, transfers capability not active, requirements past due) takes the participant
    out of matching and re-plans its unstarted work (participant_connect_update).
    """
    if participant_by_stripe_account(account_id=account_id) is None:
        return None
    account = stripe_client.account_retrieve(account_id=account_id)
    payouts_schedule_ensure_manual(account=account)
    requirements = account.get("requirements") or {}
    capabilities = account.get("capabilities") or {}
    participant = participant_connect_update(
        account_id=account["id"],
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
        transfers_active=capabilities.get("transfers") == "active",
        requirements_due=list(requirements.get("currently_due") or []),
        requirements_past_due=list(requirements.get("past_due") or []),
    )
    if participant is not None and participant.onboarded:
        # Money that was waiting for this account goes out now, not at its next backed-off attempt.
        transfers_resume_for_participant(participant=participant)
    return participant


def payouts_schedule_ensure_manual(*, account: dict) -> None:
    """Participants are paid out by the platform after the hold, so their account's payout schedule is manual:
    accounts created before that rule (or switched back in the Dashboard) are switched when next read."""
    schedule = ((account.get("settings") or {}).get("payouts") or {}).get("schedule") or {}
    if schedule.get("interval") == "manual":
        return
    stripe_client.account_payouts_manual(
        account_id=account["id"], idempotency_key=f"account_payouts_manual:{account['id']}:{uuid.uuid4().hex}"
    )
    logger.info("Connected account %s switched to manual payouts (was %s)", account["id"], schedule)
