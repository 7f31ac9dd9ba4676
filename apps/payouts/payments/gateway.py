"""Orders' payments at the Stripe door: the payment gateway orders' checkout uses (wired in settings as
ORDERS_PAYMENT_GATEWAY). The webhook handlers that apply a PaymentIntent's result to its order are in
apps/payouts/webhooks/handlers/payment_intents.py.
"""

from __future__ import annotations

from apps.orders import ports
from apps.payouts import stripe_client
from apps.payouts.models import StripeMode


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
        if error.code == "charge_disputed":
            raise ports.PaymentDisputed(ports.PaymentDisputed.MESSAGE) from None
        if error.permanent:
            raise ports.PaymentRefused(str(error), code=error.code or str(error.http_status)) from None
        raise ports.PaymentUnavailable(str(error)) from None
