"""Events rendered at another API version than the one we parse (stripe_client.API_VERSION).

Stripe renders an event's `data.object` at the API version of the endpoint that receives it. An endpoint created
with an older version (or left behind when we upgrade) would hand the handlers shapes they do not parse — a
PaymentIntent with a `charges` list, a charge listing its `refunds` — or miss fields they need. Refusing such
an event would strand money (a lost dispute, a Dashboard refund) until someone fixed the endpoint, so instead
the object is read again from the API at the pinned version and the handler gets that; the event itself stays
stored as received. A warning names the endpoint's version, so the mismatch is seen and fixed, not lived with.
Objects we never read (any type without a handler that needs its fields) pass through unchanged.
"""

from __future__ import annotations

import logging

from apps.payouts import stripe_client
from apps.payouts.webhooks.registry import event_object

logger = logging.getLogger(__name__)


def event_at_pinned_version(event: dict) -> dict:
    """The event as the handlers expect it: `data.object` rendered at stripe_client.API_VERSION."""
    version = event.get("api_version") or ""
    if version == stripe_client.API_VERSION:
        return event
    obj = event_object(event)
    if not obj.get("id") or not obj.get("object"):
        return event
    fresh = stripe_client.object_retrieve(
        object_type=obj["object"], object_id=obj["id"], stripe_account=event.get("account") or None
    )
    if fresh is None:
        return event
    logger.warning(
        "Stripe event %s (%s) has API version %r; webhook endpoints must use %s. Its %s was read again at %s.",
        event.get("id"),
        event.get("type"),
        version,
        stripe_client.API_VERSION,
        obj["object"],
        stripe_client.API_VERSION,
    )
    return {**event, "api_version": stripe_client.API_VERSION, "data": {**event["data"], "object": fresh}}
