"""Reconciliation, step two: every difference still open between the ledger and Stripe.

- amount mismatch: a matched entry's cash or fee postings differ from its transaction's net or fee;
- missing in ledger: money moved at Stripe that the ledger does not know (a transfer made in the Dashboard);
- missing at Stripe: an entry moving platform cash with no balance transaction behind it;
- clearing not zero: a settled order whose clearing account does not balance;
- balance mismatch: the platform cash account differs from Stripe's balance.

A matched pair is compared until its amounts agree, then never again: both sides are immutable (Stripe's
transaction as stored, and a journal entry whose postings are written once; corrections are new entries), so
a pair that agreed once agrees for good, and a run reads only the pairs not yet known to agree instead of
every matched transaction since the first run. A pair that disagrees is compared and reported on every run.

Money in flight is not a difference: unmatched transactions and entries younger than the grace period are
counted as in flight, left out of the lists, and taken out of both sides of the balance comparison.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone

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
)
from apps.payouts.reconciliation.matching import CASH_KINDS


@dataclass
class _InFlight:
    """Money left out of the balance comparison, per currency, and how many transactions and entries."""

    stripe: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ledger: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    count: int = 0


def differences_find(run: ReconciliationRun, *, grace: timedelta) -> list[ReconciliationItem]:
    """The run's items (unsaved). Sets run.matched, run.checked and run.in_flight."""
    cutoff = run.started_at - grace
    in_flight = _InFlight()
    items = [
        *_amount_mismatches(run),
        *_missing_in_ledger(run, cutoff=cutoff, in_flight=in_flight),
        *_missing_at_stripe(run, cutoff=cutoff, in_flight=in_flight),
        *_clearing_not_zero(run),
        *_balance_mismatches(run, in_flight=in_flight),
    ]
    run.in_flight = in_flight.count
    return items


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


def _amount_problems(*, net: int, txn_fee: int, txn_currency: str, cash: int, fee: int, currency: str):
    """How a matched pair disagrees: cash posting = net; fee posting = fee (for entries that book one)."""
    problems = []
    if cash != net:
        problems.append(f"net {net} at Stripe, {cash} in the ledger")
    if txn_fee and fee != txn_fee:
        problems.append(f"fee {txn_fee} at Stripe, {fee} in the ledger")
    if currency and currency != txn_currency:
        problems.append(f"currency {txn_currency} at Stripe, {currency} in the ledger")
    return problems


def _amount_mismatches(run: ReconciliationRun) -> list[ReconciliationItem]:
    """Compares the matched pairs not yet known to agree; marks those that agree so no run reads them again."""
    matched = BalanceTransactionRecord.objects.filter(entry__isnull=False)
    unchecked = list(
        matched.filter(amounts_agreed_at__isnull=True).values_list(
            "pk", "stripe_id", "source", "entry_id", "entry__order_id", "net_minor", "fee_minor", "currency"
        )
    )
    run.matched = matched.count()
    run.checked = len(unchecked)
    amounts = _entry_amounts([row[3] for row in unchecked])
    items, agreed = [], []
    for pk, stripe_id, source, entry_id, order_id, net, txn_fee, txn_currency in unchecked:
        cash, fee, currency = amounts.get(entry_id, (0, 0, ""))
        problems = _amount_problems(
            net=net, txn_fee=txn_fee, txn_currency=txn_currency, cash=cash, fee=fee, currency=currency
        )
        if not problems:
            agreed.append(pk)
            continue
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
    for start in range(0, len(agreed), 5000):
        BalanceTransactionRecord.objects.filter(pk__in=agreed[start : start + 5000]).update(
            amounts_agreed_at=timezone.now()
        )
    return items


def _missing_in_ledger(run: ReconciliationRun, *, cutoff, in_flight: _InFlight) -> list[ReconciliationItem]:
    items = []
    for record in BalanceTransactionRecord.objects.filter(entry__isnull=True).order_by("stripe_created"):
        if record.stripe_created > cutoff.timestamp():
            in_flight.stripe[record.currency] += record.net_minor
            in_flight.count += 1
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
    return items


def _missing_at_stripe(run: ReconciliationRun, *, cutoff, in_flight: _InFlight) -> list[ReconciliationItem]:
    orphans = JournalEntry.objects.filter(
        Q(kind__in=CASH_KINDS) | Q(postings__account__kind=AccountKind.PLATFORM_CASH),
        balance_transaction__isnull=True,
    ).distinct()
    orphan_list = list(orphans.values_list("pk", "stripe_object_id", "order_id", "kind", "created_at"))
    orphan_amounts = _entry_amounts([pk for pk, *_ in orphan_list])
    items = []
    for pk, object_id, order_id, kind, created_at in orphan_list:
        cash, _, currency = orphan_amounts.get(pk, (0, 0, ""))
        if cash == 0 and kind not in CASH_KINDS:
            continue
        if created_at > cutoff:
            in_flight.ledger[currency] += cash
            in_flight.count += 1
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
    return items


def _clearing_not_zero(run: ReconciliationRun) -> list[ReconciliationItem]:
    settled = OrderMoney.objects.filter(settled_at__isnull=False).values("order_id")
    not_zero = (
        Posting.objects.filter(account__kind=AccountKind.ORDER_CLEARING, account__order_id__in=settled)
        .values("account__order_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
    )
    return [
        ReconciliationItem(
            run=run,
            kind=ItemKind.CLEARING_NOT_ZERO,
            order_id=row["account__order_id"],
            currency=row["currency"],
            ledger_amount_minor=row["total"],
            detail="The order is settled but its clearing account does not balance",
        )
        for row in not_zero
    ]


def _balance_mismatches(run: ReconciliationRun, *, in_flight: _InFlight) -> list[ReconciliationItem]:
    items = []
    for currency in sorted(set(run.stripe_balance) | set(run.ledger_balance)):
        stripe_amount = run.stripe_balance.get(currency, 0)
        ledger_amount = run.ledger_balance.get(currency, 0)
        stripe_in_flight, ledger_in_flight = in_flight.stripe[currency], in_flight.ledger[currency]
        if stripe_amount - stripe_in_flight != ledger_amount - ledger_in_flight:
            items.append(
                ReconciliationItem(
                    run=run,
                    kind=ItemKind.BALANCE_MISMATCH,
                    currency=currency,
                    stripe_amount_minor=stripe_amount,
                    ledger_amount_minor=ledger_amount,
                    detail=_balance_detail(stripe_amount, ledger_amount, stripe_in_flight, ledger_in_flight),
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
