"""Event type → handler. Handlers are idempotent and order-independent: they re-read state from Stripe or
compare-and-swap our own state, so a duplicate or late event changes nothing.

Handler modules (apps/payouts/webhooks/handlers/, one per event family) register themselves with @handles;
importing apps.payouts.webhooks.handlers imports them all.
"""

from collections.abc import Callable

Handler = Callable[[dict], None]

HANDLERS: dict[str, Handler] = {}


def handles(*event_types: str):
    def register(fn: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS[event_type] = fn
        return fn

    return register


def event_object(event: dict) -> dict:
    """The Stripe object an event is about (`data.object`), or {}."""
    return (event.get("data") or {}).get("object") or {}
