"""Webhook handlers for PaymentIntents: a customer's payment succeeded or failed, applied to its order.

The confirm response (checkout) and the `payment_intent.succeeded` webhook may arrive in either order; both
end in the same compare-and-swap (awaiting_payment → paid), so whichever comes second changes nothing.
"""

from __future__ import annotations

from apps.orders.checkout import payment_intent_failed_apply, payment_intent_succeeded_apply
from apps.payouts.webhooks.registry import event_object, handles


@handles("payment_intent.succeeded")
def payment_intent_succeeded(event: dict) -> None:
    intent = event_object(event)
    if intent.get("id") and intent.get("status") == "succeeded":
        payment_intent_succeeded_apply(intent=intent, actor_label="Stripe webhook")


@handles("payment_intent.payment_failed")
def payment_intent_payment_failed(event: dict) -> None:
    intent = event_object(event)
    if intent.get("id") and intent.get("status") != "succeeded":  # a retry succeeded since: not a failure
        payment_intent_failed_apply(intent=intent, actor_label="Stripe webhook")
