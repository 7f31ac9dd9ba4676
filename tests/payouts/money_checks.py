"""The money invariants as reusable checks (used by the lifecycle tests and the property test)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Sum

from apps.payouts.ledger.balances import order_clearing_balance, order_totals
from apps.payouts.models import (
    AccountKind,
    CustomerRefund,
    JournalEntry,
    OrderMoney,
    Posting,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.reconciliation.runs import reconciliation_run
from tests.payouts.money_builders import platform_get


def unbalanced_entries() -> list:
    """Invariant 1: (entry, currency) pairs whose postings do not sum to zero."""
    return list(
        Posting.objects.values("entry_id", "currency").annotate(total=Sum("amount_minor")).exclude(total=0)
    )


def ledger_snapshot() -> tuple:
    """Everything in the ledger, to compare before and after replays (invariant 6)."""
    entries = tuple(
        JournalEntry.objects.order_by("pk").values_list("pk", "kind", "stripe_object_id", "key", "order_id")
    )
    postings = tuple(
        Posting.objects.order_by("pk").values_list("pk", "entry_id", "account_id", "amount_minor", "currency")
    )
    return entries, postings


def stripe_transfers(order_id: int) -> list[dict]:
    return platform_get("/v1/transfers", transfer_group=f"order_{order_id}", limit=100)["data"]


def settled_order_identity(order_id: int) -> dict:
    """Invariant 4 from the Stripe side: charge − refunds − disputes − transfers + reversals − fees, computed from
    the local Stripe server's objects, equals the commission the ledger recognised; the clearing account is 0."""
    money = OrderMoney.objects.get(order_id=order_id)
    assert money.settled_at is not None, "order is not settled"
    totals = order_totals(order_id=order_id)
    clearing = order_clearing_balance(order_id=order_id)
    assert all(v == 0 for v in clearing.values()), clearing
    transfers = stripe_transfers(order_id)
    transferred = sum(t["amount"] for t in transfers)
    reversed_ = sum(t["amount_reversed"] for t in transfers)
    charges = platform_get("/v1/charges", transfer_group=f"order_{order_id}", limit=100)["data"]
    charged = sum(c["amount"] for c in charges if c["status"] == "succeeded")
    refunded = sum(c["amount_refunded"] for c in charges)
    txns = platform_get("/v1/balance_transactions", limit=100)["data"]
    charge_ids = {c["id"] for c in charges}
    fees = sum(t["fee"] for t in txns if t["source"] in charge_ids)
    disputed = 0
    for dispute in platform_get("/v1/disputes", limit=100)["data"]:
        if dispute["charge"] in charge_ids:
            fees += sum(t["fee"] for t in dispute["balance_transactions"])
            if dispute["status"] == "lost":
                disputed += dispute["amount"]
    commission = charged - refunded - disputed - transferred + reversed_ - fees
    assert commission == totals.get("commission", 0), (commission, totals)
    return {
        "commission": commission,
        "charged": charged,
        "refunded": refunded,
        "transferred": transferred,
        "reversed": reversed_,
        "fees": fees,
        "disputed": disputed,
    }


def funding_respected(order_id: int) -> None:
    """Invariant 5: what went to participants never exceeds what the order's charge funded."""
    money = OrderMoney.objects.get(order_id=order_id)
    sent = Transfer.objects.filter(order_id=order_id, status=TransferStatus.SENT).aggregate(
        t=Sum("amount_minor"), r=Sum("amount_reversed_minor")
    )
    refunded = (
        CustomerRefund.objects.filter(order_id=order_id, charge_id=money.charge_id).aggregate(
            t=Sum("amount_minor")
        )["t"]
        or 0
    )
    assert (sent["t"] or 0) - (sent["r"] or 0) <= money.paid_minor
    in_flight = (
        Reversal.objects.filter(transfer__order_id=order_id)
        .exclude(status=ReversalStatus.CANCELLED)
        .aggregate(t=Sum("amount_minor"))["t"]
        or 0
    )
    assert (sent["t"] or 0) - in_flight <= money.paid_minor - refunded


def reconciles_clean():
    """Invariant 3: every platform balance transaction ↔ exactly one entry; no difference of any kind."""
    run = reconciliation_run(trigger="test", grace=timedelta(0))
    items = list(run.items.values_list("kind", "detail"))
    assert run.status == "clean", items
    cash_entries = (
        JournalEntry.objects.filter(postings__account__kind=AccountKind.PLATFORM_CASH).distinct().count()
    )
    assert run.matched == cash_entries
    return run
