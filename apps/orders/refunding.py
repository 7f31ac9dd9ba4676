"""Sending refunds through the payment port, after their rows are committed; cancel-and-refund for callers.

The money engineer's ledger learns of every refund through the "order.refunded" hook (apps/orders/hooks.py),
published when Stripe accepted it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from apps.orders import ports
from apps.orders.models import OrderRefund
from apps.orders.services.refunds import order_cancel, order_refund_sent

logger = logging.getLogger(__name__)


RETRY_BASE_S = 60
RETRY_CAP_S = 3600


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_S * 2 ** max(attempts - 1, 0), RETRY_CAP_S))


def refund_issue(*, refund_id: int, charge_id: str = "") -> OrderRefund:
    """Sends a recorded refund to Stripe with its own idempotency key.

    A failure Stripe may get over (no answer, 429, 5xx) is kept for the retry sweep with a growing delay; a
    refusal for good (PaymentRefused: a disputed or already refunded charge…) is recorded with Stripe's code and
    not retried — finance sees it. Call outside a transaction (it talks to Stripe).
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
    except ports.PaymentRefused as error:
        logger.warning("Refund %s refused by Stripe (%s): %s", refund_id, error.code, error)
        OrderRefund.objects.filter(pk=refund_id).update(
            last_error=str(error)[:300],
            last_error_code=error.code[:100],
            attempts=F("attempts") + 1,
            next_attempt_at=None,
            refused_at=timezone.now(),
        )
        return OrderRefund.objects.get(pk=refund_id)
    except (ports.PaymentUnavailable, ports.PaymentDeclined) as error:
        logger.warning("Refund %s not sent yet: %s", refund_id, error)
        OrderRefund.objects.filter(pk=refund_id).update(
            last_error=str(error)[:300],
            last_error_code="",
            attempts=refund.attempts + 1,
            next_attempt_at=timezone.now() + _retry_delay(refund.attempts + 1),
        )
        return OrderRefund.objects.get(pk=refund_id)
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


def refunds_retry_pending(*, older_than: timedelta = timedelta(minutes=1), now=None) -> int:
    """Re-sends refunds Stripe has not accepted yet and whose next attempt is due (same keys: never twice);
    refunds Stripe refused for good wait for a person. Returns how many were tried."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True, created_at__lt=now - older_than) | Q(next_attempt_at__lte=now)
    pending = list(
        OrderRefund.objects.filter(due, stripe_refund_id="", refused_at__isnull=True)
        .exclude(charge_id="")
        .order_by(F("created_at").asc())
        .values_list("pk", flat=True)[:100]
    )
    for refund_id in pending:
        refund_issue(refund_id=refund_id)
    return len(pending)
