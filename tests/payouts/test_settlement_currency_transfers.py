"""Participant transfers of an order whose charge Stripe settled in another currency (a EUR order on a platform
that settles in USD): Stripe funds `source_transaction` transfers only in the charge's settlement currency, so
each share goes out in USD at the charge's own rate (rounded down), a refund's reversal comes back in USD, and
every entry balances per currency through the currency-conversion account. The old code sent EUR transfers,
which Stripe refuses (`transfer_source_balance_parameters_mismatch`)."""

import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import transaction

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.selectors import order_settings_get
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.connect.bank_payouts import participant_payouts_run, payout_hold_get
from apps.payouts.models import (
    AccountKind,
    ConnectedPayout,
    CustomerRefund,
    EntryKind,
    JournalEntry,
    OrderMoney,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record, order_money_lock
from apps.payouts.transfers.participant_transfers import (
    transfer_release_for_leg,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_claim_from_part, reversal_send
from apps.payouts.transfers.sweep import order_refund_record
from tests.payouts.money_builders import (
    control,
    deliver_leg,
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_get,
)
from tests.payouts.money_checks import reconciles_clean, stripe_transfers

pytestmark = pytest.mark.django_db


@pytest.fixture
def settles_in_usd(money_a):
    control("config", platform_country="US", settle_in_platform_currency=True)
    yield
    control("config", settle_in_platform_currency=False)


def _balanced_per_currency(entry: JournalEntry) -> dict:
    per_currency = defaultdict(int)
    for posting in entry.postings.all():
        per_currency[posting.account.currency] += posting.amount_minor
    return dict(per_currency)


def _lines(entry: JournalEntry) -> dict:
    lines = defaultdict(int)
    for posting in entry.postings.select_related("account"):
        lines[(posting.account.kind, posting.account.currency)] += posting.amount_minor
    return dict(lines)


def _delivered_eur_order():
    """A EUR order of 100.01 (lands as 110.01 USD at the local server's 1.10: shares do not convert to whole
    cents), produced and delivered, its participants' transfers sent."""
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1)
    order = make_order(
        total_minor=10_001,
        currency="EUR",
        items=[(owner_a, 3_333), (owner_b, 2_001)],
        legs=[(carrier, 1_111)],
    )
    charge = pay(order)
    charge_record(charge_id=charge["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    for item in WorkItem.objects.filter(order=order):
        finish_work_item(item)
        transfer_release_for_work_item(work_item_id=item.pk)
    for leg in TransportLeg.objects.filter(order=order):
        deliver_leg(leg)
        transfer_release_for_leg(leg_id=leg.pk)
    results = [transfer_send(transfer_id=t.pk) for t in Transfer.objects.filter(order=order)]
    return order, charge, results


def test_shares_of_a_converted_charge_go_out_in_the_settlement_currency_at_its_rate(settles_in_usd):
    order, charge, results = _delivered_eur_order()
    txn = charge["balance_transaction"]
    assert (txn["currency"], txn["amount"]) == ("usd", 11_001)
    # Stripe accepted every transfer (the old code's EUR transfers were refused with a currency mismatch).
    assert [r.status for r in results] == [TransferStatus.SENT] * 3, [
        t.last_error for t in Transfer.objects.filter(order=order)
    ]
    money = OrderMoney.objects.get(order=order)
    assert (money.settled_currency, money.settled_minor, money.paid_minor) == ("USD", 11_001, 10_001)
    transfers = list(Transfer.objects.filter(order=order))
    at_stripe = {t["id"]: t for t in stripe_transfers(order.pk)}
    for transfer in transfers:
        expected = transfer.amount_minor * 11_001 // 10_001  # the charge's own rate, rounded down
        assert (transfer.currency, transfer.sent_currency, transfer.sent_amount_minor) == (
            "EUR",
            "USD",
            expected,
        )
        stripe_transfer = at_stripe[transfer.stripe_transfer_id]
        assert (stripe_transfer["currency"], stripe_transfer["amount"]) == ("usd", expected)
        entry = JournalEntry.objects.get(stripe_object_id=transfer.stripe_transfer_id)
        assert entry.kind == EntryKind.TRANSFER
        assert _balanced_per_currency(entry) == {"EUR": 0, "USD": 0}
        lines = _lines(entry)
        assert lines[(AccountKind.PLATFORM_CASH, "USD")] == -expected
        assert lines[(AccountKind.CURRENCY_CONVERSION, "USD")] == expected
        assert lines[(AccountKind.CURRENCY_CONVERSION, "EUR")] == -transfer.amount_minor
        assert (AccountKind.PLATFORM_CASH, "EUR") not in lines
    # Rounding down keeps every share inside what the charge landed as; at least one share was rounded.
    assert sum(t.sent_amount_minor for t in transfers) <= 11_001
    assert any(t.amount_minor * 11_001 % 10_001 for t in transfers)
    reconciles_clean()  # every USD balance transaction matches its entry, amount and currency


def test_a_half_refund_reverses_the_shares_in_the_transfers_currency(settles_in_usd):
    order, _, results = _delivered_eur_order()
    assert [r.status for r in results] == [TransferStatus.SENT] * 3
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=5_000, reason="Half of it scratched", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    order_refund_record(order_refund_id=refund.pk)
    reversals = list(Reversal.objects.filter(transfer__order=order).select_related("transfer"))
    assert len(reversals) == 3
    for reversal in reversals:
        assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.SENT, reversal.last_error
    at_stripe = {t["id"]: t for t in stripe_transfers(order.pk)}
    for reversal in Reversal.objects.filter(transfer__order=order).select_related("transfer"):
        transfer = reversal.transfer
        claimed = reversal.amount_minor  # one claim per transfer: converted on the running total from zero
        expected = claimed * 11_001 // 10_001
        assert (reversal.currency, reversal.sent_currency, reversal.sent_amount_minor) == (
            "EUR",
            "USD",
            expected,
        )
        assert at_stripe[transfer.stripe_transfer_id]["amount_reversed"] == expected
        assert expected <= transfer.sent_amount_minor
        entry = JournalEntry.objects.get(stripe_object_id=reversal.stripe_reversal_id)
        assert entry.kind == EntryKind.REVERSAL
        assert _balanced_per_currency(entry) == {"EUR": 0, "USD": 0}
        lines = _lines(entry)
        assert lines[(AccountKind.PLATFORM_CASH, "USD")] == expected
        assert lines[(AccountKind.CURRENCY_CONVERSION, "EUR")] == claimed
        assert lines[(AccountKind.CURRENCY_CONVERSION, "USD")] == -expected


def test_the_whole_share_reversed_gives_back_exactly_what_the_transfer_sent(settles_in_usd):
    """Claims convert on their running total: two claims of a share that do not convert to whole cents sum to
    the transfer's amount at Stripe, not a cent more (Stripe would refuse) nor less (left with the participant)."""
    order, _, _ = _delivered_eur_order()
    transfer = Transfer.objects.filter(order=order, work_item__isnull=False).order_by("amount_minor").last()
    first = transfer.amount_minor // 3
    refund = CustomerRefund.objects.create(
        stripe_refund_id="re_test_claims",
        order=order,
        charge_id=order.charge_id,
        amount_minor=1,
        currency="EUR",
    )
    key = f"work_item:{transfer.work_item_id}"
    with transaction.atomic():
        order_money_lock(order_id=order.pk)
        reversal_claim_from_part(refund=refund, key=key, amount_minor=first)
        reversal_claim_from_part(refund=refund, key=key, amount_minor=transfer.amount_minor)
    sent = [
        reversal_send(reversal_id=r.pk).status
        for r in Reversal.objects.filter(transfer=transfer).order_by("created_at")
    ]
    assert sent == [ReversalStatus.SENT] * 2
    reversals = Reversal.objects.filter(transfer=transfer)
    assert sum(r.amount_minor for r in reversals) == transfer.amount_minor
    assert sum(r.sent_amount_minor for r in reversals) == transfer.sent_amount_minor
    reversed_at_stripe = {t["id"]: t["amount_reversed"] for t in stripe_transfers(order.pk)}
    assert reversed_at_stripe[transfer.stripe_transfer_id] == transfer.sent_amount_minor


def test_the_participant_is_paid_out_in_the_currency_the_transfer_landed_in(settles_in_usd, stripe_clock):
    """The bank payout after the hold takes the participant's USD balance (the old code looked for EUR there
    and paid out nothing, the money stayed on the connected account for ever)."""
    order, _, _ = _delivered_eur_order()
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    order.refresh_from_db()
    transfer = Transfer.objects.filter(order=order, work_item__isnull=False).order_by("amount_minor").last()
    now = int(time.time())
    stripe_clock(now + 60)
    stripe_clock(now + 30 * 24 * 3600)  # the card funds become available on the connected accounts
    hold_ends = order.delivered_at + timedelta(
        days=order_settings_get().refund_window_days + payout_hold_get().hold_days
    )
    assert participant_payouts_run(now=hold_ends)["payouts"] == 3
    row = ConnectedPayout.objects.get(stripe_account=transfer.destination)
    assert (row.currency, row.amount_minor) == ("USD", transfer.sent_amount_minor)
    [payout] = platform_get("/v1/payouts", account=transfer.destination)["data"]
    assert (payout["currency"], payout["amount"]) == ("usd", transfer.sent_amount_minor)
