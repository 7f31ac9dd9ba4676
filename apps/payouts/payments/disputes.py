"""Disputes (chargebacks and inquiries): the withdrawn amount and Stripe's dispute fee are booked when the funds
leave, the loss is charged to the order when the dispute is lost, the funds come back when it is won.

Every status Stripe has maps to one of ours (`stripe_status` keeps Stripe's word):

| Stripe                                         | ours | the order                                      |
| ---------------------------------------------- | ---- | ---------------------------------------------- |
| `warning_needs_response`, `warning_under_review` (an inquiry) | open | unchanged: nothing was withdrawn and the charge can still be refunded; it does not settle |
| `needs_response`, `under_review` (a chargeback) | open | disputed: no refund (Stripe refuses them), no shipping on, no settlement |
| `won`                                          | won  | back to the state it was disputed in; settles from there |
| `warning_closed`                               | won  | unchanged (it never was disputed); settles      |
| `prevented` (no chargeback: Stripe refunded the customer, a refund booked through customer_refunds) | won | unchanged; settles |
| `lost`                                         | lost | refunded (the bank gave the money back); the loss is charged to the order; settles |

While a dispute is open the order's money is not settled (transfers/settlement.py). Events may arrive late,
twice or out of order: a dispute's status here only moves forward (open → won/lost), and every booking is keyed
by the dispute, so replays change nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from apps.orders.models import Order
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_dispute_decided, order_mark_disputed
from apps.orders.status import InvalidTransition, OrderStatus
from apps.outbox.services import outbox_enqueue
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_dispute, book_dispute_lost, book_dispute_won
from apps.payouts.models import Dispute, DisputeStatus, OrderMoney
from apps.payouts.payments.charges import order_id_for_charge_id, order_money_lock

logger = logging.getLogger(__name__)


# A chargeback still to be decided: the funds are withdrawn and Stripe refuses refunds of the charge.
CHARGEBACK_OPEN = frozenset({"needs_response", "under_review"})


def _final_status(stripe_status: str) -> str:
    if stripe_status in ("won", "warning_closed", "prevented"):
        return DisputeStatus.WON
    if stripe_status == "lost":
        return DisputeStatus.LOST
    return DisputeStatus.OPEN


def dispute_record(*, dispute: dict) -> Dispute:
    """Applies one dispute as Stripe describes it (an event's `data.object`). Idempotent and monotonic."""
    charge_id = (
        dispute["charge"]["id"] if isinstance(dispute.get("charge"), dict) else dispute.get("charge", "")
    )
    order_id = order_id_for_charge_id(charge_id)
    currency = str(dispute["currency"]).upper()
    txns = [t for t in dispute.get("balance_transactions") or [] if isinstance(t, dict)]
    withdrawal = next((t for t in txns if int(t["amount"]) < 0), None)
    reinstatement = next((t for t in txns if int(t["amount"]) > 0), None)
    decided = ""
    with transaction.atomic():
        money = order_money_lock(order_id=order_id) if order_id else None
        row, created = Dispute.objects.select_for_update().get_or_create(
            stripe_dispute_id=dispute["id"],
            defaults={
                "order_id": order_id,
                "charge_id": charge_id,
                "amount_minor": int(dispute["amount"]),
                "currency": currency,
                "reason": dispute.get("reason") or "",
            },
        )
        changed = created
        if withdrawal is not None:
            fee = int(withdrawal.get("fee") or 0)
            _, booked = book_dispute(
                order_id=order_id,
                currency=currency,
                dispute_id=dispute["id"],
                balance_transaction_id=withdrawal["id"],
                amount_minor=-int(withdrawal["amount"]),
                fee_minor=fee,
                effective_at=from_unix(withdrawal.get("created")),
            )
            changed |= booked
            Dispute.objects.filter(pk=row.pk).update(fee_minor=fee, balance_transaction_id=withdrawal["id"])
        status = _final_status(dispute.get("status") or "")
        # Stripe's status is followed while the dispute is open; a late event never rewrites a decided one.
        updates = {"stripe_status": dispute.get("status") or ""} if row.status == DisputeStatus.OPEN else {}
        if row.status == DisputeStatus.OPEN and status != DisputeStatus.OPEN:
            changed = True
            decided = status
            updates.update(status=status, closed_at=timezone.now())
            if status == DisputeStatus.LOST and order_id:
                book_dispute_lost(
                    order_id=order_id,
                    currency=currency,
                    dispute_id=dispute["id"],
                    amount_minor=row.amount_minor,
                )
        if reinstatement is not None:
            _, reinstated = book_dispute_won(
                order_id=order_id,
                currency=currency,
                dispute_id=dispute["id"],
                balance_transaction_id=reinstatement["id"],
                amount_minor=int(reinstatement["amount"]),
                effective_at=from_unix(reinstatement.get("created")),
            )
            changed |= reinstated
        if updates:
            Dispute.objects.filter(pk=row.pk).update(**updates)
        row.refresh_from_db()
        if order_id:
            _order_follow(row=row, decided=decided)  # in the transaction: a failure leaves the event to retry
        if money is not None and changed:
            # Money of a settled order moved again: it is reopened and settles anew once the dispute is decided.
            OrderMoney.objects.filter(pk=money.pk).update(settled_at=None, updated_at=timezone.now())
            outbox_enqueue(task_name="payouts.order_settle", kwargs={"order_id": money.order_id})
    return row


# What the order's timeline says of a dispute (the customer reads it): Stripe's status in words, never its codes.
DISPUTE_WORDS = {
    "needs_response": "The payment was disputed with the card issuer; we are answering it.",
    "under_review": "The payment dispute is being reviewed by the card issuer.",
    "won": "The payment dispute was decided in the network's favour.",
    "lost": "The payment dispute was decided in the card holder's favour.",
}


def dispute_in_words(stripe_status: str) -> str:
    return DISPUTE_WORDS.get(stripe_status, "The payment dispute was closed.")


def _order_follow(*, row: Dispute, decided: str) -> None:
    """The order's state follows the dispute: disputed while a chargeback is open, decided when it closes."""
    if row.status == DisputeStatus.OPEN and row.stripe_status in CHARGEBACK_OPEN:
        if Order.objects.filter(pk=row.order_id).exclude(status=OrderStatus.DISPUTED).exists():
            try:
                order_mark_disputed(
                    order_id=row.order_id,
                    actor=None,
                    actor_label="Stripe",
                    reason=dispute_in_words(row.stripe_status),
                    scope=Scope.SYSTEM,
                )
            except InvalidTransition:
                logger.info("Order %s could not be marked disputed (status does not allow it)", row.order_id)
        return
    still_open = Dispute.objects.filter(
        order_id=row.order_id, status=DisputeStatus.OPEN, stripe_status__in=CHARGEBACK_OPEN
    )
    if decided and not still_open.exists():
        order_dispute_decided(
            order_id=row.order_id,
            lost=decided == DisputeStatus.LOST,
            reason=dispute_in_words(row.stripe_status),
            scope=Scope.SYSTEM,
        )
