"""Webhook endpoints (per platform, account or Connect) and delivery with Stripe's retries, cancellable by a wipe.

Each platform (API key) is a separate Stripe account, so an endpoint registered with
``POST /_config/webhooks/{id}`` and an ``api_key`` only receives the events of that key's platform (without
``api_key`` it receives every platform's). As with ``POST /v1/webhook_endpoints`` on Stripe, an endpoint is
either an **account** endpoint (the default: events of the platform itself) or a **Connect** endpoint
(``connect=true``: events of its connected accounts, those carrying ``account``); each is signed with its own
secret. ``api_version`` (default: the server's, ``version.API_VERSION``) is stamped on the events it gets, and
``host`` is sent as the ``Host`` header, so an endpoint can be reached on loopback (``http://127.0.0.1:8000``)
while the application routes it by its network's name (``demo.localhost``).

An event's endpoints are chosen when it happens. Each delivery is sent about one second later and, when the
receiver does not answer 2xx (or not at all), retried like Stripe does in live mode: exponential back-off from
5 minutes, at most a day apart, for up to three days (``retries``). Locally that schedule is compressed by
``webhook_time_scale`` (default 1/60: a Stripe minute is a local second, so a delivery gives up after 72 minutes;
tests start the server with a much smaller scale). Every attempt is signed anew with the time of that attempt,
as Stripe does: ``t`` is the sending time (real time, even when the test clock is frozen), not ``created``.

After ``DELETE /_config/data`` deliveries still pending are cancelled, so a test never receives the previous
test's events. ``GET /_test/webhooks/pending`` counts deliveries scheduled, being sent or waiting for a retry;
0 means every event emitted so far reached its endpoints or was given up, so a test can then assert that
nothing else arrived (instead of sleeping).
"""

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from localstripe import resources, webhooks
from localstripe.errors import UserError
from localstripe.server import get_post_data, json_response

from .context import platform_of
from .params import Params
from .platforms import platform_for_key
from .retries import DEFAULT_TIME_SCALE, retry_delays
from .state import on_reset
from .version import API_VERSION

logger = logging.getLogger("aiohttp.access")
# A receiver that never answers must not hold up the endpoints after it for long.
_TIMEOUT = aiohttp.ClientTimeout(total=10)
FIRST_DELIVERY_DELAY_S = 1.0

_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$")


@dataclass(eq=False)
class Endpoint:
    url: str
    secret: str
    events: list[str] | None  # None or ["*"]: every event type
    platform: str | None  # None: every platform's events
    connect: bool
    api_version: str
    host: str | None

    def receives(self, event) -> bool:
        if self.events is not None and "*" not in self.events and event.type not in self.events:
            return False
        if self.platform is not None and self.platform != platform_of(event):
            return False
        return self.connect == bool(getattr(event, "account", None))


class _Schedule:
    time_scale = DEFAULT_TIME_SCALE
    default_time_scale = DEFAULT_TIME_SCALE


schedule = _Schedule()
_endpoints: dict[str, Endpoint] = {}
_pending: set[asyncio.Task] = set()


def set_default_time_scale(value: float) -> None:
    """Called once at start-up with the CLI flag; wipes restore it."""
    schedule.time_scale = schedule.default_time_scale = value


@on_reset
def _restore_time_scale() -> None:
    schedule.time_scale = schedule.default_time_scale


def _payload(event, endpoint: Endpoint) -> bytes:
    body = event._export()
    body["api_version"] = endpoint.api_version
    body["pending_webhooks"] = event.pending_webhooks
    return json.dumps(body, indent=2, sort_keys=True).encode()


def _signature(secret: str, payload: bytes) -> str:
    signed_at = int(time.time())  # this attempt's time: every retry is signed anew
    digest = hmac.new(secret.encode(), b"%d.%s" % (signed_at, payload), hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


async def _post(endpoint: Endpoint, event, attempt: int) -> bool:
    """One attempt; True when the receiver answered 2xx."""
    payload = _payload(event, endpoint)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Stripe-Signature": _signature(endpoint.secret, payload),
    }
    if endpoint.host:
        headers["Host"] = endpoint.host
    try:
        async with (
            aiohttp.ClientSession(timeout=_TIMEOUT) as session,
            session.post(endpoint.url, data=payload, headers=headers) as r,
        ):
            logger.info(
                'webhook "%s" %s to %s (attempt %d) answered %d',
                event.type,
                event.id,
                endpoint.url,
                attempt,
                r.status,
            )
            return 200 <= r.status < 300
    except (TimeoutError, aiohttp.ClientError) as error:
        logger.info(
            'webhook "%s" %s to %s (attempt %d) failed: %s',
            event.type,
            event.id,
            endpoint.url,
            attempt,
            error,
        )
        return False


async def _deliver(event, endpoint_id: str) -> None:
    await asyncio.sleep(FIRST_DELIVERY_DELAY_S)
    delays = retry_delays(schedule.time_scale)
    for attempt, delay in enumerate([0.0, *delays], start=1):
        await asyncio.sleep(delay)
        endpoint = _endpoints.get(endpoint_id)  # as registered now: a deleted endpoint gets no more retries
        if endpoint is None or not endpoint.receives(event):
            return
        if await _post(endpoint, event, attempt):
            event.pending_webhooks -= 1
            return
    logger.info(
        'webhook "%s" %s to %s: gave up after %d attempts', event.type, event.id, endpoint_id, attempt
    )


def schedule_webhook(event) -> None:
    receivers = [endpoint_id for endpoint_id, endpoint in _endpoints.items() if endpoint.receives(event)]
    event.pending_webhooks = len(receivers)
    for endpoint_id in receivers:
        task = asyncio.ensure_future(_deliver(event, endpoint_id))
        _pending.add(task)
        task.add_done_callback(_pending.discard)


@on_reset
def _cancel_pending_deliveries() -> None:
    for task in list(_pending):
        task.cancel()


async def pending_deliveries(request: web.Request) -> web.Response:
    """``GET /_test/webhooks/pending``: deliveries scheduled, being sent or waiting for a retry, to any endpoint.
    0 means every event emitted so far has been delivered (or given up after the last retry)."""
    return json_response({"pending": len(_pending)})


async def register_webhook(request: web.Request) -> web.Response:
    """``POST /_config/webhooks/{id}``: ``url``, ``secret``, optional ``events`` list, ``api_key``, ``connect``,
    ``api_version`` and ``host``. Registering an id again replaces it (pending retries then go to the new one)."""
    p = Params(await get_post_data(request) or {})
    url, secret = p.string("url"), p.string("secret")
    events = p.string_list("events")
    api_key = p.string("api_key")
    connect = p.boolean("connect", default=False)
    api_version = p.string("api_version", default=API_VERSION)
    host = p.string("host")
    p.done()
    platform = platform_for_key(api_key)
    if not url or not url.startswith("http") or not secret:
        raise UserError(400, "Bad request: url (http...) and secret are required")
    if api_key is not None and platform is None:
        raise UserError(400, "Bad request: api_key must be an sk_... or pk_... key")
    if host is not None and not _HOST.match(host):
        raise UserError(400, "Bad request: host must be a host name with an optional :port")
    _endpoints[request.match_info["id"]] = Endpoint(
        url=url,
        secret=secret,
        events=events,
        platform=platform,
        connect=connect,
        api_version=api_version,
        host=host,
    )
    return web.Response()


async def forget_webhook(request: web.Request) -> web.Response:
    _endpoints.pop(request.match_info["id"], None)
    return web.Response()


# localstripe's resources imported the function by name, so both references are replaced.
resources.schedule_webhook = schedule_webhook
webhooks.schedule_webhook = schedule_webhook

ROUTES = [
    ("POST", "/_config/webhooks/{id}", register_webhook),
    ("DELETE", "/_config/webhooks/{id}", forget_webhook),
    ("GET", "/_test/webhooks/pending", pending_deliveries),
]
