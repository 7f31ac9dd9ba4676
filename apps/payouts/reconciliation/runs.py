"""Reconciliation: the ledger against Stripe.

A run fetches the platform's balance transactions since the last cursor and matches each to exactly one journal
entry (by balance transaction id, else by the Stripe object it comes from); the match is stored with unique
keys on both sides, so one transaction never matches two entries or the reverse. Then it lists every
difference still open:
- missing in ledger: money moved at Stripe that the ledger does not know (a transfer made in the Dashboard);
- missing at Stripe: an entry moving platform cash with no balance transaction behind it;
- amount mismatch: the entry's cash or fee postings differ from the transaction's net or fee;
- clearing not zero: a settled order whose clearing account does not balance;
- balance mismatch: the platform cash account differs from Stripe's balance.

Money in flight is not a difference: a transfer exists at Stripe a moment before its entry commits, and an entry
commits a moment before its transaction is listed. Unmatched transactions and entries younger than the grace
period are counted as in flight, left out of the lists, and taken out of both sides of the balance comparison;
the next run matches them or reports them.

Transactions can also be handed in (`transactions=`, `stripe_balance=`): the benchmark reconciles against
synthetic transactions generated in-process instead of listing tens of thousands over HTTP.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from apps.payouts import stripe_client
from apps.payouts.models import (
    AccountKind,
    BalanceTransactionRecord,
    EntryKind,
    ItemKind,
    JournalEntry,
    OrderMoney,
    Posting,
    ReconciliationItem,
    ReconciliationRun,
    RunStatus,
)

logger = logging.getLogger(__name__)

# Unmatched transactions and entries younger than this are in flight, not missing (see the module docstring).
GRACE = timedelta(seconds=60)

# Entry kinds that move platform cash, i.e. that need a balance transaction behind them.
CASH_KINDS = frozenset(
    {
        EntryKind.CHARGE,
        EntryKind.REFUND,
        EntryKind.TRANSFER,
        EntryKind.REVERSAL,
        EntryKind.DISPUTE,
        EntryKind.DISPUTE_WON,
        EntryKind.PLATFORM_PAYOUT,
        EntryKind.PLATFORM_PAYOUT_FAILED,
    }
)


def _last_cursor() -> int | None:
    return (
        ReconciliationRun.objects.exclude(status__in=[RunStatus.RUNNING, RunStatus.ERROR])
        .exclude(cursor_to__isnull=True)
        .order_by("-started_at", "-id")
        .values_list("cursor_to", flat=True)
        .first()
    )


def _stripe_balance() -> dict[str, int]:
    balance = stripe_client.balance_retrieve()
    totals: dict[str, int] = defaultdict(int)
    for bucket in ("available", "pending"):
        for item in balance.get(bucket) or []:
            totals[str(item["currency"]).upper()] += int(item["amount"])
    return dict(totals)


def _store_transactions(transactions: Iterable[dict]) -> tuple[int, int | None]:
    """Stores the listed transactions not seen before; returns (how many were listed, newest `created`)."""
    fetched, newest, batch = 0, None, []
    for txn in transactions:
        fetched += 1
        created = int(txn.get("created") or 0)
        newest = created if newest is None else max(newest, created)
        source = txn.get("source")
        batch.append(
            BalanceTransactionRecord(
                stripe_id=txn["id"],
                type=txn.get("type") or "",
                source=(source.get("id") if isinstance(source, dict) else source) or "",
                amount_minor=int(txn["amount"]),
                fee_minor=int(txn.get("fee") or 0),
                net_minor=int(txn.get("net", int(txn["amount"]) - int(txn.get("fee") or 0))),
                currency=str(txn["currency"]).upper(),
                stripe_created=created,
            )
        )
        if len(batch) >= 1000:
            BalanceTransactionRecord.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        BalanceTransactionRecord.objects.bulk_create(batch, ignore_conflicts=True)
    return fetched, newest


def _candidate_entry(
    record: BalanceTransactionRecord, by_txn: dict, by_object: dict, by_key: dict
) -> int | None:
    """The one entry a transaction belongs to, or None."""
    if record.stripe_id in by_txn:
        return by_txn[record.stripe_id]
    if (
        record.stripe_id in by_object
    ):  # entries named after the transaction itself (dispute won, payout failed)
        return by_object[record.stripe_id]
    if record.type == "payout_failure":
        return by_key.get(f"payout_failed:{record.source}")
    if record.type == "adjustment" and record.amount_minor > 0:
        return by_key.get(f"dispute_won:{record.source}")
    if record.type in ("payout_cancel",):
        return None
    return by_object.get(record.source)


def _match() -> None:
    """Links every unmatched transaction to its entry (one to one, enforced by the unique entry link)."""
    open_records = list(BalanceTransactionRecord.objects.filter(entry__isnull=True))
    if not open_records:
        return
    entries = JournalEntry.objects.filter(kind__in=CASH_KINDS, balance_transaction__isnull=True).values_list(
        "pk", "stripe_object_id", "balance_transaction_id", "key"
    )
    by_txn, by_object, by_key = {}, {}, {}
    for pk, object_id, txn_id, key in entries:
        if txn_id:
            by_txn[txn_id] = pk
        if object_id:
            by_object[object_id] = pk
        if key:
            by_key[key] = pk
    taken: set[int] = set()
    linked = []
    for record in open_records:
        entry_id = _candidate_entry(record, by_txn, by_object, by_key)
        if entry_id is None or entry_id in taken:
            continue
        taken.add(entry_id)
        record.entry_id = entry_id
        linked.append(record)
    BalanceTransactionRecord.objects.bulk_update(linked, ["entry"], batch_size=1000)


def _entry_amounts(entry_ids: list[int]) -> dict[int, tuple[int, int, str]]:
    """entry id → (platform cash total, Stripe fee total, currency of the cash postings)."""
    result: dict[int, list] = defaultdict(lambda: [0, 0, ""])
    for start in range(0, len(entry_ids), 5000):
        rows = (
            Posting.objects.filter(
                entry_id__in=entry_ids[start : start + 5000],
                account__kind__in=[AccountKind.PLATFORM_CASH, AccountKind.STRIPE_FEES],
            )
            .values("entry_id", "account__kind", "currency")
            .annotate(total=Sum("amount_minor"))
        )
        for row in rows:
            slot = result[row["entry_id"]]
            if row["account__kind"] == AccountKind.PLATFORM_CASH:
                slot[0] += row["total"]
                slot[2] = row["currency"]
            else:
                slot[1] += row["total"]
    return {key: tuple(value) for key, value in result.items()}


def _differences(run: ReconciliationRun, *, grace: timedelta) -> list[ReconciliationItem]:
    items: list[ReconciliationItem] = []
    run.in_flight = 0

    # Matched transactions: amounts must agree (cash posting = net; fee posting = fee, for entries that book one).
    matched = list(
        BalanceTransactionRecord.objects.filter(entry__isnull=False).values_list(
            "stripe_id", "source", "entry_id", "entry__order_id", "net_minor", "fee_minor", "currency"
        )
    )
    amounts = _entry_amounts([row[2] for row in matched])
    run.matched = len(matched)
    for stripe_id, source, entry_id, order_id, net, txn_fee, txn_currency in matched:
        cash, fee, currency = amounts.get(entry_id, (0, 0, ""))
        problems = []
        if cash != net:
            problems.append(f"net {net} at Stripe, {cash} in the ledger")
        if txn_fee and fee != txn_fee:
            problems.append(f"fee {txn_fee} at Stripe, {fee} in the ledger")
        if currency and currency != txn_currency:
            problems.append(f"currency {txn_currency} at Stripe, {currency} in the ledger")
        if problems:
            items.append(
                ReconciliationItem(
                    run=run,
                    kind=ItemKind.AMOUNT_MISMATCH,
                    balance_transaction_id=stripe_id,
                    stripe_object_id=source,
                    entry_id=entry_id,
                    order_id=order_id,
                    currency=txn_currency,
                    stripe_amount_minor=net,
                    ledger_amount_minor=cash,
                    detail="; ".join(problems),
                )
            )

    cutoff = run.started_at - grace
    stripe_in_flight: dict[str, int] = defaultdict(int)
    ledger_in_flight: dict[str, int] = defaultdict(int)
    for record in BalanceTransactionRecord.objects.filter(entry__isnull=True).order_by("stripe_created"):
        if record.stripe_created > cutoff.timestamp():
            stripe_in_flight[record.currency] += record.net_minor
            run.in_flight += 1
            continue
        items.append(
            ReconciliationItem(
                run=run,
                kind=ItemKind.MISSING_IN_LEDGER,
                balance_transaction_id=record.stripe_id,
                stripe_object_id=record.source,
                currency=record.currency,
                stripe_amount_minor=record.net_minor,
                detail=f"{record.type} of {record.amount_minor} (fee {record.fee_minor}) has no journal entry",
            )
        )

    orphans = JournalEntry.objects.filter(
        Q(kind__in=CASH_KINDS) | Q(postings__account__kind=AccountKind.PLATFORM_CASH),
        balance_transaction__isnull=True,
    ).distinct()
    orphan_list = list(orphans.values_list("pk", "stripe_object_id", "order_id", "kind", "created_at"))
    orphan_amounts = _entry_amounts([pk for pk, *_ in orphan_list])
    for pk, object_id, order_id, kind, created_at in orphan_list:
        cash, _, currency = orphan_amounts.get(pk, (0, 0, ""))
        if cash == 0 and kind not in CASH_KINDS:
            continue
        if created_at > cutoff:
            ledger_in_flight[currency] += cash
            run.in_flight += 1
            continue
        items.append(
            ReconciliationItem(
                run=run,
                kind=ItemKind.MISSING_AT_STRIPE,
                stripe_object_id=object_id,
                entry_id=pk,
                order_id=order_id,
                currency=currency,
                ledger_amount_minor=cash,
                detail=f"{EntryKind(kind).label} entry #{pk} has no Stripe balance transaction",
            )
        )

    settled = OrderMoney.objects.filter(settled_at__isnull=False).values("order_id")
    not_zero = (
        Posting.objects.filter(account__kind=AccountKind.ORDER_CLEARING, account__order_id__in=settled)
        .values("account__order_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
    )
    for row in not_zero:
        items.append(
            ReconciliationItem(
                run=run,
                kind=ItemKind.CLEARING_NOT_ZERO,
                order_id=row["account__order_id"],
                currency=row["currency"],
                ledger_amount_minor=row["total"],
                detail="The order is settled but its clearing account does not balance",
            )
        )

    for currency in sorted(set(run.stripe_balance) | set(run.ledger_balance)):
        stripe_amount = run.stripe_balance.get(currency, 0)
        ledger_amount = run.ledger_balance.get(currency, 0)
        if stripe_amount - stripe_in_flight[currency] != ledger_amount - ledger_in_flight[currency]:
            items.append(
                ReconciliationItem(
                    run=run,
                    kind=ItemKind.BALANCE_MISMATCH,
                    currency=currency,
                    stripe_amount_minor=stripe_amount,
                    ledger_amount_minor=ledger_amount,
                    detail=_balance_detail(
                        stripe_amount, ledger_amount, stripe_in_flight[currency], ledger_in_flight[currency]
                    ),
                )
            )
    return items


def _balance_detail(
    stripe_amount: int, ledger_amount: int, stripe_in_flight: int, ledger_in_flight: int
) -> str:
    detail = f"Stripe holds {stripe_amount}, the platform cash account {ledger_amount}"
    if stripe_in_flight or ledger_in_flight:
        detail += f" (in flight, left out: {stripe_in_flight} at Stripe, {ledger_in_flight} in the ledger)"
    return detail


def _ledger_cash() -> dict[str, int]:
    rows = (
        Posting.objects.filter(account__kind=AccountKind.PLATFORM_CASH)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {row["currency"]: row["total"] for row in rows}


def reconciliation_start(*, trigger: str, requested_by=None) -> ReconciliationRun:
    return ReconciliationRun.objects.create(trigger=trigger, requested_by=requested_by)


def reconciliation_run(
    *,
    run_id: int | None = None,
    trigger: str = "beat",
    requested_by=None,
    transactions: Iterable[dict] | None = None,
    stripe_balance: dict[str, int] | None = None,
    grace: timedelta = GRACE,
) -> ReconciliationRun:
    """Runs one reconciliation (a fresh run, or the one a finance user asked for). Never raises for Stripe
    errors: the run ends in status `error` with the message."""
    run = (
        ReconciliationRun.objects.get(pk=run_id)
        if run_id
        else reconciliation_start(trigger=trigger, requested_by=requested_by)
    )
    cursor = _last_cursor()
    run.cursor_from = cursor
    try:
        if transactions is None:
            transactions = stripe_client.balance_transactions_iter(created_gte=cursor)
        fetched, newest = _store_transactions(transactions)
        run.fetched = fetched
        run.cursor_to = max(filter(None, [cursor, newest]), default=None)
        with transaction.atomic():
            _match()
            run.stripe_balance = stripe_balance if stripe_balance is not None else _stripe_balance()
            run.ledger_balance = _ledger_cash()
            items = _differences(run, grace=grace)
            ReconciliationItem.objects.filter(run=run).delete()
            ReconciliationItem.objects.bulk_create(items, batch_size=1000)
    except stripe_client.StripeCallError as error:
        logger.warning("Reconciliation %s could not reach Stripe: %s", run.pk, error)
        run.status = RunStatus.ERROR
        run.error = str(error)[:2000]
        run.finished_at = timezone.now()
        run.save()
        return run
    counts = defaultdict(int)
    for item in items:
        counts[item.kind] += 1
    run.missing_in_ledger = counts[ItemKind.MISSING_IN_LEDGER]
    run.missing_at_stripe = counts[ItemKind.MISSING_AT_STRIPE]
    run.amount_mismatch = counts[ItemKind.AMOUNT_MISMATCH]
    run.clearing_not_zero = counts[ItemKind.CLEARING_NOT_ZERO]
    run.balance_mismatch = counts[ItemKind.BALANCE_MISMATCH]
    run.status = RunStatus.DIFFERENCES if items else RunStatus.CLEAN
    run.finished_at = timezone.now()
    run.save()
    return run
