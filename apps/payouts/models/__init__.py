"""Payouts models, one module per concern; every model is re-exported here for Django and callers."""

from apps.payouts.models.stripe_state import (
    StripeMode,
    StripeSettings,
    StripeWrite,
    WebhookEvent,
    WebhookEventStatus,
)

__all__ = ["StripeMode", "StripeSettings", "StripeWrite", "WebhookEvent", "WebhookEventStatus"]
