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
