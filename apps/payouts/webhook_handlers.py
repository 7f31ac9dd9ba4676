"""Event type → handler. Handlers are idempotent and order-independent: they re-read state from Stripe or
compare-and-swap our own state, so a duplicate or late event changes nothing."""

from collections.abc import Callable

Handler = Callable[[dict], None]

HANDLERS: dict[str, Handler] = {}


def handles(*event_types: str):
    def register(fn: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS[event_type] = fn
        return fn

    return register


# Handler modules register themselves with @handles when imported; import them once, here, at startup.
from apps.payouts import handlers_connect, handlers_money, handlers_payments  # noqa: E402, F401
