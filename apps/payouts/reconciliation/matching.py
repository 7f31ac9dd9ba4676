"""Reconciliation, step one: store Stripe's balance transactions and link each to the one journal entry it
belongs to (by balance transaction id, else by the Stripe object it comes from). The link is unique on both
sides, so one transaction never matches two entries or the reverse."""

from __future__ import annotations

from collections.abc import Iterable

from apps.payouts.models import BalanceTransactionRecord, EntryKind, JournalEntry

# Entry kinds that move platform cash, i.e. that need a balance transaction behind them.
CASH_KINDS = frozenset(
    {
        EntryKind.CHARGE,
        EntryKind.REFUND,
        EntryKind.TRANSFER,
        EntryKind.REVERSAL,
        EntryKind.REVERSAL_RECOVERED,
        EntryKind.DISPUTE,
        EntryKind.DISPUTE_WON,
        EntryKind.PLATFORM_PAYOUT,
        EntryKind.PLATFORM_PAYOUT_FAILED,
    }
)


def transactions_store(transactions: Iterable[dict]) -> tuple[int, int | None]:
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


def transactions_match() -> None:
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
