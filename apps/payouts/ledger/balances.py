"""Reads of the ledger: balances per account, per order and per kind."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from apps.payouts.models import AccountKind, EntryKind, Posting


def balances_by_currency(postings) -> dict[str, int]:
    rows = postings.values("currency").annotate(total=Sum("amount_minor")).order_by("currency")
    return {row["currency"]: row["total"] for row in rows}


def account_balance(*, account_id: int) -> int:
    return Posting.objects.filter(account_id=account_id).aggregate(total=Sum("amount_minor"))["total"] or 0


def network_balance(kind: str) -> dict[str, int]:
    """Currency → balance of a network-wide account (platform cash, fees, revenue, …)."""
    return balances_by_currency(Posting.objects.filter(account__kind=kind))


def order_clearing_balance(*, order_id: int) -> dict[str, int]:
    return balances_by_currency(
        Posting.objects.filter(account__kind=AccountKind.ORDER_CLEARING, account__order_id=order_id)
    )


def order_totals(*, order_id: int) -> dict[str, int]:
    """The order's money by movement, from its entries (positive amounts; see the formula in invariant 4):
    charged, refunded, disputed (lost), transferred, reversed, fees, revenue, commission, clearing."""
    totals: dict[str, int] = defaultdict(int)
    postings = Posting.objects.filter(entry__order_id=order_id).values(
        "entry__kind", "account__kind", "amount_minor"
    )
    for row in postings:
        entry_kind, account_kind, amount = row["entry__kind"], row["account__kind"], row["amount_minor"]
        if account_kind == AccountKind.STRIPE_FEES:
            totals["fees"] += amount
        if account_kind == AccountKind.ORDER_CLEARING:
            totals["clearing"] += amount
            if entry_kind == EntryKind.CHARGE:
                totals["charged"] -= amount
            elif entry_kind == EntryKind.REFUND_ALLOCATION:
                totals["refunded"] += amount
            elif entry_kind == EntryKind.DISPUTE_LOST:
                totals["disputed"] += amount
        if account_kind == AccountKind.PLATFORM_CASH:
            if entry_kind == EntryKind.TRANSFER:
                totals["transferred"] -= amount
            elif entry_kind in (EntryKind.REVERSAL, EntryKind.REVERSAL_RECOVERED):
                totals["reversed"] += amount
        if account_kind == AccountKind.PLATFORM_REVENUE:
            totals["revenue"] -= amount
    totals["commission"] = totals["revenue"] - totals["fees"]
    return dict(totals)
