"""Stripe charges HUF with decimals but pays it out in whole forints (amounts divisible by 100): the platform's
payout of a participant's held money asks for the whole forints and leaves the fillér in the balance. The old
code asked for the exact balance, which Stripe refuses (the local server answers invalid_payout_amount)."""

import time
from datetime import timedelta

import pytest

from apps.orders.models import WorkItem
from apps.orders.selectors import order_settings_get
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.connect.bank_payouts import participant_payouts_run, payout_hold_get
from apps.payouts.models import ConnectedPayout, PayoutStatus, TransferStatus
from apps.payouts.payments.charges import charge_record
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay, platform_get

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def test_huf_is_paid_out_in_whole_forints(money_a, stripe_clock):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=50_000, currency="HUF", items=[(owner, 20_045)])
    charge_record(charge_id=pay(order)["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    item = finish_work_item(WorkItem.objects.get(order=order))
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    transfer.refresh_from_db()
    fillér = transfer.amount_minor % 100
    assert fillér, f"the participant's share {transfer.amount_minor} must have fillér for this test"
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    order.refresh_from_db()
    now = int(time.time())
    stripe_clock(now + 60)
    stripe_clock(now + 30 * DAY)  # the card funds become available at Stripe
    hold_ends = order.delivered_at + timedelta(
        days=order_settings_get().refund_window_days + payout_hold_get().hold_days
    )

    assert participant_payouts_run(now=hold_ends)["payouts"] == 1

    [payout] = platform_get("/v1/payouts", account=owner.stripe_account_id)["data"]
    whole = transfer.amount_minor - fillér
    assert (payout["amount"], payout["currency"]) == (whole, "huf")
    row = ConnectedPayout.objects.get(stripe_payout_id=payout["id"])
    assert row.amount_minor == whole and row.status in (PayoutStatus.PENDING, PayoutStatus.PAID)
    balance = platform_get("/v1/balance", account=owner.stripe_account_id)
    assert [(b["currency"], b["amount"]) for b in balance["available"]] == [("huf", fillér)]
