"""Payouts: a connected account paying its Stripe balance out to the participant's bank (recorded per account
for the portals), or the platform's own payout (which also moves the platform's cash in the ledger)."""

from __future__ import annotations

from django.db import transaction

from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_platform_payout, book_platform_payout_failed
from apps.payouts.models import ConnectedPayout, PayoutStatus
from apps.payouts.models.order_money import PAYOUT_RANK
from apps.suppliers.models import AssetOwner, Carrier


def _participant_ids(account: str) -> dict:
    if not account:
        return {}
    owner = AssetOwner.objects.filter(stripe_account_id=account).values_list("pk", flat=True).first()
    if owner:
        return {"asset_owner_id": owner}
    carrier = Carrier.objects.filter(stripe_account_id=account).values_list("pk", flat=True).first()
    return {"carrier_id": carrier} if carrier else {}


@transaction.atomic
def payout_record(*, payout: dict, account: str) -> ConnectedPayout | None:
    """Applies a `payout.*` event's payout. Its status only moves forward, so a late `payout.created` never undoes
    `payout.paid`. Payouts of accounts that are not this network's participants are ignored."""
    participant = _participant_ids(account)
    if account and not participant:
        return None
    status = payout.get("status") or PayoutStatus.PENDING
    if status not in PAYOUT_RANK:
        status = PayoutStatus.PENDING
    currency = str(payout["currency"]).upper()
    row, created = ConnectedPayout.objects.select_for_update().get_or_create(
        stripe_payout_id=payout["id"],
        defaults={
            "stripe_account": account,
            "amount_minor": int(payout["amount"]),
            "currency": currency,
            "status": status,
            "arrival_date": from_unix(payout.get("arrival_date")) if payout.get("arrival_date") else None,
            "stripe_created": from_unix(payout.get("created")),
            **participant,
        },
    )
    if not created and PAYOUT_RANK[status] > PAYOUT_RANK[row.status]:
        ConnectedPayout.objects.filter(pk=row.pk).update(
            status=status,
            failure_code=payout.get("failure_code") or "",
            failure_message=(payout.get("failure_message") or "")[:300],
        )
    if not account:
        txn = payout.get("balance_transaction")
        book_platform_payout(
            currency=currency,
            payout_id=payout["id"],
            balance_transaction_id=(txn.get("id") if isinstance(txn, dict) else txn) or "",
            amount_minor=int(payout["amount"]),
            effective_at=from_unix(payout.get("created")),
        )
        if status == PayoutStatus.FAILED:
            failure = payout.get("failure_balance_transaction")
            book_platform_payout_failed(
                currency=currency,
                payout_id=payout["id"],
                balance_transaction_id=(failure.get("id") if isinstance(failure, dict) else failure) or "",
                amount_minor=int(payout["amount"]),
            )
    row.refresh_from_db()
    return row
