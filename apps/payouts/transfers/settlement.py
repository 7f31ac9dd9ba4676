"""Settling an order: once no money of it can move any more, its clearing account is closed into platform
revenue, so that charge − refunds − disputes − transfers + reversals − fees = the platform's commission.

A late event (a dispute weeks later) reopens the order; the next settlement closes the clearing account again
with another entry (`settlement:<order>:<n>`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.orders.models import Order, OrderRefund, TransportLeg, WorkItem
from apps.orders.status import LegStatus, OrderStatus, WorkItemStatus
from apps.payouts.ledger.balances import order_clearing_balance
from apps.payouts.ledger.recipes import book_settlement
from apps.payouts.models import (
    CustomerRefund,
    Dispute,
    DisputeStatus,
    OrderMoney,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import order_money_lock
from apps.payouts.transfers.participant_transfers import (
    ROYALTY_RELEASED_WHEN,
    royalty_lines_unreleased,
    royalty_transfers_release_for_order,
)

SETTLEABLE = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED})


def order_unsettled_reasons(*, order: Order, money: OrderMoney) -> list[str]:
    """Why the order's money may still move (empty: it can be settled)."""
    reasons = []
    if order.status not in SETTLEABLE:
        reasons.append(f"order is {order.status}")
    if order.charge_id and money.charge_id != order.charge_id:
        reasons.append("the charge is not in the ledger yet")
    done_items = WorkItem.objects.filter(
        order_id=order.pk, status=WorkItemStatus.DONE, asset_owner__isnull=False
    )
    if done_items.exclude(money_transfer__isnull=False).exists():
        reasons.append("a finished job has no transfer yet")
    delivered = TransportLeg.objects.filter(
        order_id=order.pk, status=LegStatus.DELIVERED, carrier__isnull=False
    )
    if delivered.exclude(money_transfer__isnull=False).exists():
        reasons.append("a delivered leg has no transfer yet")
    if order.status in ROYALTY_RELEASED_WHEN and royalty_lines_unreleased(order_id=order.pk).exists():
        reasons.append("a designer's royalty has no transfer yet")
    if Transfer.objects.filter(
        order_id=order.pk, status__in=[TransferStatus.PENDING, TransferStatus.FAILED]
    ).exists():
        reasons.append("a transfer is not sent yet")
    if Reversal.objects.filter(
        transfer__order_id=order.pk, status__in=[ReversalStatus.PENDING, ReversalStatus.FAILED]
    ).exists():
        reasons.append("a reversal is not sent yet")
    if Dispute.objects.filter(order_id=order.pk, status=DisputeStatus.OPEN).exists():
        reasons.append("a dispute is open")
    refunds = OrderRefund.objects.filter(order_id=order.pk)
    if refunds.filter(stripe_refund_id="").exists():
        reasons.append("a refund is still being sent")
    recorded = CustomerRefund.objects.filter(order_id=order.pk).values("stripe_refund_id")
    if refunds.exclude(stripe_refund_id="").exclude(stripe_refund_id__in=recorded).exists():
        reasons.append("a refund is not in the ledger yet")
    if CustomerRefund.objects.filter(order_id=order.pk, allocated_at__isnull=True).exists():
        reasons.append("a refund is not allocated yet")
    return reasons


@transaction.atomic
def order_settle(*, order_id: int) -> bool:
    """Settles the order if nothing of its money can move; returns whether it is settled. Idempotent.

    A completed order's designers' royalties are released first (their transfers are sent after commit, and the
    order settles once they are: the sweeper tries again)."""
    money = order_money_lock(order_id=order_id)
    royalty_transfers_release_for_order(order_id=order_id)
    order = Order.objects.get(pk=order_id)
    if order_unsettled_reasons(order=order, money=money):
        if money.settled_at is not None:
            OrderMoney.objects.filter(pk=money.pk).update(settled_at=None, updated_at=timezone.now())
        return False
    sequence = money.settlement_count
    for currency, balance in order_clearing_balance(order_id=order_id).items():
        if balance:
            sequence += 1
            book_settlement(order_id=order_id, currency=currency, clearing_balance=balance, sequence=sequence)
    OrderMoney.objects.filter(pk=money.pk).update(
        settled_at=money.settled_at or timezone.now(), settlement_count=sequence, updated_at=timezone.now()
    )
    return True
