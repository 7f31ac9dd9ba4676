"""Reconciliation matches every Stripe balance transaction to exactly one journal entry and reports every
difference: money moved outside the platform, entries with no Stripe counterpart, amounts that differ, settled
orders whose clearing does not balance, and a platform balance that differs from Stripe's."""

import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from apps.orders.models import WorkItem
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.ledger.posting import Line, clearing_account, journal_entry_post, network_account
from apps.payouts.models import AccountKind, BalanceTransactionRecord, EntryKind, ItemKind, RunStatus
from apps.payouts.payments.charges import charge_record
from apps.payouts.reconciliation.runs import reconciliation_run
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.payouts.transfers.settlement import order_settle
from tests.payouts.money_builders import (
    card_funds_available_at_once,
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_post,
)


def _settled_order():
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 6_000)])
    charge_record(charge_id=pay(order)["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    item = finish_work_item(WorkItem.objects.get(order=order))
    transfer_send(transfer_id=transfer_release_for_work_item(work_item_id=item.pk).pk)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    assert order_settle(order_id=order.pk)
    return order, owner


def _run_counting_rows_read(**kwargs):
    """Runs a reconciliation and counts the balance-transaction rows it reads with their amounts (what
    comparing a transaction with its entry needs)."""
    rows = 0

    def count(execute, sql, params, many, context):
        nonlocal rows
        result = execute(sql, params, many, context)
        if (
            sql.lstrip().upper().startswith("SELECT")
            and '"payouts_balancetransactionrecord"."net_minor"' in sql
        ):
            rows += max(context["cursor"].rowcount, 0)
        return result

    with connection.execute_wrapper(count):
        run = reconciliation_run(trigger="test", grace=timedelta(0), **kwargs)
    return run, rows


def _kinds(run) -> dict:
    kinds = {}
    for item in run.items.all():
        kinds.setdefault(item.kind, []).append(item)
    return kinds


def test_a_clean_ledger_matches_every_transaction_one_to_one(money_a):
    _settled_order()
    run = reconciliation_run(trigger="test", grace=timedelta(0))
    assert run.status == RunStatus.CLEAN, list(run.items.values_list("kind", "detail"))
    assert run.fetched == 2 and run.matched == 2  # the charge and the transfer
    assert run.stripe_balance == run.ledger_balance
    records = BalanceTransactionRecord.objects.all()
    assert all(r.entry_id for r in records)
    assert len({r.entry_id for r in records}) == records.count()


def test_a_transfer_made_outside_the_platform_and_an_entry_without_stripe_are_flagged(money_a):
    card_funds_available_at_once()  # the Dashboard transfer below spends available funds
    _, owner = _settled_order()
    outside = platform_post("/v1/transfers", amount=300, currency="eur", destination=owner.stripe_account_id)
    ghost, _ = journal_entry_post(
        kind=EntryKind.TRANSFER,
        lines=[
            Line(network_account(AccountKind.STRIPE_FEES, "EUR"), 450),
            Line(network_account(AccountKind.PLATFORM_CASH, "EUR"), -450),
        ],
        stripe_object_id="tr_never_made",
        memo="Booked by hand, never sent",
    )
    run = reconciliation_run(trigger="test", grace=timedelta(0))
    kinds = _kinds(run)
    assert run.status == RunStatus.DIFFERENCES
    (missing,) = kinds[ItemKind.MISSING_IN_LEDGER]
    assert missing.stripe_object_id == outside["id"] and missing.stripe_amount_minor == -300
    (orphan,) = kinds[ItemKind.MISSING_AT_STRIPE]
    assert orphan.entry_id == ghost.pk and orphan.ledger_amount_minor == -450
    (balance,) = kinds[ItemKind.BALANCE_MISMATCH]
    assert balance.stripe_amount_minor - balance.ledger_amount_minor == -300 + 450
    assert ItemKind.AMOUNT_MISMATCH not in kinds and ItemKind.CLEARING_NOT_ZERO not in kinds


def test_money_in_flight_is_checked_next_run_not_reported(money_a):
    """A transfer listed at Stripe before its entry commits, and an entry committed before its transaction is
    listed: within the grace period both are in flight (no items, balance compared without them); once the
    grace period has passed and they are still unmatched, they are reported."""
    card_funds_available_at_once()  # the Dashboard transfer below spends available funds
    _, owner = _settled_order()
    outside = platform_post("/v1/transfers", amount=300, currency="eur", destination=owner.stripe_account_id)
    journal_entry_post(
        kind=EntryKind.TRANSFER,
        lines=[
            Line(network_account(AccountKind.STRIPE_FEES, "EUR"), 450),
            Line(network_account(AccountKind.PLATFORM_CASH, "EUR"), -450),
        ],
        stripe_object_id="tr_not_listed_yet",
    )
    young = reconciliation_run(trigger="test")
    assert young.status == RunStatus.CLEAN, list(young.items.values_list("kind", "detail"))
    assert young.in_flight == 2 and young.stripe_balance != young.ledger_balance
    later = reconciliation_run(trigger="test", grace=timedelta(0))
    assert later.in_flight == 0
    kinds = _kinds(later)
    assert [item.stripe_object_id for item in kinds[ItemKind.MISSING_IN_LEDGER]] == [outside["id"]]
    assert [item.stripe_object_id for item in kinds[ItemKind.MISSING_AT_STRIPE]] == ["tr_not_listed_yet"]
    assert ItemKind.BALANCE_MISMATCH in kinds


def test_amount_mismatch_and_a_settled_order_with_clearing_left_are_flagged(money_a):
    order, _ = _settled_order()
    refund = platform_post("/v1/refunds", charge=order.charge_id, amount=1_000)
    # Booked with the wrong amount (as a buggy import would), and a stray posting to the settled order's clearing.
    journal_entry_post(
        kind=EntryKind.REFUND,
        order_id=order.pk,
        lines=[
            Line(network_account(AccountKind.REFUNDS, "EUR"), 900),
            Line(network_account(AccountKind.PLATFORM_CASH, "EUR"), -900),
        ],
        stripe_object_id=refund["id"],
    )
    journal_entry_post(
        kind=EntryKind.SETTLEMENT,
        order_id=order.pk,
        lines=[
            Line(clearing_account(order_id=order.pk, currency="EUR"), 25),
            Line(network_account(AccountKind.PLATFORM_REVENUE, "EUR"), -25),
        ],
        key="test:stray-clearing",
    )
    kinds = _kinds(reconciliation_run(trigger="test", grace=timedelta(0)))
    (mismatch,) = kinds[ItemKind.AMOUNT_MISMATCH]
    assert (mismatch.stripe_amount_minor, mismatch.ledger_amount_minor) == (-1_000, -900)
    assert mismatch.order_id == order.pk
    (clearing,) = kinds[ItemKind.CLEARING_NOT_ZERO]
    assert clearing.order_id == order.pk and clearing.ledger_amount_minor == 25


def test_runs_continue_from_their_cursor_and_keep_reporting_open_differences(money_a, stripe_clock):
    card_funds_available_at_once()  # the Dashboard transfer below spends available funds
    # Stripe's `created` is in whole seconds and the cursor re-reads its own second on purpose, so each step
    # happens in a second of its own; in the past, so no transaction is younger than the (zero) grace period.
    started = int(time.time()) - 60
    stripe_clock(started)
    order, owner = _settled_order()
    stripe_clock(started + 1)
    platform_post("/v1/refunds", charge=order.charge_id, amount=10)  # a second newer than the charge
    first = reconciliation_run(trigger="test", grace=timedelta(0))
    assert first.missing_in_ledger == 1 and first.cursor_to == started + 1
    stripe_clock(started + 2)
    platform_post("/v1/transfers", amount=100, currency="eur", destination=owner.stripe_account_id)
    second = reconciliation_run(trigger="test", grace=timedelta(0))
    assert second.cursor_from == first.cursor_to
    # Listed again: the new transfer and whatever shares the previous run's newest second (never lost), no older.
    since_cursor = BalanceTransactionRecord.objects.filter(stripe_created__gte=first.cursor_to).count()
    assert second.fetched == since_cursor < BalanceTransactionRecord.objects.count()
    assert second.missing_in_ledger == 2  # the refund (reported again) and the new transfer
    third = reconciliation_run(trigger="test", grace=timedelta(0))
    assert third.missing_in_ledger == 2, "open differences are reported until they are resolved"


def test_one_transaction_can_never_match_two_entries(money_a):
    _settled_order()
    reconciliation_run(trigger="test", grace=timedelta(0))
    first, second = BalanceTransactionRecord.objects.order_by("pk")[:2]
    with transaction.atomic(), pytest.raises(IntegrityError):
        BalanceTransactionRecord.objects.filter(pk=second.pk).update(entry_id=first.entry_id)


def test_a_run_does_not_read_again_the_transactions_that_already_agreed(money_a):
    """Issue 17: each run used to re-read every matched transaction since the first run. A matched pair whose
    amounts agreed is immutable on both sides, so later runs skip it and read only what is new."""
    card_funds_available_at_once()  # the Dashboard transfer below spends available funds
    _, owner = _settled_order()
    first, first_rows = _run_counting_rows_read()
    assert first.status == RunStatus.CLEAN and first.matched == first.checked == 2
    assert first_rows >= 2

    second, second_rows = _run_counting_rows_read()
    assert second.status == RunStatus.CLEAN and second.matched == 2
    assert second.checked == 0 and second_rows == 0, "the two transactions that agreed are not read again"

    transfer = platform_post("/v1/transfers", amount=100, currency="eur", destination=owner.stripe_account_id)
    journal_entry_post(
        kind=EntryKind.TRANSFER,
        lines=[
            Line(network_account(AccountKind.PLATFORM_REVENUE, "EUR"), 100),
            Line(network_account(AccountKind.PLATFORM_CASH, "EUR"), -100),
        ],
        stripe_object_id=transfer["id"],
    )
    third, _ = _run_counting_rows_read()
    assert third.status == RunStatus.CLEAN, list(third.items.values_list("kind", "detail"))
    assert third.matched == 3 and third.checked == 1, "only the new transaction is compared"


def test_a_pair_that_disagrees_is_compared_and_reported_on_every_run(money_a):
    order, _ = _settled_order()
    refund = platform_post("/v1/refunds", charge=order.charge_id, amount=1_000)
    journal_entry_post(
        kind=EntryKind.REFUND,
        order_id=order.pk,
        lines=[
            Line(network_account(AccountKind.REFUNDS, "EUR"), 900),
            Line(network_account(AccountKind.PLATFORM_CASH, "EUR"), -900),
        ],
        stripe_object_id=refund["id"],
    )
    for checked in (3, 1):  # the charge, the transfer and the refund; then only the refund, again
        run, _ = _run_counting_rows_read()
        (mismatch,) = _kinds(run)[ItemKind.AMOUNT_MISMATCH]
        assert mismatch.stripe_object_id == refund["id"] and run.checked == checked
