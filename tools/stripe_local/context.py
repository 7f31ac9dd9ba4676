"""Which Stripe account the current request acts as (the ``Stripe-Account`` header).

``None`` means the platform. Every stored object is tagged with the account that was current when it
was created (see ``scoping``), and lookups only see objects of the current account. Code that has to
touch another account's objects (a transfer crediting its destination) wraps that in ``acting_as``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from . import state  # noqa: F401  (store must be in-memory before anything is created)

_current_account: ContextVar[str | None] = ContextVar("stripe_local_account", default=None)


def current_account() -> str | None:
    return _current_account.get()


@contextmanager
def acting_as(account: str | None) -> Iterator[None]:
    token = _current_account.set(account)
    try:
        yield
    finally:
        _current_account.reset(token)


def owner(obj) -> str | None:
    return getattr(obj, "_account", None)


def visible(obj) -> bool:
    """Objects marked ``_global`` (connected accounts themselves) are visible from every account."""
    return getattr(obj, "_global", False) or owner(obj) == current_account()
