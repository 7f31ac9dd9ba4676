"""Event type → handler, and which of a network's two webhook endpoints delivers each type.

Handlers are idempotent and order-independent: they re-read state from Stripe or compare-and-swap our own state,
so a duplicate or late event changes nothing.

Stripe delivers the platform's own events to an *account* endpoint and its connected accounts' events (those
carrying `account`) to a *Connect* endpoint, each signed with that endpoint's secret. `handles(...,
endpoints=...)` says where a handler's events come from; `events_for` lists what each endpoint must be
subscribed to (the admin's Stripe settings page shows it, `make run` registers it with the local server).

Handler modules (apps/payouts/webhooks/handlers/, one per event family) register themselves with @handles;
importing apps.payouts.webhooks.handlers imports them all.
"""

from collections.abc import Callable
from enum import StrEnum

Handler = Callable[[dict], None]


class WebhookEndpoint(StrEnum):
    ACCOUNT = "account"  # the platform's own events, at /stripe/webhook/
    CONNECT = "connect"  # connected accounts' events, at /stripe/webhook/connect/


HANDLERS: dict[str, Handler] = {}
_ENDPOINTS: dict[str, frozenset[WebhookEndpoint]] = {}


def handles(*event_types: str, endpoints: tuple[WebhookEndpoint, ...] = (WebhookEndpoint.ACCOUNT,)):
    def register(fn: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS[event_type] = fn
            _ENDPOINTS[event_type] = frozenset(endpoints)
        return fn

    return register


def events_for(endpoint: WebhookEndpoint) -> list[str]:
    """The event types `endpoint` must be subscribed to in Stripe, sorted."""
    return sorted(event_type for event_type, endpoints in _ENDPOINTS.items() if endpoint in endpoints)


def event_object(event: dict) -> dict:
    """The Stripe object an event is about (`data.object`), or {}."""
    return (event.get("data") or {}).get("object") or {}
