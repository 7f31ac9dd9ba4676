"""Shared plumbing for the endpoints added on top of localstripe: handlers, lists, lookups, events."""

import functools
import inspect

from aiohttp import web
from localstripe.resources import Event, List
from localstripe.server import get_post_data, json_response, unflatten_data

from .context import acting_as, on_platform, owner, platform_of, visible
from .delivery import schedule_webhook
from .errors import no_such
from .state import store

_OWNER = object()


def api_route(fn):
    """Turn ``fn(request, params) -> StripeObject | dict`` into an aiohttp handler.

    Parameters are parsed exactly like localstripe does (form or JSON body for POST, query string
    otherwise) so nested ``metadata[key]`` and ``expand[0]`` work; ``expand`` is honoured on export.
    """

    @functools.wraps(fn)
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            params = dict(await get_post_data(request) or {})
        else:
            params = dict(unflatten_data(request.query) or {})
        expand = params.pop("expand", None)
        result = fn(request, params)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, web.StreamResponse):
            return result
        body = result._export(expand=expand) if hasattr(result, "_export") else result
        return json_response(body)

    return handler


def emit(event_type: str, obj, *, account=_OWNER) -> Event:
    """Create an event and hand it to the webhook sender (signed, delivered ~1 s later).

    The event belongs to the platform owning ``obj`` (so a test control acting on it out-of-band
    notifies that platform's endpoints) and to the account owning it unless told otherwise; events
    of connected accounts carry ``account: acct_...`` like Stripe's Connect events.
    """
    with on_platform(platform_of(obj)), acting_as(owner(obj) if account is _OWNER else account):
        event = Event(event_type, obj)
    schedule_webhook(event)
    return event


def stored(object_name: str) -> list:
    """Visible objects of one type, oldest first (the store keeps insertion order)."""
    prefix = object_name + ":"
    return [obj for key, obj in store.items() if key.startswith(prefix) and visible(obj)]


def fetch(object_name: str, id, *, kind: str | None = None, param: str = "id", status: int = 404):
    obj = store.get(f"{object_name}:{id}") if isinstance(id, str) else None
    if obj is None or not visible(obj):
        raise no_such(kind or object_name, id, param=param, status=status)
    return obj


def page(url: str, items: list, limit=None, starting_after=None) -> List:
    """A Stripe list object, newest first, paginated with ``limit``/``starting_after``."""
    result = List(url, limit=limit, starting_after=starting_after)
    result._list = list(reversed(items))
    return result
