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


from apps.payouts import handlers_connect  # noqa: E402, F401 - registers the Connect handlers at startup
from apps.payouts import handlers_payments  # noqa: E402, F401 - registers the order payment handlers at startup
