"""The money sweeper (beat, every minute, per network): whatever a lost task, a dead worker or a missed hook
left undone is found from the database and done now. Every step is idempotent, so running it while the
regular path is also working changes nothing twice."""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.orders.models import Order, OrderRefund, TransportLeg, WorkItem
from apps.orders.status import PAID_STATES, LegStatus, OrderStatus, WorkItemStatus
from apps.payouts import stripe_client
from apps.payouts.models import CustomerRefund, OrderMoney, Reversal, Transfer, TransferStatus
from apps.payouts.payments.customer_refunds import refund_record, refunds_allocate_pending
from apps.payouts.transfers.settlement import SETTLEABLE, order_settle

logger = logging.getLogger(__name__)

BATCH = 100


def order_refund_record(*, order_refund_id: int) -> CustomerRefund | None:
    """Books an OrderRefund the orders app sent to Stripe (its Stripe id is set). Idempotent."""
    refund = OrderRefund.objects.filter(pk=order_refund_id).first()
    if refund is None or not refund.stripe_refund_id:
        return None
    return refund_record(
        stripe_refund_id=refund.stripe_refund_id,
        charge_id=refund.charge_id,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        order_id=refund.order_id,
        order_refund_id=refund.pk,
    )


def money_sweep(*, now=None) -> dict:
    from apps.payouts.payments.charges import order_charge_record
    from apps.payouts.payments.stranded import awaiting_payments_complete
    from apps.payouts.tasks import reversal_send_task, transfer_send_task
    from apps.payouts.transfers.participant_transfers import (
        sends_due,
        transfer_release_for_leg,
        transfer_release_for_work_item,
        transfers_cancel_for_order,
    )

    now = now or timezone.now()
    done = {
        "paid": awaiting_payments_complete(now=now),
        "charges": 0,
        "releases": 0,
        "sends": 0,
        "reversals": 0,
        "refunds": 0,
        "cancelled": 0,
        "settled": 0,
    }

    booked = OrderMoney.objects.filter(order_id=OuterRef("pk"), charge_id=OuterRef("charge_id"))
    for order_id in (
        Order.objects.filter(status__in=PAID_STATES)
        .exclude(charge_id="")
        .filter(~Exists(booked))
        .values_list("pk", flat=True)[:BATCH]
    ):
        try:
            if order_charge_record(order_id=order_id):
                done["charges"] += 1
        except stripe_client.StripeCallError as error:
            logger.warning("Sweep: charge of order %s not booked: %s", order_id, error)

    released_item = Transfer.objects.filter(work_item_id=OuterRef("pk"))
    for item_id in (
        WorkItem.objects.filter(status=WorkItemStatus.DONE, asset_owner__isnull=False)
        .filter(~Exists(released_item))
        .values_list("pk", flat=True)[:BATCH]
    ):
        done["releases"] += bool(transfer_release_for_work_item(work_item_id=item_id))
    released_leg = Transfer.objects.filter(transport_leg_id=OuterRef("pk"))
    for leg_id in (
        TransportLeg.objects.filter(status=LegStatus.DELIVERED, carrier__isnull=False)
        .filter(~Exists(released_leg))
        .values_list("pk", flat=True)[:BATCH]
    ):
        done["releases"] += bool(transfer_release_for_leg(leg_id=leg_id))

    for transfer_id in sends_due(Transfer, now=now, limit=BATCH):
        transfer_send_task.delay(str(transfer_id))
        done["sends"] += 1
    for reversal_id in sends_due(Reversal, now=now, limit=BATCH):
        reversal_send_task.delay(str(reversal_id))
        done["reversals"] += 1

    recorded = CustomerRefund.objects.filter(stripe_refund_id=OuterRef("stripe_refund_id"))
    for refund_id in (
        OrderRefund.objects.exclude(stripe_refund_id="")
        .filter(~Exists(recorded))
        .values_list("pk", flat=True)[:BATCH]
    ):
        done["refunds"] += bool(order_refund_record(order_refund_id=refund_id))
    done["refunds"] += refunds_allocate_pending(limit=BATCH)

    open_transfers = Transfer.objects.filter(
        order_id=OuterRef("pk"), status__in=[TransferStatus.PENDING, TransferStatus.FAILED]
    )
    for order_id in (
        Order.objects.filter(status=OrderStatus.CANCELLED)
        .filter(Exists(open_transfers))
        .values_list("pk", flat=True)[:BATCH]
    ):
        done["cancelled"] += transfers_cancel_for_order(order_id=order_id, reason="Order cancelled")

    unsettled = OrderMoney.objects.filter(order_id=OuterRef("pk"), settled_at__isnull=True)
    for order_id in (
        Order.objects.filter(status__in=SETTLEABLE)
        .filter(Exists(unsettled))
        .values_list("pk", flat=True)[:BATCH]
    ):
        done["settled"] += order_settle(order_id=order_id)
    return done
