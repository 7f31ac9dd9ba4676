"""Disputes (chargebacks): the withdrawn amount and Stripe's dispute fee are booked when the funds leave, the
loss is charged to the order when the dispute is lost, the funds come back when it is won.

Events may arrive late, twice or out of order: a dispute's status here only moves forward (open → won/lost),
and every booking is keyed by the dispute, so replays change nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from apps.orders.scope import Scope
from apps.orders.services.refunds import order_mark_disputed
from apps.orders.status import InvalidTransition
from apps.outbox.services import outbox_enqueue
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_dispute, book_dispute_lost, book_dispute_won
from apps.payouts.models import Dispute, DisputeStatus, OrderMoney
from apps.payouts.payments.charges import order_id_for_charge_id, order_money_lock

logger = logging.getLogger(__name__)


def _final_status(stripe_status: str) -> str:
    if stripe_status in ("won", "warning_closed"):
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
    newly_open = False
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
        newly_open = created
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
        updates = {"stripe_status": dispute.get("status") or ""}
        if row.status == DisputeStatus.OPEN and status != DisputeStatus.OPEN:
            changed = True
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
        Dispute.objects.filter(pk=row.pk).update(**updates)
        if money is not None and changed:
            # Money of a settled order moved again: it is reopened and settles anew once the dispute is decided.
            OrderMoney.objects.filter(pk=money.pk).update(settled_at=None, updated_at=timezone.now())
            outbox_enqueue(task_name="payouts.order_settle", kwargs={"order_id": money.order_id})
    if newly_open and order_id:
        try:
            order_mark_disputed(
                order_id=order_id,
                actor=None,
                actor_label="Stripe",
                reason=f"Dispute {dispute['id']}",
                scope=Scope.SYSTEM,
            )
        except InvalidTransition:
            logger.info("Order %s could not be marked disputed (status does not allow it)", order_id)
    row.refresh_from_db()
    return row
