"""Webhook handlers, one module per event family. Importing this package registers every handler."""

from apps.payouts.webhooks.handlers import (  # noqa: F401 - each module registers its handlers with @handles
    accounts,
    charges,
    payment_intents,
    payouts,
    transfers,
)
from apps.payouts.webhooks.registry import HANDLERS

__all__ = ["HANDLERS"]
