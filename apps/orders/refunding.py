"""Sending refunds through the payment port, after their rows are committed; cancel-and-refund for callers.

The money engineer's ledger learns of every refund through the "order.refunded" hook (apps/orders/hooks.py),
published when Stripe accepted it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from apps.orders import ports
from apps.orders.models import OrderRefund
from apps.orders.services.refunds import order_cancel, order_refund_sent

logger = logging.getLogger(__name__)


def refund_issue(*, refund_id: int, charge_id: str = "") -> OrderRefund:
    """Sends a recorded refund to Stripe with its own idempotency key; a failure is kept for the retry sweep.

    Call outside a transaction (it talks to Stripe).
    """
    refund = OrderRefund.objects.get(pk=refund_id)
    if refund.stripe_refund_id:
        return refund
    charge = charge_id or refund.charge_id
    if not charge:
        OrderRefund.objects.filter(pk=refund_id).update(last_error="No charge to refund.")
        return refund
    try:
        result = ports.payments().refund_create(
            charge_id=charge,
            amount_minor=refund.amount_minor,
            metadata={"order_id": str(refund.order_id), "refund_id": str(refund.pk)},
            idempotency_key=refund.idempotency_key,
        )
    except (ports.PaymentUnavailable, ports.PaymentDeclined) as error:
        logger.warning("Refund %s not sent yet: %s", refund_id, error)
        OrderRefund.objects.filter(pk=refund_id).update(last_error=str(error)[:300])
        return refund
    return order_refund_sent(refund_id=refund_id, stripe_refund_id=result["id"])


def order_cancel_and_refund(
    *, order_id: int, actor, reason: str, scope, actor_label: str = ""
) -> OrderRefund | None:
    """Cancels (before production) and, when paid, refunds in full with key `order:<id>:refund:full`.

    `scope` is the customer cancelling their own order, or Scope.STAFF (apps/orders/scope.py)."""
    refund = order_cancel(order_id=order_id, actor=actor, reason=reason, scope=scope, actor_label=actor_label)
    if refund is None:
        return None
    return refund_issue(refund_id=refund.pk)


def refunds_retry_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Re-sends refunds Stripe has not accepted yet (same keys: never twice). Returns how many were tried."""
    cutoff = timezone.now() - older_than
    pending = list(
        OrderRefund.objects.filter(stripe_refund_id="", created_at__lt=cutoff)
        .exclude(charge_id="")
        .order_by(F("created_at").asc())
        .values_list("pk", flat=True)[:100]
    )
    for refund_id in pending:
        refund_issue(refund_id=refund_id)
    return len(pending)
