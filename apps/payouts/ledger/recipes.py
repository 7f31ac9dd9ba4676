"""Which accounts each business event moves (debit +, credit −). One function per event; each posts once.

    charge             cash +net, fees +fee, clearing(order) −gross                     [ch_]
    refund             refunds +amount, fees +fee, cash −(amount + fee)                  [re_]
    refund allocation  clearing(order) +amount, refunds −amount                          (key)
    transfer release   clearing(order) +amount, payable(participant) −amount             (key)
    transfer           payable +amount, cash −amount                                     [tr_]
    transfer void      payable +amount, clearing −amount                                 (key)
    reversal claim     payable +amount, clearing −amount                                 (key)
    reversal           cash +amount, payable −amount                                     [trr_]
    reversal void      clearing +amount, payable −amount                                 (key)
    dispute            disputes +amount, fees +fee, cash −(amount + fee)                 [dp_]
    dispute lost       clearing +amount, disputes −amount                                (key)
    dispute won        cash +amount, disputes −amount                                    [txn_]
    settlement         clearing −balance, revenue +balance (clearing ends at zero)       (key)
    platform payout    bank +amount, cash −amount                                        [po_]

Transit accounts (refunds, disputes, payables) are zero when nothing is in flight: a non-zero balance is work
still to do (a transfer not yet sent, a dispute not yet decided). For a settled order,
charge − refunds − disputes − transfers + reversals − fees = platform commission, and its clearing is zero.
"""

from __future__ import annotations

from datetime import datetime

from apps.payouts.ledger.posting import (
    Line,
    clearing_account,
    journal_entry_post,
    network_account,
    payable_account,
)
from apps.payouts.models import AccountKind, EntryKind, JournalEntry

A = AccountKind


def book_charge(
    *,
    order_id: int,
    currency: str,
    charge_id: str,
    balance_transaction_id: str,
    amount_minor: int,
    fee_minor: int,
    effective_at: datetime | None = None,
) -> tuple[JournalEntry, bool]:
    return journal_entry_post(
        kind=EntryKind.CHARGE,
        order_id=order_id,
        lines=[
            Line(network_account(A.PLATFORM_CASH, currency), amount_minor - fee_minor),
            Line(network_account(A.STRIPE_FEES, currency), fee_minor),
            Line(clearing_account(order_id=order_id, currency=currency), -amount_minor),
        ],
        stripe_object_id=charge_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Payment {charge_id}",
    )


def book_refund(
    *,
    order_id: int | None,
    currency: str,
    refund_id: str,
    balance_transaction_id: str,
    amount_minor: int,
    fee_minor: int = 0,
    effective_at: datetime | None = None,
) -> tuple[JournalEntry, bool]:
    return journal_entry_post(
        kind=EntryKind.REFUND,
        order_id=order_id,
        lines=[
            Line(network_account(A.REFUNDS, currency), amount_minor),
            Line(network_account(A.STRIPE_FEES, currency), fee_minor),
            Line(network_account(A.PLATFORM_CASH, currency), -(amount_minor + fee_minor)),
        ],
        stripe_object_id=refund_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Refund {refund_id}",
    )


def book_refund_allocation(*, order_id: int, currency: str, refund_id: str, amount_minor: int):
    return journal_entry_post(
        kind=EntryKind.REFUND_ALLOCATION,
        order_id=order_id,
        lines=[
            Line(clearing_account(order_id=order_id, currency=currency), amount_minor),
            Line(network_account(A.REFUNDS, currency), -amount_minor),
        ],
        key=f"refund_allocation:{refund_id}",
        memo=f"Refund {refund_id} charged to its order",
    )


def _payable(transfer) -> Line:
    return payable_account(
        currency=transfer.currency, asset_owner_id=transfer.asset_owner_id, carrier_id=transfer.carrier_id
    )


def book_transfer_release(*, transfer) -> tuple[JournalEntry, bool]:
    clearing = clearing_account(order_id=transfer.order_id, currency=transfer.currency)
    return journal_entry_post(
        kind=EntryKind.TRANSFER_RELEASE,
        order_id=transfer.order_id,
        lines=[Line(clearing, transfer.amount_minor), Line(_payable(transfer), -transfer.amount_minor)],
        key=f"transfer_release:{transfer.pk}",
        memo=f"Released for {transfer.source_label}",
    )


def book_transfer_sent(
    *, transfer, stripe_transfer_id: str, balance_transaction_id: str, effective_at: datetime | None = None
) -> tuple[JournalEntry, bool]:
    return journal_entry_post(
        kind=EntryKind.TRANSFER,
        order_id=transfer.order_id,
        lines=[
            Line(_payable(transfer), transfer.amount_minor),
            Line(network_account(A.PLATFORM_CASH, transfer.currency), -transfer.amount_minor),
        ],
        stripe_object_id=stripe_transfer_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Transfer {stripe_transfer_id} for {transfer.source_label}",
    )


def book_transfer_void(*, transfer) -> tuple[JournalEntry, bool]:
    clearing = clearing_account(order_id=transfer.order_id, currency=transfer.currency)
    return journal_entry_post(
        kind=EntryKind.TRANSFER_VOID,
        order_id=transfer.order_id,
        lines=[Line(_payable(transfer), transfer.amount_minor), Line(clearing, -transfer.amount_minor)],
        key=f"transfer_void:{transfer.pk}",
        memo=f"Release for {transfer.source_label} cancelled",
    )


def book_reversal_claim(*, reversal, transfer) -> tuple[JournalEntry, bool]:
    clearing = clearing_account(order_id=transfer.order_id, currency=transfer.currency)
    return journal_entry_post(
        kind=EntryKind.REVERSAL_CLAIM,
        order_id=transfer.order_id,
        lines=[Line(_payable(transfer), reversal.amount_minor), Line(clearing, -reversal.amount_minor)],
        key=f"reversal_claim:{reversal.pk}",
        memo=f"Reversal claimed from {transfer.source_label}",
    )


def book_reversal_sent(
    *,
    reversal,
    transfer,
    stripe_reversal_id: str,
    balance_transaction_id: str,
    effective_at: datetime | None = None,
) -> tuple[JournalEntry, bool]:
    return journal_entry_post(
        kind=EntryKind.REVERSAL,
        order_id=transfer.order_id,
        lines=[
            Line(network_account(A.PLATFORM_CASH, transfer.currency), reversal.amount_minor),
            Line(_payable(transfer), -reversal.amount_minor),
        ],
        stripe_object_id=stripe_reversal_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Reversal {stripe_reversal_id} of {transfer.stripe_transfer_id}",
    )


def book_reversal_void(*, reversal, transfer) -> tuple[JournalEntry, bool]:
    clearing = clearing_account(order_id=transfer.order_id, currency=transfer.currency)
    return journal_entry_post(
        kind=EntryKind.REVERSAL_VOID,
        order_id=transfer.order_id,
        lines=[Line(clearing, reversal.amount_minor), Line(_payable(transfer), -reversal.amount_minor)],
        key=f"reversal_void:{reversal.pk}",
        memo="Reversal claim cancelled",
    )


def book_dispute(
    *,
    order_id: int | None,
    currency: str,
    dispute_id: str,
    balance_transaction_id: str,
    amount_minor: int,
    fee_minor: int,
    effective_at: datetime | None = None,
) -> tuple[JournalEntry, bool]:
    return journal_entry_post(
        kind=EntryKind.DISPUTE,
        order_id=order_id,
        lines=[
            Line(network_account(A.DISPUTES, currency), amount_minor),
            Line(network_account(A.STRIPE_FEES, currency), fee_minor),
            Line(network_account(A.PLATFORM_CASH, currency), -(amount_minor + fee_minor)),
        ],
        stripe_object_id=dispute_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Dispute {dispute_id}: funds withdrawn",
    )


def book_dispute_lost(*, order_id: int, currency: str, dispute_id: str, amount_minor: int):
    return journal_entry_post(
        kind=EntryKind.DISPUTE_LOST,
        order_id=order_id,
        lines=[
            Line(clearing_account(order_id=order_id, currency=currency), amount_minor),
            Line(network_account(A.DISPUTES, currency), -amount_minor),
        ],
        key=f"dispute_lost:{dispute_id}",
        memo=f"Dispute {dispute_id} lost",
    )


def book_dispute_won(
    *,
    order_id: int | None,
    currency: str,
    dispute_id: str,
    balance_transaction_id: str,
    amount_minor: int,
    effective_at: datetime | None = None,
):
    return journal_entry_post(
        kind=EntryKind.DISPUTE_WON,
        order_id=order_id,
        lines=[
            Line(network_account(A.PLATFORM_CASH, currency), amount_minor),
            Line(network_account(A.DISPUTES, currency), -amount_minor),
        ],
        stripe_object_id=balance_transaction_id or f"{dispute_id}:won",
        balance_transaction_id=balance_transaction_id,
        key=f"dispute_won:{dispute_id}",
        effective_at=effective_at,
        memo=f"Dispute {dispute_id} won: funds reinstated",
    )


def book_settlement(*, order_id: int, currency: str, clearing_balance: int, sequence: int):
    """Closes the order's clearing account into revenue. `clearing_balance` is its balance (credit negative)."""
    return journal_entry_post(
        kind=EntryKind.SETTLEMENT,
        order_id=order_id,
        lines=[
            Line(clearing_account(order_id=order_id, currency=currency), -clearing_balance),
            Line(network_account(A.PLATFORM_REVENUE, currency), clearing_balance),
        ],
        key=f"settlement:{order_id}:{sequence}",
        memo="Order settled: remaining money recognised as platform revenue",
    )


def book_platform_payout(
    *, currency: str, payout_id: str, balance_transaction_id: str, amount_minor: int, effective_at=None
):
    return journal_entry_post(
        kind=EntryKind.PLATFORM_PAYOUT,
        lines=[
            Line(network_account(A.PLATFORM_BANK, currency), amount_minor),
            Line(network_account(A.PLATFORM_CASH, currency), -amount_minor),
        ],
        stripe_object_id=payout_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Payout {payout_id} to the platform's bank",
    )


def book_platform_payout_failed(
    *, currency: str, payout_id: str, balance_transaction_id: str, amount_minor: int, effective_at=None
):
    return journal_entry_post(
        kind=EntryKind.PLATFORM_PAYOUT_FAILED,
        lines=[
            Line(network_account(A.PLATFORM_CASH, currency), amount_minor),
            Line(network_account(A.PLATFORM_BANK, currency), -amount_minor),
        ],
        stripe_object_id=balance_transaction_id or f"{payout_id}:failed",
        balance_transaction_id=balance_transaction_id,
        key=f"payout_failed:{payout_id}",
        effective_at=effective_at,
        memo=f"Payout {payout_id} failed: money back on the platform balance",
    )
