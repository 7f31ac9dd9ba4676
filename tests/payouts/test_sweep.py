"""The sweeper catches up whatever a lost hook or task left undone: an unbooked charge, an unreleased transfer,
an unrecorded refund, an unsettled order — and doing it twice changes nothing."""

from apps.orders.models import OrderRefund, WorkItem
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.models import (
    CustomerRefund,
    EntryKind,
    JournalEntry,
    OrderMoney,
    Reversal,
    Transfer,
    TransferStatus,
)
from apps.payouts.transfers.participant_transfers import transfer_send
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.sweep import money_sweep
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay
from tests.payouts.money_checks import ledger_snapshot, reconciles_clean, settled_order_identity


def test_the_sweeper_books_releases_records_and_settles_what_hooks_missed(money_a):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 6_000)])
    charge = pay(order)  # the order.paid hook's task never ran (no worker here)
    assert not OrderMoney.objects.filter(charge_id=charge["id"]).exists()
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    finish_work_item(WorkItem.objects.get(order=order))  # nor did the release task
    swept = money_sweep()
    assert swept["charges"] == 1 and swept["releases"] == 1
    assert JournalEntry.objects.filter(stripe_object_id=charge["id"], kind=EntryKind.CHARGE).exists()
    transfer = Transfer.objects.get(order=order)
    assert transfer.status == TransferStatus.PENDING
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=1_000, reason="Dent", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)  # Stripe refunded; the order.refunded hook's task never ran
    assert OrderRefund.objects.get(pk=refund.pk).stripe_refund_id
    swept = money_sweep()
    assert swept["refunds"] == 1
    assert CustomerRefund.objects.get(order=order).allocated_at is not None
    assert Reversal.objects.filter(transfer__order=order, status="pending").count() == 1
    assert money_sweep()["reversals"] == 1, "the next sweep sends the due reversal"
    for reversal in Reversal.objects.filter(transfer__order=order):
        reversal_send(reversal_id=reversal.pk)
    swept = money_sweep()
    assert swept["settled"] == 1
    settled_order_identity(order.pk)
    before = ledger_snapshot()
    assert money_sweep() == {k: 0 for k in swept}
    assert ledger_snapshot() == before
    reconciles_clean()


def test_a_refund_recorded_before_its_charge_waits_and_is_allocated_once_the_charge_is_booked(money_a):
    from apps.payouts.payments.charges import charge_record
    from apps.payouts.transfers.sweep import order_refund_record

    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 6_000)])
    charge = pay(order)
    for status in (
        OrderStatus.PLANNED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=2_000, reason="Dent", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    recorded = order_refund_record(order_refund_id=refund.pk)  # the refund's task ran before the charge's
    assert recorded.allocated_at is None and recorded.order_id == order.pk
    assert JournalEntry.objects.filter(
        stripe_object_id=recorded.stripe_refund_id, kind=EntryKind.REFUND
    ).exists()
    assert not JournalEntry.objects.filter(kind=EntryKind.REFUND_ALLOCATION, order=order).exists()
    charge_record(charge_id=charge["id"])
    money_sweep()
    recorded.refresh_from_db()
    assert recorded.allocated_at is not None and sum(recorded.allocation.values()) == 2_000
    assert JournalEntry.objects.filter(kind=EntryKind.REFUND_ALLOCATION, order=order).count() == 1
