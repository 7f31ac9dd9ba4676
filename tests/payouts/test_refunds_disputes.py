"""Refunds and disputes: a cancellation before production refunds everything and transfers nothing; a partial
refund after production reverses the participants' shares pro rata; disputes are booked when the funds leave
and charged to the order when lost. Every movement is in the ledger and reconciles."""

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.refunding import order_cancel_and_refund, refund_issue
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.models import (
    Dispute,
    DisputeStatus,
    EntryKind,
    JournalEntry,
    Reversal,
    ReversalStatus,
    Transfer,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.payments.disputes import dispute_record
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.profit_share.policies import profit_share_policy_publish
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.transfers.participant_transfers import (
    transfer_release_for_leg,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.settlement import order_settle
from apps.payouts.transfers.sweep import order_refund_record
from tests.payouts.money_builders import (
    control,
    deliver_leg,
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_post,
)
from tests.payouts.money_checks import (
    funding_respected,
    reconciles_clean,
    settled_order_identity,
    stripe_transfers,
)


def _paid_order():
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1)
    order = make_order(
        total_minor=12_000, items=[(owner_a, 4_000), (owner_b, 2_000)], legs=[(carrier, 1_000)]
    )
    charge = pay(order)
    charge_record(charge_id=charge["id"])
    return order, charge


def _produce_and_deliver(order):
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    for item in WorkItem.objects.filter(order=order):
        finish_work_item(item)
        transfer_release_for_work_item(work_item_id=item.pk)
    for leg in TransportLeg.objects.filter(order=order):
        deliver_leg(leg)
        transfer_release_for_leg(leg_id=leg.pk)
    for transfer in Transfer.objects.filter(order=order):
        transfer_send(transfer_id=transfer.pk)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")


def test_cancellation_before_production_refunds_in_full_and_transfers_nothing(money_a):
    order, charge = _paid_order()
    refund = order_cancel_and_refund(
        order_id=order.pk, actor=None, reason="Changed my mind", scope=Scope.SYSTEM
    )
    assert refund.stripe_refund_id
    recorded = order_refund_record(order_refund_id=refund.pk)
    assert recorded.allocation == {profit_share.PLATFORM: 12_000}
    assert order_refund_record(order_refund_id=refund.pk).pk == recorded.pk
    assert not Transfer.objects.filter(order=order).exists()
    assert stripe_transfers(order.pk) == []
    assert order_settle(order_id=order.pk)
    identity = settled_order_identity(order.pk)
    # Stripe keeps its fee on a refunded charge: the platform's commission on this order is minus that fee.
    assert identity["commission"] == -charge["balance_transaction"]["fee"]
    reconciles_clean()


def test_partial_refund_after_production_reverses_participant_shares_pro_rata(money_a):
    order, _ = _paid_order()
    _produce_and_deliver(order)
    split = statement_refresh_for_order(order_id=order.pk)
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=3_000, reason="Scratched", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    recorded = order_refund_record(order_refund_id=refund.pk)
    assert sum(recorded.allocation.values()) == 3_000
    # Pro rata to what each holds of the 120.00 (the platform's share includes Stripe's fee).
    parts = {
        (p.work_item_id and f"work_item:{p.work_item_id}") or f"leg:{p.transport_leg_id}": p.amount_minor
        for s in split.statements.all()
        for p in s.parts.all()
    }
    holders = [profit_share.Holder(profit_share.PLATFORM, 12_000 - sum(parts.values()))]
    holders += [profit_share.Holder(key, amount) for key, amount in parts.items()]
    assert recorded.allocation == {
        k: v for k, v in profit_share.refund_split(refund_minor=3_000, holders=holders).items() if v
    }
    reversals = list(Reversal.objects.filter(transfer__order=order))
    assert len(reversals) == 3
    assert sum(r.amount_minor for r in reversals) == 3_000 - recorded.allocation[profit_share.PLATFORM]
    funding_respected(order.pk)
    for reversal in reversals:
        assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.SENT
        assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.SENT
    at_stripe = {t["id"]: t for t in stripe_transfers(order.pk)}
    for reversal in Reversal.objects.filter(transfer__order=order).select_related("transfer"):
        assert at_stripe[reversal.transfer.stripe_transfer_id]["amount_reversed"] == reversal.amount_minor
        assert reversal.transfer.amount_reversed_minor == reversal.amount_minor
    assert order_settle(order_id=order.pk)
    identity = settled_order_identity(order.pk)
    assert (
        identity["commission"] == split.platform_commission_minor - recorded.allocation[profit_share.PLATFORM]
    )
    funding_respected(order.pk)
    reconciles_clean()


def test_platform_first_policy_takes_a_small_refund_from_the_platform_alone(money_a):
    profit_share_policy_publish(
        method="proportional",
        platform_surplus_bp=2_000,
        min_platform_fee_minor=0,
        fee_bearer="platform",
        refund_mode="platform_first",
    )
    order, _ = _paid_order()
    _produce_and_deliver(order)
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=500, reason="Goodwill", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    recorded = order_refund_record(order_refund_id=refund.pk)
    assert recorded.allocation == {profit_share.PLATFORM: 500}
    assert not Reversal.objects.filter(transfer__order=order).exists()
    assert order_settle(order_id=order.pk)
    settled_order_identity(order.pk)
    reconciles_clean()


def test_refund_before_a_release_is_taken_off_the_transfer_instead_of_reversed(money_a):
    order, _ = _paid_order()
    order_transition(order_id=order.pk, to=OrderStatus.PLANNED, actor_label="test")
    # Staff refund the order while nothing was released yet (orders allows it only after delivery, so use the
    # stray-refund path's cousin: a refund made in the Dashboard, found through the charge).
    refund = platform_post("/v1/refunds", charge=order.charge_id, amount=1_200)
    from apps.payouts.payments.customer_refunds import refund_record

    recorded = refund_record(
        stripe_refund_id=refund["id"], charge_id=order.charge_id, amount_minor=1_200, currency="EUR"
    )
    assert recorded.order_id == order.pk
    item = WorkItem.objects.filter(order=order).order_by("pk").first()
    order_transition(order_id=order.pk, to=OrderStatus.IN_PRODUCTION, actor_label="test")
    finish_work_item(item)
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    share = recorded.allocation[f"work_item:{item.pk}"]
    assert transfer.amount_minor == transfer.part_amount_minor - share
    assert not Reversal.objects.filter(transfer=transfer).exists()


def test_dispute_is_booked_when_funds_leave_and_charged_to_the_order_when_lost(money_a):
    order, charge = _paid_order()
    _produce_and_deliver(order)
    dispute = control(f"charges/{charge['id']}/dispute", amount=5_000)
    row = dispute_record(dispute=dispute)
    assert row.status == DisputeStatus.OPEN and row.fee_minor == 1_500
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPUTED
    entry = JournalEntry.objects.get(stripe_object_id=dispute["id"])
    assert entry.kind == EntryKind.DISPUTE
    assert order_settle(order_id=order.pk) is False, "an open dispute keeps the order open"
    dispute_record(dispute=dispute)  # a duplicate event
    assert JournalEntry.objects.filter(order=order, kind=EntryKind.DISPUTE).count() == 1
    closed = platform_post(f"/v1/disputes/{dispute['id']}/close")
    assert closed["status"] == "lost"
    dispute_record(dispute=closed)
    dispute_record(dispute=dispute)  # the late "created" event does not reopen it
    assert Dispute.objects.get(stripe_dispute_id=dispute["id"]).status == DisputeStatus.LOST
    assert JournalEntry.objects.filter(order=order, kind=EntryKind.DISPUTE_LOST).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED  # the bank gave the money back: the order settles as it is
    assert order_settle(order_id=order.pk)
    identity = settled_order_identity(order.pk)
    assert identity["disputed"] == 5_000 and identity["fees"] == charge["balance_transaction"]["fee"] + 1_500
    reconciles_clean()
