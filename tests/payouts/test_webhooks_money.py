"""Money webhooks: replayed in any order, any number of times, they leave the ledger unchanged; on their own they
book what happened at Stripe (a transfer made by a worker that died, a refund made in the Dashboard, payouts)."""

import random

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts import stripe_client
from apps.payouts.models import (
    ConnectedPayout,
    CustomerRefund,
    EntryKind,
    JournalEntry,
    OrderMoney,
    PayoutStatus,
    Reversal,
    Transfer,
    TransferStatus,
    WebhookEvent,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.selectors import participant_money_summary
from apps.payouts.transfers.participant_transfers import (
    transfer_release_for_leg,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.settlement import order_settle
from apps.payouts.transfers.sweep import order_refund_record
from apps.payouts.webhooks.handlers import HANDLERS
from tests.payouts.money_builders import (
    card_funds_available_at_once,
    control,
    deliver,
    deliver_leg,
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_post,
    stripe_events,
)
from tests.payouts.money_checks import ledger_snapshot, reconciles_clean, stripe_transfers, unbalanced_entries

MONEY_EVENTS = ("charge.", "refund.", "transfer.", "payout.")


def _lifecycle():
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1)
    order = make_order(
        total_minor=12_000, items=[(owner_a, 4_000), (owner_b, 2_000)], legs=[(carrier, 1_000)]
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
    for transfer in Transfer.objects.filter(order=order):
        transfer_send(transfer_id=transfer.pk)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=2_400, reason="Late", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    order_refund_record(order_refund_id=refund.pk)
    for reversal in Reversal.objects.filter(transfer__order=order):
        reversal_send(reversal_id=reversal.pk)
    return order, charge, owner_a


def _money_events(*accounts) -> list[dict]:
    events = stripe_events()
    for account in accounts:
        events += stripe_events(account=account)
    return [event for event in events if event["type"].startswith(MONEY_EVENTS)]


def test_replaying_every_money_webhook_in_any_order_any_number_of_times_changes_nothing(money_a):
    card_funds_available_at_once()  # the participant is paid out below: its funds must be available
    order, charge, owner_a = _lifecycle()
    dispute = control(f"charges/{charge['id']}/dispute", amount=1_000)
    platform_post(f"/v1/disputes/{dispute['id']}/close")
    payout = platform_post("/v1/payouts", account=owner_a.stripe_account_id, amount=500, currency="eur")
    events = _money_events(owner_a.stripe_account_id)
    kinds = {event["type"] for event in events}
    assert {
        "charge.succeeded",
        "charge.refunded",
        "transfer.created",
        "transfer.reversed",
        "charge.dispute.created",
        "charge.dispute.closed",
        "payout.created",
        "payout.paid",
    } <= kinds
    # First delivery books what only webhooks bring here (the dispute and the payout).
    for event in events:
        deliver(event)
    assert JournalEntry.objects.filter(stripe_object_id=dispute["id"]).count() == 1
    assert ConnectedPayout.objects.get(stripe_payout_id=payout["id"]).status == PayoutStatus.PAID
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED  # the lost dispute decided it: nothing left to wait for
    assert order_settle(order_id=order.pk)
    before = ledger_snapshot()
    rng = random.Random(8)
    for round_ in range(3):
        shuffled = events[:] * 2
        rng.shuffle(shuffled)
        for event in shuffled:
            if round_ == 0:
                deliver(event)  # through the inbox: duplicates are acknowledged and dropped
            elif event["type"] in HANDLERS:
                HANDLERS[event["type"]](event)  # straight to the handler: it must be idempotent on its own
        assert ledger_snapshot() == before
    assert ConnectedPayout.objects.get(stripe_payout_id=payout["id"]).status == PayoutStatus.PAID
    assert unbalanced_entries() == []
    reconciles_clean()


def test_a_transfer_created_by_a_worker_that_died_is_recorded_from_its_webhook(money_a):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 6_000)])
    charge_record(charge_id=pay(order)["id"])
    item = finish_work_item(WorkItem.objects.get(order=order))
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    stripe_client.transfer_create(
        amount_minor=transfer.amount_minor,
        currency="EUR",
        destination=owner.stripe_account_id,
        transfer_group=f"order_{order.pk}",
        source_transaction=OrderMoney.objects.get(order=order).charge_id,
        metadata={
            "transfer_id": str(transfer.pk),
            "order_id": str(order.pk),
            "network": "t_alpha",
            "source": transfer.source_label,
        },
        idempotency_key=transfer.idempotency_key,
    )
    created = [e for e in stripe_events() if e["type"] == "transfer.created"]
    assert len(created) == 1
    deliver(created[0])
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    assert len(stripe_transfers(order.pk)) == 1
    assert JournalEntry.objects.filter(kind=EntryKind.TRANSFER, order=order).count() == 1
    reconciles_clean()


def test_webhooks_alone_book_the_charge_and_a_refund_made_in_the_dashboard(money_a):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=8_000, items=[(owner, 5_000)])
    charge = pay(order)
    platform_post("/v1/refunds", charge=charge["id"], amount=800)
    for event in _money_events():
        deliver(event)
    assert JournalEntry.objects.filter(stripe_object_id=charge["id"], kind=EntryKind.CHARGE).count() == 1
    refund = CustomerRefund.objects.get(charge_id=charge["id"])
    assert refund.order_id == order.pk and refund.amount_minor == 800 and refund.allocated_at is not None
    reconciles_clean()


def test_events_of_charges_and_transfers_that_are_not_ours_change_nothing(money_a):
    intent = platform_post(
        "/v1/payment_intents", amount=5_000, currency="eur", payment_method="pm_card_visa", confirm="true"
    )
    platform_post("/v1/refunds", charge=intent["latest_charge"], amount=1_000)
    (owner,), _ = make_participants(owners=1, carriers=0)
    platform_post(
        "/v1/transfers",
        amount=700,
        currency="eur",
        destination=owner.stripe_account_id,
        source_transaction=intent["latest_charge"],
    )
    events = _money_events()
    assert {"charge.succeeded", "charge.refunded", "transfer.created"} <= {e["type"] for e in events}
    for event in events:
        deliver(event)
    assert JournalEntry.objects.count() == 0
    assert CustomerRefund.objects.count() == 0
    assert WebhookEvent.objects.filter(status="processed").count() >= 3


def test_connected_account_payouts_show_as_pending_then_paid_for_the_participant(money_a):
    card_funds_available_at_once()  # the participant is paid out below: its funds must be available
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 6_000)])
    charge_record(charge_id=pay(order)["id"])
    item = finish_work_item(WorkItem.objects.get(order=order))
    share = statement_refresh_for_order(order_id=order.pk).statements.get().amount_minor
    summary = participant_money_summary(asset_owner=owner)["EUR"]
    assert (summary.expected_minor, summary.pending_minor) == (share, 0)
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    summary = participant_money_summary(asset_owner=owner)["EUR"]
    assert summary.expected_minor == 0
    assert summary.pending_minor == transfer.amount_minor == share and summary.transferred_minor == 0
    transfer_send(transfer_id=transfer.pk)
    payout = platform_post("/v1/payouts", account=owner.stripe_account_id, amount=2_000, currency="eur")
    events = stripe_events(account=owner.stripe_account_id)
    created = next(e for e in events if e["type"] == "payout.created")
    paid = next(e for e in events if e["type"] == "payout.paid")
    deliver(created)
    summary = participant_money_summary(asset_owner=owner)["EUR"]
    assert (summary.pending_minor, summary.transferred_minor) == (0, transfer.amount_minor)
    assert summary.in_transit_minor == 2_000 and summary.paid_out_minor == 0
    deliver(paid)
    HANDLERS["payout.created"](created)  # late and duplicated: does not undo "paid"
    row = ConnectedPayout.objects.get(stripe_payout_id=payout["id"])
    assert row.status == PayoutStatus.PAID and row.asset_owner_id == owner.pk
    summary = participant_money_summary(asset_owner=owner)["EUR"]
    assert (summary.in_transit_minor, summary.paid_out_minor) == (0, 2_000)
    # Connected-account payouts are not the platform's money: the platform ledger does not move.
    assert not JournalEntry.objects.filter(stripe_object_id=payout["id"]).exists()
