"""Webhook endpoints (optionally per platform) and delivery that a wipe can cancel.

Each platform (API key) is a separate Stripe account, so an endpoint registered with
``POST /_config/webhooks/{id}`` and an ``api_key`` only receives the events of that key's platform:
events of requests made with the key, of its connected accounts, and of test controls acting on its
objects. Without ``api_key`` an endpoint receives every platform's events (as before).

Signing and sending mirror localstripe's ``_send_webhook`` (which cannot filter per endpoint): each
event is sent about one second after it is created, to the endpoints registered *at sending time*.
After ``DELETE /_config/data`` the next test registers its own endpoint and would receive events still
in flight from the previous test, so pending deliveries are remembered and cancelled on wipe.
``GET /_test/webhooks/pending`` tells how many are still scheduled or being sent, so a test can wait until
every delivery is done before asserting that nothing else arrived (instead of sleeping).

As on Stripe, the signature's ``t`` is the time of sending (real time), not the event's ``created``: the
receiver checks it against its own clock, and ``created`` follows the server's test clock (``clock``).
"""

import asyncio
import hashlib
import hmac
import json
import logging
import time

import aiohttp
from aiohttp import web
from localstripe import resources, webhooks
from localstripe.errors import UserError
from localstripe.server import get_post_data, json_response

from .context import platform_of
from .platforms import platform_for_key
from .state import on_reset

logger = logging.getLogger("aiohttp.access")
# A receiver that never answers must not hold up the endpoints after it for long.
_TIMEOUT = aiohttp.ClientTimeout(total=10)
_pending: set[asyncio.Task] = set()


def _receives(webhook, event) -> bool:
    if webhook.events is not None and event.type not in webhook.events:
        return False
    platform = getattr(webhook, "platform", None)  # None: registered without api_key, gets everything
    return platform is None or platform == platform_of(event)


async def _post(webhook, event, payload: bytes) -> None:
    signed_at = int(time.time())
    signature = hmac.new(webhook.secret.encode(), b"%d.%s" % (signed_at, payload), hashlib.sha256)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": f"t={signed_at},v1={signature.hexdigest()}",
    }
    try:
        async with (
            aiohttp.ClientSession(timeout=_TIMEOUT) as session,
            session.post(webhook.url, data=payload, headers=headers) as r,
        ):
            logger.info('webhook "%s" to %s answered %d', event.type, webhook.url, r.status)
    except (TimeoutError, aiohttp.ClientError) as error:
        logger.info('webhook "%s" to %s failed: %s', event.type, webhook.url, error)


async def _send(event) -> None:
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode()
    await asyncio.sleep(1)
    for webhook in list(webhooks._webhooks.values()):
        if _receives(webhook, event):
            await _post(webhook, event, payload)


def schedule_webhook(event) -> None:
    task = asyncio.ensure_future(_send(event))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


@on_reset
def _cancel_pending_deliveries() -> None:
    for task in list(_pending):
        task.cancel()


async def pending_deliveries(request: web.Request) -> web.Response:
    """``GET /_test/webhooks/pending``: events scheduled or being sent, to any endpoint. A delivery counts
    until its receiver answered (or failed), so 0 means every event emitted so far has been delivered."""
    return json_response({"pending": len(_pending)})


async def register_webhook(request: web.Request) -> web.Response:
    """``POST /_config/webhooks/{id}``: ``url``, ``secret``, optional ``events`` list and ``api_key``."""
    data = await get_post_data(request) or {}
    url, secret, events = data.get("url"), data.get("secret"), data.get("events")
    api_key = data.get("api_key") or None
    platform = platform_for_key(api_key)
    if not isinstance(url, str) or not url.startswith("http") or not isinstance(secret, str) or not secret:
        raise UserError(400, "Bad request: url (http...) and secret are required")
    if events is not None and not isinstance(events, list):
        raise UserError(400, "Bad request: events must be a list")
    if api_key is not None and platform is None:
        raise UserError(400, "Bad request: api_key must be an sk_... or pk_... key")
    webhook = webhooks.Webhook(url, secret, events)
    webhook.platform = platform
    webhooks._webhooks[request.match_info["id"]] = webhook
    return web.Response()


async def forget_webhook(request: web.Request) -> web.Response:
    webhooks._webhooks.pop(request.match_info["id"], None)
    return web.Response()


# localstripe's resources imported the function by name, so both references are replaced.
resources.schedule_webhook = schedule_webhook
webhooks.schedule_webhook = schedule_webhook

ROUTES = [
    ("POST", "/_config/webhooks/{id}", register_webhook),
    ("DELETE", "/_config/webhooks/{id}", forget_webhook),
    ("GET", "/_test/webhooks/pending", pending_deliveries),
]
