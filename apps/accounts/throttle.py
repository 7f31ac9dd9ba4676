"""Failed sign-in throttling, per (network, e-mail) and per (network, client address).

Counters live in the cache, whose keys already carry the schema of the current network
(`django_tenants.cache.make_key`): a burst of failures on one network never locks anything on another, and the
public site's operator admin has counters of its own.

Each counter is a fixed window that opens with the first failure. Once a counter reaches its limit, every attempt
it covers is refused without checking the password (even the right one) until that window closes; refused
attempts neither count nor extend the window. A successful sign-in clears the e-mail's counter, not the
address's (one person signing in does not forgive an address that guessed at others).

Why not django-axes: its attempt models would have to live in every tenant schema, its handler and middleware
wrap every authentication backend call (including the admin's) with behaviour of its own, and it brings a
settings surface larger than this module. The cache-based counters below are enough for "N failures per window"
and are tenant-scoped for free.

Password-reset requests are counted the same way with limits of their own (PASSWORD_RESET_THROTTLE): over the
per-address limit the page says to wait; over the per-e-mail limit the page answers as always but no further
message is sent, so nobody can flood a person's inbox or learn whether an account exists.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {"PER_EMAIL": 5, "PER_ADDRESS": 20, "WINDOW_S": 15 * 60}
RESET_DEFAULTS = {"PER_EMAIL": 3, "PER_ADDRESS": 10, "WINDOW_S": 60 * 60}


def _limits() -> dict:
    return {**DEFAULTS, **getattr(settings, "LOGIN_THROTTLE", {})}


def client_address(request) -> str:
    """The client's IP address. Behind `TRUSTED_PROXY_COUNT` reverse proxies, each of which appends the address
    it received from to X-Forwarded-For, the client is that many entries from the right; the entries further left
    are whatever the client sent and are never trusted."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _email_digest(email: str) -> str:
    """Cache keys name an e-mail by its hash: the addresses themselves never sit in Redis."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _keys(request, email: str) -> list[tuple[str, int]]:
    limits = _limits()
    return [
        (f"login-fail:email:{_email_digest(email)}", limits["PER_EMAIL"]),
        (f"login-fail:addr:{client_address(request)}", limits["PER_ADDRESS"]),
    ]


def login_lockout_remaining(*, request, email: str) -> int:
    """Seconds until sign-in attempts for this e-mail from this client are accepted again; 0 if they are now."""
    return max(_wait_s(key, limit) for key, limit in _keys(request, email))


def _count(key: str, window: int) -> int:
    """One more event in the key's fixed window; returns the count so far."""
    until = time.time() + window
    # add() opens the window only if none is open; incr() keeps the key's expiry.
    cache.add(f"{key}:until", until, timeout=window)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add() and incr(): start a new one
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:until", until, timeout=window)
        return 1


def _wait_s(key: str, limit: int) -> int:
    state = cache.get_many([key, f"{key}:until"])
    if state.get(key, 0) >= limit and f"{key}:until" in state:
        return max(0, math.ceil(state[f"{key}:until"] - time.time()))
    return 0


def login_failure_record(*, request, email: str) -> None:
    """Counts one failed attempt against the e-mail and the client address."""
    window = _limits()["WINDOW_S"]
    for key, _limit in _keys(request, email):
        _count(key, window)


def login_success_record(*, request, email: str) -> None:
    key, _limit = _keys(request, email)[0]
    cache.delete_many([key, f"{key}:until"])


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Too many failed sign-in attempts. For your security, signing in is paused; "
        f"try again in {minutes} {unit}."
    )


def reset_wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many password-reset requests from your connection. Please try again in {minutes} {unit}."


@dataclass(frozen=True)
class ResetVerdict:
    wait_s: int  # > 0: this address asked too often; nothing is done until then
    send: bool  # False: this e-mail has had its share of messages in the window


def password_reset_request_record(*, request, email: str) -> ResetVerdict:
    """Counts a password-reset request against the client address and the e-mail."""
    limits = {**RESET_DEFAULTS, **getattr(settings, "PASSWORD_RESET_THROTTLE", {})}
    address_key = f"reset:addr:{client_address(request)}"
    wait = _wait_s(address_key, limits["PER_ADDRESS"])
    if wait:
        return ResetVerdict(wait_s=wait, send=False)
    _count(address_key, limits["WINDOW_S"])
    sent_so_far = _count(f"reset:email:{_email_digest(email)}", limits["WINDOW_S"])
    return ResetVerdict(wait_s=0, send=sent_so_far <= limits["PER_EMAIL"])
