"""Whose objects the current request sees: the platform (API key) and the account (``Stripe-Account``).

Every stored object is tagged with both when it is created (see ``scoping``), and lookups only see
objects of the current platform *and* the current account. The platform is the secret key without its
``sk_`` prefix (see ``platforms``), so two tenants using two keys live in two separate worlds; the
account is ``None`` for the platform itself. Code that has to touch another account's objects (a
transfer crediting its destination) wraps that in ``acting_as``; out-of-band test controls, which may
act on any platform's objects, wrap their work in ``acting_for(obj)``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from . import state  # noqa: F401  (store must be in-memory before anything is created)

_current_account: ContextVar[str | None] = ContextVar("stripe_local_account", default=None)
_current_platform: ContextVar[str | None] = ContextVar("stripe_local_platform", default=None)
# The API request being served (id, Idempotency-Key). Work it schedules for later (a payout settling) copies
# the context but runs after the request ended: only requests still in flight count (``current_request``).
_current_request: ContextVar[tuple[str, str | None] | None] = ContextVar("stripe_local_request", default=None)
_requests_in_flight: set[str] = set()


def current_account() -> str | None:
    return _current_account.get()


def current_platform() -> str | None:
    return _current_platform.get()


@contextmanager
def acting_as(account: str | None) -> Iterator[None]:
    token = _current_account.set(account)
    try:
        yield
    finally:
        _current_account.reset(token)


@contextmanager
def on_platform(platform: str | None) -> Iterator[None]:
    token = _current_platform.set(platform)
    try:
        yield
    finally:
        _current_platform.reset(token)


@contextmanager
def serving(request_id: str, idempotency_key: str | None) -> Iterator[None]:
    """While an API request runs: the events it causes name it in their ``request``, as on Stripe."""
    token = _current_request.set((request_id, idempotency_key))
    _requests_in_flight.add(request_id)
    try:
        yield
    finally:
        _requests_in_flight.discard(request_id)
        _current_request.reset(token)


def current_request() -> dict:
    """``{"id", "idempotency_key"}`` of the API request causing what happens now; nulls for test controls
    and for what happens by itself later (Stripe's shape for events no request caused)."""
    value = _current_request.get()
    if value is None or value[0] not in _requests_in_flight:
        return {"id": None, "idempotency_key": None}
    return {"id": value[0], "idempotency_key": value[1]}


@contextmanager
def acting_for(obj) -> Iterator[None]:
    """Act as whoever owns ``obj``: its platform and its account (for out-of-band controls)."""
    with on_platform(platform_of(obj)), acting_as(owner(obj)):
        yield


def owner(obj) -> str | None:
    return getattr(obj, "_account", None)


def platform_of(obj) -> str | None:
    return getattr(obj, "_platform", None)


def visible(obj) -> bool:
    """Never across platforms; within one, objects marked ``_global`` (connected accounts themselves)
    are visible from the platform and from every account, everything else only from its owner."""
    if platform_of(obj) != current_platform():
        return False
    return getattr(obj, "_global", False) or owner(obj) == current_account()
