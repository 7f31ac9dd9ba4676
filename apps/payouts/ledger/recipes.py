"""Which accounts each business event moves (debit +, credit −). One function per event; each posts once.

    charge             cash +net, fees +fee, clearing(order) −gross                     [ch_]
                       (settled in another currency S: conversion(C) +gross, conversion(S) −settled,
                        and cash, fees in S — Stripe's fee is in the balance transaction's currency)
    refund             refunds +amount, fees +fee, cash −(amount + fee)                  [re_]
    refund allocation  clearing(order) +amount, refunds −amount                          (key)
    transfer release   clearing(order) +amount, payable(participant) −amount             (key)
    transfer           payable +amount, cash −amount                                     [tr_]
                       (charge settled in S: cash −sent in S, conversion(C) −amount, conversion(S) +sent;
                        the same for reversals and recovered shares, the other way round)
    transfer void      payable +amount, clearing −amount                                 (key)
    reversal claim     payable +amount, clearing −amount                                 (key)
    reversal           cash +amount, payable −amount                                     [trr_]
    reversal void      clearing +amount, payable −amount                                 (key)
    reversal refused   receivable(participant) +amount, payable −amount                  (key)
    owed recovered     cash +amount, receivable −amount                                  [trr_]
    dispute            disputes +amount, fees +fee, cash −(amount + fee)                 [dp_]
    dispute lost       clearing +amount, disputes −amount                                (key)
    dispute won        cash +amount, disputes −amount                                    [txn_]
    settlement         clearing −balance, revenue +balance (clearing ends at zero)       (key)
    platform payout    bank +amount, cash −amount                                        [po_]

Transit accounts (refunds, disputes, payables) are zero when nothing is in flight: a non-zero balance is work
still to do (a transfer not yet sent, a dispute not yet decided). A receivable is money a participant owes: the
share of a refund Stripe would not reverse because their balance had been paid out (recovered from their next
funds before their next payout, see connect/bank_payouts.py). For a settled order,
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
    receivable_account,
)
from apps.payouts.models import AccountKind, EntryKind, JournalEntry, LedgerAccount

A = AccountKind


# The three shapes every entry below takes; each recipe only names its accounts, amounts and idempotency.


def _move(
    *,
    kind: str,
    order_id: int | None,
    debit: LedgerAccount,
    credit: LedgerAccount,
    amount_minor: int,
    **entry,
) -> tuple[JournalEntry, bool]:
    """`amount_minor` from `credit` to `debit`. `entry`: its Stripe ids or key, effective time and memo."""
    return journal_entry_post(
        kind=kind,
        order_id=order_id,
        lines=[Line(debit, amount_minor), Line(credit, -amount_minor)],
        **entry,
    )


def _withdrawal_with_fee(
    *,
    kind: str,
    order_id: int | None,
    currency: str,
    account: str,
    amount_minor: int,
    fee_minor: int,
    **entry,
) -> tuple[JournalEntry, bool]:
    """Stripe takes `amount_minor` (into the transit `account`) and its fee out of the platform's cash."""
    return journal_entry_post(
        kind=kind,
        order_id=order_id,
        lines=[
            Line(network_account(account, currency), amount_minor),
            Line(network_account(A.STRIPE_FEES, currency), fee_minor),
            Line(network_account(A.PLATFORM_CASH, currency), -(amount_minor + fee_minor)),
        ],
        **entry,
    )


def _through_cash(
    *,
    kind: str,
    order_id: int | None,
    account: LedgerAccount,
    amount_minor: int,
    cash_currency: str,
    cash_minor: int,
    **entry,
) -> tuple[JournalEntry, bool]:
    """`account` (in its currency) +`amount_minor`, the platform's cash −`cash_minor` in `cash_currency` (both
    negative for money coming back). When the currencies differ (Stripe moved a converted charge's money in
    its settlement currency), the currency-conversion account balances each currency."""
    conversion = []
    if cash_currency != account.currency:
        conversion = [
            Line(network_account(A.CURRENCY_CONVERSION, account.currency), -amount_minor),
            Line(network_account(A.CURRENCY_CONVERSION, cash_currency), cash_minor),
        ]
    lines = [
        Line(account, amount_minor),
        *conversion,
        Line(network_account(A.PLATFORM_CASH, cash_currency), -cash_minor),
    ]
    # Debits first, as every entry of this table lists them.
    lines.sort(key=lambda line: line.amount_minor < 0)
    return journal_entry_post(kind=kind, order_id=order_id, lines=lines, **entry)


def _clearing(order_id: int, currency: str) -> LedgerAccount:
    return clearing_account(order_id=order_id, currency=currency)


def _payable(transfer) -> LedgerAccount:
    return payable_account(
        currency=transfer.currency,
        asset_owner_id=transfer.asset_owner_id,
        carrier_id=transfer.carrier_id,
        designer_id=transfer.designer_id,
    )


def book_charge(
    *,
    order_id: int,
    currency: str,
    charge_id: str,
    balance_transaction_id: str,
    amount_minor: int,
    fee_minor: int,
    effective_at: datetime | None = None,
    settled_currency: str = "",
    settled_minor: int | None = None,
) -> tuple[JournalEntry, bool]:
    """`amount_minor` in the charge `currency`; `fee_minor` in `settled_currency` (the balance transaction's),
    where Stripe landed `settled_minor`. Without them the charge settled as charged."""
    settled_currency = settled_currency or currency
    settled = amount_minor if settled_minor is None else settled_minor
    conversion = []
    if settled_currency != currency:
        conversion = [
            Line(network_account(A.CURRENCY_CONVERSION, currency), amount_minor),
            Line(network_account(A.CURRENCY_CONVERSION, settled_currency), -settled),
        ]
    return journal_entry_post(
        kind=EntryKind.CHARGE,
        order_id=order_id,
        lines=[
            Line(network_account(A.PLATFORM_CASH, settled_currency), settled - fee_minor),
            Line(network_account(A.STRIPE_FEES, settled_currency), fee_minor),
            *conversion,
            Line(_clearing(order_id, currency), -amount_minor),
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
    return _withdrawal_with_fee(
        kind=EntryKind.REFUND,
        order_id=order_id,
        currency=currency,
        account=A.REFUNDS,
        amount_minor=amount_minor,
        fee_minor=fee_minor,
        stripe_object_id=refund_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Refund {refund_id}",
    )


def book_refund_allocation(*, order_id: int, currency: str, refund_id: str, amount_minor: int):
    return _move(
        kind=EntryKind.REFUND_ALLOCATION,
        order_id=order_id,
        debit=_clearing(order_id, currency),
        credit=network_account(A.REFUNDS, currency),
        amount_minor=amount_minor,
        key=f"refund_allocation:{refund_id}",
        memo=f"Refund {refund_id} charged to its order",
    )


def book_transfer_release(*, transfer) -> tuple[JournalEntry, bool]:
    return _move(
        kind=EntryKind.TRANSFER_RELEASE,
        order_id=transfer.order_id,
        debit=_clearing(transfer.order_id, transfer.currency),
        credit=_payable(transfer),
        amount_minor=transfer.amount_minor,
        key=f"transfer_release:{transfer.pk}",
        memo=f"Released for {transfer.source_label}",
    )


def book_transfer_sent(
    *, transfer, stripe_transfer_id: str, balance_transaction_id: str, effective_at: datetime | None = None
) -> tuple[JournalEntry, bool]:
    return _through_cash(
        kind=EntryKind.TRANSFER,
        order_id=transfer.order_id,
        account=_payable(transfer),
        amount_minor=transfer.amount_minor,
        cash_currency=transfer.stripe_currency,
        cash_minor=transfer.stripe_amount_minor,
        stripe_object_id=stripe_transfer_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Transfer {stripe_transfer_id} for {transfer.source_label}",
    )


def book_transfer_void(*, transfer) -> tuple[JournalEntry, bool]:
    return _move(
        kind=EntryKind.TRANSFER_VOID,
        order_id=transfer.order_id,
        debit=_payable(transfer),
        credit=_clearing(transfer.order_id, transfer.currency),
        amount_minor=transfer.amount_minor,
        key=f"transfer_void:{transfer.pk}",
        memo=f"Release for {transfer.source_label} cancelled",
    )


def book_reversal_claim(*, reversal, transfer) -> tuple[JournalEntry, bool]:
    return _move(
        kind=EntryKind.REVERSAL_CLAIM,
        order_id=transfer.order_id,
        debit=_payable(transfer),
        credit=_clearing(transfer.order_id, transfer.currency),
        amount_minor=reversal.amount_minor,
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
    return _through_cash(
        kind=EntryKind.REVERSAL,
        order_id=transfer.order_id,
        account=_payable(transfer),
        amount_minor=-reversal.amount_minor,
        cash_currency=reversal.stripe_currency,
        cash_minor=-reversal.stripe_amount_minor,
        stripe_object_id=stripe_reversal_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Reversal {stripe_reversal_id} of {transfer.stripe_transfer_id}",
    )


def book_reversal_void(*, reversal, transfer) -> tuple[JournalEntry, bool]:
    return _move(
        kind=EntryKind.REVERSAL_VOID,
        order_id=transfer.order_id,
        debit=_clearing(transfer.order_id, transfer.currency),
        credit=_payable(transfer),
        amount_minor=reversal.amount_minor,
        key=f"reversal_void:{reversal.pk}",
        memo="Reversal claim cancelled",
    )


def _receivable(transfer) -> LedgerAccount:
    return receivable_account(
        currency=transfer.currency,
        asset_owner_id=transfer.asset_owner_id,
        carrier_id=transfer.carrier_id,
        designer_id=transfer.designer_id,
    )


def book_reversal_unrecoverable(*, reversal, transfer) -> tuple[JournalEntry, bool]:
    """Stripe refused the reversal (the participant's balance was paid out): the claim becomes a debt."""
    return _move(
        kind=EntryKind.REVERSAL_UNRECOVERABLE,
        order_id=transfer.order_id,
        debit=_receivable(transfer),
        credit=_payable(transfer),
        amount_minor=reversal.amount_minor,
        key=f"reversal_unrecoverable:{reversal.pk}",
        memo=f"Reversal of {transfer.stripe_transfer_id} refused: owed by the participant",
    )


def book_reversal_written_off(*, reversal, transfer) -> tuple[JournalEntry, bool]:
    """Finance gave up on a participant's debt: what they owed becomes the platform's loss."""
    return _move(
        kind=EntryKind.REVERSAL_WRITTEN_OFF,
        order_id=transfer.order_id,
        debit=network_account(A.WRITTEN_OFF_DEBTS, transfer.currency),
        credit=_receivable(transfer),
        amount_minor=reversal.amount_minor,
        key=f"reversal_written_off:{reversal.pk}",
        memo=f"Owed share of {transfer.stripe_transfer_id} written off: {reversal.write_off_reason}"[:300],
    )


def book_reversal_recovered(
    *,
    reversal,
    transfer,
    stripe_reversal_id: str,
    balance_transaction_id: str,
    effective_at: datetime | None = None,
) -> tuple[JournalEntry, bool]:
    return _through_cash(
        kind=EntryKind.REVERSAL_RECOVERED,
        order_id=transfer.order_id,
        account=_receivable(transfer),
        amount_minor=-reversal.amount_minor,
        cash_currency=reversal.stripe_currency,
        cash_minor=-reversal.stripe_amount_minor,
        stripe_object_id=stripe_reversal_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Reversal {stripe_reversal_id} of {transfer.stripe_transfer_id}: owed share recovered",
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
    return _withdrawal_with_fee(
        kind=EntryKind.DISPUTE,
        order_id=order_id,
        currency=currency,
        account=A.DISPUTES,
        amount_minor=amount_minor,
        fee_minor=fee_minor,
        stripe_object_id=dispute_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Dispute {dispute_id}: funds withdrawn",
    )


def book_dispute_lost(*, order_id: int, currency: str, dispute_id: str, amount_minor: int):
    return _move(
        kind=EntryKind.DISPUTE_LOST,
        order_id=order_id,
        debit=_clearing(order_id, currency),
        credit=network_account(A.DISPUTES, currency),
        amount_minor=amount_minor,
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
    return _move(
        kind=EntryKind.DISPUTE_WON,
        order_id=order_id,
        debit=network_account(A.PLATFORM_CASH, currency),
        credit=network_account(A.DISPUTES, currency),
        amount_minor=amount_minor,
        stripe_object_id=balance_transaction_id or f"{dispute_id}:won",
        balance_transaction_id=balance_transaction_id,
        key=f"dispute_won:{dispute_id}",
        effective_at=effective_at,
        memo=f"Dispute {dispute_id} won: funds reinstated",
    )


def book_settlement(*, order_id: int, currency: str, clearing_balance: int, sequence: int):
    """Closes the order's clearing account into revenue. `clearing_balance` is its balance (credit negative)."""
    return _move(
        kind=EntryKind.SETTLEMENT,
        order_id=order_id,
        debit=_clearing(order_id, currency),
        credit=network_account(A.PLATFORM_REVENUE, currency),
        amount_minor=-clearing_balance,
        key=f"settlement:{order_id}:{sequence}",
        memo="Order settled: remaining money recognised as platform revenue",
    )


def book_platform_payout(
    *, currency: str, payout_id: str, balance_transaction_id: str, amount_minor: int, effective_at=None
):
    return _move(
        kind=EntryKind.PLATFORM_PAYOUT,
        order_id=None,
        debit=network_account(A.PLATFORM_BANK, currency),
        credit=network_account(A.PLATFORM_CASH, currency),
        amount_minor=amount_minor,
        stripe_object_id=payout_id,
        balance_transaction_id=balance_transaction_id,
        effective_at=effective_at,
        memo=f"Payout {payout_id} to the platform's bank",
    )


def book_platform_payout_failed(
    *, currency: str, payout_id: str, balance_transaction_id: str, amount_minor: int, effective_at=None
):
    return _move(
        kind=EntryKind.PLATFORM_PAYOUT_FAILED,
        order_id=None,
        debit=network_account(A.PLATFORM_CASH, currency),
        credit=network_account(A.PLATFORM_BANK, currency),
        amount_minor=amount_minor,
        stripe_object_id=balance_transaction_id or f"{payout_id}:failed",
        balance_transaction_id=balance_transaction_id,
        key=f"payout_failed:{payout_id}",
        effective_at=effective_at,
        memo=f"Payout {payout_id} failed: money back on the platform balance",
    )
