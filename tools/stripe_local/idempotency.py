"""``Idempotency-Key`` semantics for every ``POST /v1/...``, kept in memory until the next wipe.

The first request with a key runs and its response (status + body) is stored; a later request with
the same key and the same method, path, ``Stripe-Account`` and parameters gets that response again,
with ``Idempotent-Replayed: true``. The same key with anything different is an ``idempotency_error``
(HTTP 400); a key whose first request is still running answers 409 (the SDK retries those).
Keys are per platform (API key): two tenants using the same key create two objects, as on Stripe.
Within a platform the key is shared by its accounts and ``Stripe-Account`` must match (stricter than
Stripe, which would run the request again on another account: reusing a key there is a client bug).
As on Stripe, only requests that actually executed are stored: successes and card errors (402).
Validation failures (other 4xx) and 5xx are not stored, so retrying them runs the request again.
Keys expire 24 hours after their first request, by the server's clock (``/_test/clock``): as on Stripe, which
prunes keys once they are at least 24 hours old, the same key after that runs the request again — so a test
can show what a blind re-send of an old write would do.
"""

import json
from dataclasses import dataclass

from aiohttp import web
from localstripe.errors import UserError
from localstripe.server import get_post_data, json_response

from . import clock
from .context import current_platform
from .state import on_reset

KEY_LIFETIME_S = 24 * 60 * 60


@dataclass
class _Entry:
    fingerprint: str
    created: int  # the server clock's time of the first request
    status: int | None = None  # None while the first request is still running
    body: bytes = b""
    content_type: str = "application/json"


_entries: dict[tuple[str | None, str], _Entry] = {}  # (platform, Idempotency-Key) -> entry
on_reset(_entries.clear)


def _error(status: int, message: str, type: str, code: str | None = None) -> web.Response:
    error = {"type": type, "message": message}
    if code:
        error["code"] = code
    return json_response({"error": error}, status=status)


def _stored_response(key: str, entry: _Entry) -> web.Response:
    response = web.Response(body=entry.body, status=entry.status, content_type=entry.content_type)
    response.headers["Idempotency-Key"] = key
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _forget(scoped_key: tuple, entry: _Entry) -> None:
    if _entries.get(scoped_key) is entry:  # it may have been wiped (and the key reused) meanwhile
        del _entries[scoped_key]


def _should_store(status: int) -> bool:
    return 200 <= status < 300 or status == 402


@web.middleware
async def idempotency_middleware(request: web.Request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)

    params = await get_post_data(request) or {}
    fingerprint = json.dumps(
        [request.method, request.path, request.headers.get("Stripe-Account"), params],
        sort_keys=True,
        default=str,
    )
    scoped_key = (current_platform(), key)
    entry = _entries.get(scoped_key)
    if entry is not None and entry.status is not None and clock.now() - entry.created >= KEY_LIFETIME_S:
        del _entries[scoped_key]  # expired: the key is new again
        entry = None
    if entry is not None:
        if entry.fingerprint != fingerprint:
            return _error(
                400,
                f"Keys for idempotent requests can only be used with the same parameters they were first used "
                f"with. Try using a key other than '{key}' if you meant to execute a different request.",
                "idempotency_error",
            )
        if entry.status is None:
            return _error(
                409,
                "There is currently another in-progress request using this Idempotent Key (that probably means "
                "you submitted twice, and the other request is still going through). Please try again later.",
                "invalid_request_error",
                "idempotency_key_in_use",
            )
        return _stored_response(key, entry)

    entry = _entries[scoped_key] = _Entry(fingerprint, created=clock.now())
    try:
        try:
            response = await handler(request)
        except UserError as error:  # rendered here so a card error (402) can be stored and replayed
            response = error.to_response()
    except BaseException:
        _forget(scoped_key, entry)
        raise
    if _should_store(response.status) and isinstance(response, web.Response):
        entry.status, entry.body, entry.content_type = response.status, response.body, response.content_type
    else:
        _forget(scoped_key, entry)
    response.headers["Idempotency-Key"] = key
    return response
