"""Orders' payments at the Stripe door: the payment gateway orders' checkout uses (wired in settings as
ORDERS_PAYMENT_GATEWAY), and the webhook handlers that apply a PaymentIntent's result to its order.

The confirm response (checkout) and the `payment_intent.succeeded` webhook may arrive in either order; both
end in the same compare-and-swap (awaiting_payment → paid), so whichever comes second changes nothing.
"""

from __future__ import annotations

from apps.orders import ports
from apps.orders.checkout import payment_intent_failed_apply, payment_intent_succeeded_apply
from apps.payouts import stripe_client
from apps.payouts.models import StripeMode
from apps.payouts.webhook_handlers import handles


class StripeOrderPayments:
    """apps.orders.ports.PaymentGateway over the Stripe door; Stripe's errors become the port's two kinds."""

    def mode(self) -> str:
        row = stripe_client.stripe_settings_get()
        return StripeMode.STRIPE if row.mode == StripeMode.STRIPE and row.secret_key else StripeMode.LOCAL

    def publishable_key(self) -> str:
        return stripe_client.stripe_settings_get().publishable_key

    def intent_create(
        self, *, amount_minor: int, currency: str, transfer_group: str, metadata: dict, idempotency_key: str
    ) -> dict:
        return _translated(
            stripe_client.payment_intent_create,
            amount_minor=amount_minor,
            currency=currency,
            transfer_group=transfer_group,
            metadata=metadata,
            idempotency_key=idempotency_key,
        )

    def intent_confirm(self, *, payment_intent_id: str, payment_method: str, idempotency_key: str) -> dict:
        return _translated(
            stripe_client.payment_intent_confirm,
            payment_intent_id=payment_intent_id,
            payment_method=payment_method,
            idempotency_key=idempotency_key,
        )

    def intent_retrieve(self, *, payment_intent_id: str) -> dict:
        return _translated(stripe_client.payment_intent_retrieve, payment_intent_id=payment_intent_id)

    def refund_create(
        self, *, charge_id: str, amount_minor: int, metadata: dict, idempotency_key: str
    ) -> dict:
        return _translated(
            stripe_client.refund_create,
            charge_id=charge_id,
            amount_minor=amount_minor,
            metadata=metadata,
            idempotency_key=idempotency_key,
        )


def _translated(call, **kwargs) -> dict:
    try:
        return call(**kwargs)
    except stripe_client.CardDeclined as declined:
        raise ports.PaymentDeclined(str(declined) or "Your card was declined.") from None
    except stripe_client.IdempotencyConflict:
        raise  # the same key with other parameters is a programming error, never a customer's problem
    except stripe_client.StripeCallError as error:
        raise ports.PaymentUnavailable(str(error)) from None


@handles("payment_intent.succeeded")
def payment_intent_succeeded(event: dict) -> None:
    intent = (event.get("data") or {}).get("object") or {}
    if intent.get("id") and intent.get("status") == "succeeded":
        payment_intent_succeeded_apply(intent=intent, actor_label="Stripe webhook")


@handles("payment_intent.payment_failed")
def payment_intent_payment_failed(event: dict) -> None:
    intent = (event.get("data") or {}).get("object") or {}
    if intent.get("id"):
        payment_intent_failed_apply(intent=intent, actor_label="Stripe webhook")
