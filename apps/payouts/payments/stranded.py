"""Payments Stripe took whose news never reached us: an order awaiting payment whose PaymentIntent succeeded
(the confirm answer and the `payment_intent.succeeded` event both lost) is completed by the money sweeper through
the webhook's own service (`payment_intent_succeeded_apply`), so a paid order never waits on a lost event.

Stripe is asked about the current intent of orders still awaiting payment, oldest due first, at most a batch per
run, and each one less often as it ages (every quarter of its age, at most every 6 h; not after 7 days)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.orders.checkout import payment_intent_succeeded_apply
from apps.orders.models import OrderPayment, PaymentStatus
from apps.orders.services.orders import PaymentOutcome, order_payment_check_schedule
from apps.orders.status import OrderStatus
from apps.payouts import stripe_client

logger = logging.getLogger(__name__)

CHECK_GRACE = timedelta(minutes=2)  # the confirm answer and the event normally arrive within seconds
CHECK_INTERVAL_MAX = timedelta(hours=6)
CHECK_FOR = timedelta(days=7)
CHECK_BATCH = 20


def _next_check(*, now, created_at):
    return now + min(max((now - created_at) / 4, CHECK_GRACE), CHECK_INTERVAL_MAX)


def awaiting_payments_due(*, now=None, limit: int = CHECK_BATCH) -> list[OrderPayment]:
    """The current payments of orders awaiting payment that are due to be asked about, oldest due first."""
    now = now or timezone.now()
    return list(
        OrderPayment.objects.filter(
            order__status=OrderStatus.AWAITING_PAYMENT,
            quote_revision=F("order__quote_revision"),
            created_at__gte=now - CHECK_FOR,
        )
        .exclude(status=PaymentStatus.SUCCEEDED)
        .filter(
            Q(stripe_next_check_at__isnull=True, created_at__lte=now - CHECK_GRACE)
            | Q(stripe_next_check_at__lte=now)
        )
        .order_by(Coalesce("stripe_next_check_at", "created_at"), "pk")[:limit]
    )


def awaiting_payments_complete(*, now=None, limit: int = CHECK_BATCH) -> int:
    """Asks Stripe about the due payments; completes the orders whose intent succeeded. Returns how many."""
    now = now or timezone.now()
    completed = 0
    for payment in awaiting_payments_due(now=now, limit=limit):
        order_payment_check_schedule(
            payment_id=payment.pk, next_check_at=_next_check(now=now, created_at=payment.created_at)
        )
        try:
            intent = stripe_client.payment_intent_retrieve(payment_intent_id=payment.payment_intent_id)
        except stripe_client.StripeCallError as error:
            logger.warning("Sweep: payment %s not checked: %s", payment.payment_intent_id, error)
            continue
        if intent.get("status") != "succeeded":
            continue
        outcome = payment_intent_succeeded_apply(intent=intent, actor_label="money sweeper")
        if outcome == PaymentOutcome.APPLIED:
            logger.warning("Sweep: order %s was paid without its news arriving", payment.order_id)
            completed += 1
    return completed
