"""Payouts: a connected account paying its Stripe balance out to the participant's bank, or the platform's own
payout (which also moves the platform's cash in the ledger).

Refunds after payouts — the policy. Stripe takes a transfer reversal from the participant's Stripe balance, so a
refund's share can only be taken back while the money is still there. Participants' accounts are therefore on a
**manual payout schedule** (set at creation, and switched when an older account is read: connect/onboarding.py),
and the platform pays them out itself (`participant_payouts_run`, beat, hourly per network) once each order's
**hold** has passed: delivery (or, for work never delivered, the transfer) + the order settings' refund window +
the network's `PayoutHold.hold_days`, with no refund request or dispute still open on the order. A payout pays
the account's available balance minus what it must keep: the money of orders still held and the reversals still
being sent. If a reversal is refused all the same (`balance_insufficient`: a refund after the hold, or an
account paid out by Stripe), it becomes UNRECOVERABLE and is booked as owed by the participant (a receivable,
transfers/reversals.py); before each payout run those reversals are sent again, so the participant's next funds
pay what they owe before anything reaches their bank (netting), and finance sees what is still owed.

A payout the platform requests is a ConnectedPayout row first (key `payout:<id>`), linked to the transfers it
pays; the `payout.*` webhooks and the API answer bring its status. A definitive refusal or a failed bank payout
frees its transfers for the next run.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.currencies import payout_step
from apps.core.singletons import singleton_get
from apps.orders.models import RefundRequest, RefundRequestStatus
from apps.orders.selectors import order_settings_get
from apps.payouts import stripe_client
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_platform_payout, book_platform_payout_failed
from apps.payouts.models import (
    ConnectedPayout,
    Dispute,
    DisputeStatus,
    PayoutHold,
    PayoutStatus,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.models.order_money import PAYOUT_RANK
from apps.payouts.models.transfers import REVERSAL_OPEN, STRIPE_AMOUNT, STRIPE_CURRENCY
from apps.payouts.profit_share.statements import PARTICIPANT_FIELDS
from apps.suppliers.selectors import participant_by_stripe_account

logger = logging.getLogger(__name__)

BATCH = 100


def payout_hold_get() -> PayoutHold:
    return singleton_get(PayoutHold)


def _participant_ids(account: str) -> dict:
    """{"asset_owner_id" / "carrier_id" / "designer_id": pk} of the participant owning the account, or {}."""
    found = participant_by_stripe_account(account_id=account)
    return {PARTICIPANT_FIELDS[found.kind]: found.pk} if found is not None else {}


def _ours(payout: dict) -> ConnectedPayout | None:
    """The row of a payout the platform requested (its metadata names it), locked."""
    ours = (payout.get("metadata") or {}).get("connected_payout_id")
    if not ours or not str(ours).isdigit():
        return None
    return ConnectedPayout.objects.select_for_update().filter(pk=int(ours)).first()


@transaction.atomic
def payout_record(*, payout: dict, account: str) -> ConnectedPayout | None:
    """Applies a `payout.*` event's payout (or the API's answer to our request). Its status only moves forward,
    so a late `payout.created` never undoes `payout.paid`. Payouts of accounts that are not this network's
    participants are ignored."""
    participant = _participant_ids(account)
    if account and not participant:
        return None
    status = payout.get("status") or PayoutStatus.PENDING
    if status not in PAYOUT_RANK:
        status = PayoutStatus.PENDING
    currency = str(payout["currency"]).upper()
    row = _ours(payout)
    if row is not None and not row.stripe_payout_id:
        ConnectedPayout.objects.filter(pk=row.pk).update(
            stripe_payout_id=payout["id"], stripe_created=from_unix(payout.get("created"))
        )
    if row is None:
        row, _ = ConnectedPayout.objects.select_for_update().get_or_create(
            stripe_payout_id=payout["id"],
            defaults={
                "stripe_account": account,
                "amount_minor": int(payout["amount"]),
                "currency": currency,
                "status": status,
                "arrival_date": from_unix(payout["arrival_date"]) if payout.get("arrival_date") else None,
                "stripe_created": from_unix(payout.get("created")),
                **participant,
            },
        )
    if PAYOUT_RANK[status] > PAYOUT_RANK[row.status]:
        ConnectedPayout.objects.filter(pk=row.pk).update(
            status=status,
            arrival_date=from_unix(payout["arrival_date"]) if payout.get("arrival_date") else None,
            failure_code=payout.get("failure_code") or "",
            failure_message=(payout.get("failure_message") or "")[:300],
        )
        if status in (PayoutStatus.FAILED, PayoutStatus.CANCELED):
            # The money went back to the participant's Stripe balance: the next run pays it out again.
            Transfer.objects.filter(payout=row).update(payout=None, updated_at=timezone.now())
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


# --- participants paid out after the hold ----------------------------------------------------------------


def transfer_hold_ends(transfer: Transfer, *, window_days: int, hold_days: int) -> datetime | None:
    """When the transfer's money may be paid out to the participant's bank (None: not yet known)."""
    start = transfer.order.delivered_at or transfer.sent_at
    if start is None:
        return None
    return start + timedelta(days=window_days + hold_days)


def _orders_with_open_claims(order_ids) -> set[int]:
    """Orders whose money may still be asked back: an open refund request or an open dispute."""
    refunds = RefundRequest.objects.filter(order_id__in=order_ids, status=RefundRequestStatus.OPEN)
    disputes = Dispute.objects.filter(order_id__in=order_ids, status=DisputeStatus.OPEN)
    return set(refunds.values_list("order_id", flat=True)) | set(disputes.values_list("order_id", flat=True))


def _claimed(transfer_ids) -> dict:
    """Per transfer, what reversals (sent, being sent or owed) take from it, in the transfer's currency."""
    rows = (
        Reversal.objects.filter(transfer_id__in=transfer_ids)
        .exclude(status=ReversalStatus.CANCELLED)
        .values("transfer_id")
        .annotate(total=Sum(STRIPE_AMOUNT))
    )
    return {row["transfer_id"]: row["total"] for row in rows}


def _available(account: str) -> dict[str, int]:
    balance = stripe_client.balance_retrieve(stripe_account=account)
    return {str(b["currency"]).upper(): int(b["amount"]) for b in balance.get("available") or []}


def _whole_balance(account: str) -> dict[str, int]:
    """Available + pending per currency: what a transfer reversal may take from."""
    balance = stripe_client.balance_retrieve(stripe_account=account)
    totals: dict[str, int] = defaultdict(int)
    for bucket in ("available", "pending"):
        for entry in balance.get(bucket) or []:
            totals[str(entry["currency"]).upper()] += int(entry["amount"])
    return totals


def participant_payout_request(*, account: str, now: datetime | None = None) -> list[int]:
    """Requests the payout of one participant's free money, per currency; returns the new rows' ids.

    Free = the account's available balance − the money of its orders still held − its reversals still being
    sent. The transfers whose hold has passed are linked to the payout (what it pays)."""
    now = now or timezone.now()
    hold_days = payout_hold_get().hold_days
    window_days = order_settings_get().refund_window_days
    available = _available(account)
    created = []
    with transaction.atomic():
        transfers = list(
            Transfer.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(destination=account, status=TransferStatus.SENT, payout__isnull=True)
        )
        claimed = _claimed([t.pk for t in transfers])
        still_claimable = _orders_with_open_claims({t.order_id for t in transfers})
        kept: dict[str, int] = defaultdict(int)
        due: dict[str, list[Transfer]] = defaultdict(list)
        for transfer in transfers:
            ends = transfer_hold_ends(transfer, window_days=window_days, hold_days=hold_days)
            if ends is None or ends > now or transfer.order_id in still_claimable:
                kept[transfer.stripe_currency] += transfer.stripe_amount_minor - claimed.get(transfer.pk, 0)
            else:
                due[transfer.stripe_currency].append(transfer)
        in_flight = (
            Reversal.objects.filter(transfer__destination=account, status__in=REVERSAL_OPEN)
            .annotate(at_stripe_currency=STRIPE_CURRENCY)
            .values("at_stripe_currency")
            .annotate(total=Sum(STRIPE_AMOUNT))
        )
        for row in in_flight:
            kept[row["at_stripe_currency"]] += row["total"]
        participant = _participant_ids(account)
        for currency, transfers_due in due.items():
            amount = available.get(currency, 0) - kept[currency]
            amount -= amount % payout_step(currency)  # HUF, TWD: whole units only; the rest waits
            if amount <= 0:
                continue
            key = f"payout:{uuid.uuid4()}"
            row = ConnectedPayout.objects.create(
                stripe_account=account,
                amount_minor=amount,
                currency=currency,
                status=PayoutStatus.REQUESTED,
                requested_at=now,
                idempotency_key=key,
                **participant,
            )
            Transfer.objects.filter(pk__in=[t.pk for t in transfers_due]).update(
                payout=row, updated_at=timezone.now()
            )
            created.append(row.pk)
    for payout_id in created:
        participant_payout_send(payout_id=payout_id)
    return created


def participant_payout_send(*, payout_id: int) -> ConnectedPayout | None:
    """Sends a requested payout (again, with its key, after an outage). Safe to call any number of times."""
    with transaction.atomic():
        row = (
            ConnectedPayout.objects.select_for_update(skip_locked=True)
            .filter(pk=payout_id, status=PayoutStatus.REQUESTED)
            .first()
        )
        if row is None:
            return None
        try:
            result = stripe_client.payout_create(
                amount_minor=row.amount_minor,
                currency=row.currency,
                stripe_account=row.stripe_account,
                metadata={"connected_payout_id": str(row.pk), "network": connection.schema_name},
                idempotency_key=row.idempotency_key,
            )
        except stripe_client.StripeCallError as error:
            fields = {"failure_code": (error.code or str(error.http_status or "network"))[:100]}
            fields["failure_message"] = str(error)[:300]
            if error.nothing_created:  # Stripe refused it: free its transfers for the next run
                fields["status"] = PayoutStatus.FAILED
                Transfer.objects.filter(payout=row).update(payout=None, updated_at=timezone.now())
            ConnectedPayout.objects.filter(pk=row.pk).update(**fields)
            logger.warning("Payout %s of %s failed: %s", row.pk, row.stripe_account, error)
            return row
    return payout_record(payout=result, account=row.stripe_account)


def participant_payouts_run(*, now: datetime | None = None) -> dict:
    """The hourly payout run: requested payouts an outage left unanswered are sent again with their key, owed
    reversals are sent again (the participant's new funds pay them first), then every participant with money
    past its hold is paid out."""
    from apps.payouts.transfers.reversals import reversal_send

    now = now or timezone.now()
    done = {"resent": 0, "recovered": 0, "payouts": 0}
    for payout_id in ConnectedPayout.objects.filter(status=PayoutStatus.REQUESTED).values_list(
        "pk", flat=True
    )[:BATCH]:
        done["resent"] += bool(participant_payout_send(payout_id=payout_id))
    accounts = set()
    balances: dict[str, dict[str, int]] = {}
    for reversal_id, account, amount, currency in (
        Reversal.objects.filter(status=ReversalStatus.UNRECOVERABLE)
        .annotate(at_stripe_amount=STRIPE_AMOUNT, at_stripe_currency=STRIPE_CURRENCY)
        .values_list("pk", "transfer__destination", "at_stripe_amount", "at_stripe_currency")[:BATCH]
    ):
        accounts.add(account)
        try:
            if account not in balances:
                balances[account] = _whole_balance(account)
        except stripe_client.StripeCallError as error:
            logger.warning("Payout run: balance of %s not read: %s", account, error)
            continue
        if balances[account].get(currency, 0) < amount:
            continue  # Stripe would refuse again: wait for the participant's next funds
        if reversal_send(reversal_id=reversal_id, recover=True).status == ReversalStatus.SENT:
            done["recovered"] += 1
            balances[account][currency] -= amount
    accounts |= set(
        Transfer.objects.filter(status=TransferStatus.SENT, payout__isnull=True)
        .exclude(destination="")
        .values_list("destination", flat=True)
        .distinct()[:BATCH]
    )
    for account in sorted(accounts):
        try:
            done["payouts"] += len(participant_payout_request(account=account, now=now))
        except stripe_client.StripeCallError as error:
            logger.warning("Payout run: %s not paid out now: %s", account, error)
    return done
