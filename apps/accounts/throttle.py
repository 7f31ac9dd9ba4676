"""Throttles for the doors a stranger can knock on: password sign-in, password reset and sign-up.

Counters live in the cache, whose keys already carry the schema of the current network
(`django_tenants.cache.make_key`): a burst on one network never slows anything on another, and the public site
(network sign-up, the operator admin) has counters of its own.

Sign-in — keep brute force out without handing strangers a way to lock an account:
- Per client address first: an address with PER_ADDRESS failed sign-ins (on any accounts) in WINDOW_S is refused
  until that window closes. This stops one machine guessing, and password spraying across many accounts.
- Per account *and* address, a slow-down, never a lock: after PAIR_FREE failures of one account from one address,
  each further attempt from that address must wait DELAY_BASE_S, doubling per failure up to DELAY_MAX_S. Once an
  account has PER_EMAIL failures from all addresses together (it is being attacked from many), every address
  gets a single free try at it before the slow-down starts, which bounds a distributed guesser to a handful of
  tries per address per window.
- The right password from an address that has not been failing always gets checked: no number of failures from
  elsewhere keeps the staff member out. (Why not a hard per-account lock: five wrong passwords from anyone used
  to lock the right one out for 15 minutes. Why not a second factor after many failures: it needs an e-mailed
  code flow on every login form, the admin's included, for a case the per-pair slow-down already covers.)
- A successful sign-in forgives its own pair's failures, not the address's nor the account's (one person
  signing in does not forgive an address that guessed at others).

Why not django-axes: its attempt models would have to live in every tenant schema, its handler and middleware
wrap every authentication backend call (including the admin's) with behaviour of its own, and its lock-out is
the per-account lock this module avoids.

Password-reset requests (PASSWORD_RESET_THROTTLE) and sign-ups (SIGNUP_THROTTLE: network sign-up, customer
sign-up, supplier and carrier applications) are counted per address and per e-mail: over the per-address limit
the page says to wait (429 + Retry-After, input kept); over the per-e-mail limit a reset answers as always but
sends nothing (nobody can flood an inbox or learn whether an account exists), a sign-up is told to wait.

Time comes from `clock` (seconds, like time.time); tests swap in a clock they move by hand. Cache expiry is only
the clean-up: windows and delays are judged against the clock.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {
    "PER_ADDRESS": 20,
    "PER_EMAIL": 10,
    "PAIR_FREE": 3,
    "DELAY_BASE_S": 2,
    "DELAY_MAX_S": 15 * 60,
    "WINDOW_S": 15 * 60,
}
RESET_DEFAULTS = {"PER_EMAIL": 3, "PER_ADDRESS": 10, "WINDOW_S": 60 * 60}
SIGNUP_DEFAULTS = {"PER_EMAIL": 3, "PER_ADDRESS": 10, "WINDOW_S": 60 * 60}

clock: Callable[[], float] = time.time


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


# --- counters: a fixed window per key, opened by its first event ------------------------------------------------


@dataclass(frozen=True)
class Window:
    count: int
    started: float
    last: float


def _window(key: str, window_s: int) -> Window:
    """The key's events in its open window (none if it has closed)."""
    state = cache.get_many([key, f"{key}:start", f"{key}:last"])
    started = state.get(f"{key}:start")
    if started is None or clock() - started >= window_s:
        return Window(0, 0.0, 0.0)
    return Window(state.get(key, 0), started, state.get(f"{key}:last", started))


def _count(key: str, window_s: int) -> int:
    """One more event in the key's window (a new window if it has closed); returns the count so far.

    add() and incr() are atomic, so concurrent events are all counted."""
    now = clock()
    started = cache.get(f"{key}:start")
    if started is not None and now - started >= window_s:
        _forget(key)
    ttl = window_s + 60
    cache.add(f"{key}:start", now, timeout=ttl)
    cache.add(key, 0, timeout=ttl)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=ttl)
        count = 1
    cache.set(f"{key}:last", now, timeout=ttl)
    return count


def _forget(key: str) -> None:
    cache.delete_many([key, f"{key}:start", f"{key}:last"])


def _wait_for_window(key: str, limit: int, window_s: int) -> int:
    """Seconds until the key's window closes if it has reached `limit`; 0 otherwise."""
    window = _window(key, window_s)
    if window.count >= limit:
        return max(1, math.ceil(window.started + window_s - clock()))
    return 0


# --- sign-in -------------------------------------------------------------------------------------------------


def _login_keys(request, email: str) -> tuple[str, str, str]:
    address = client_address(request)
    digest = _email_digest(email)
    return f"login-fail:addr:{address}", f"login-fail:email:{digest}", f"login-fail:pair:{digest}:{address}"


def login_lockout_remaining(*, request, email: str) -> int:
    """Seconds until a sign-in attempt for this e-mail from this client is checked again; 0 if it is now."""
    limits = _limits()
    window_s = limits["WINDOW_S"]
    address_key, email_key, pair_key = _login_keys(request, email)
    address_wait = _wait_for_window(address_key, limits["PER_ADDRESS"], window_s)
    pair = _window(pair_key, window_s + limits["DELAY_MAX_S"])
    under_attack = _window(email_key, window_s).count >= limits["PER_EMAIL"]
    free = 1 if under_attack else limits["PAIR_FREE"]
    pair_wait = 0
    if pair.count >= free:
        delay = min(limits["DELAY_MAX_S"], limits["DELAY_BASE_S"] * 2 ** (pair.count - free))
        pair_wait = max(0, math.ceil(pair.last + delay - clock()))
    return max(address_wait, pair_wait)


def login_failure_record(*, request, email: str) -> None:
    """Counts one failed attempt against the client address, the account and the pair of both."""
    limits = _limits()
    address_key, email_key, pair_key = _login_keys(request, email)
    _count(address_key, limits["WINDOW_S"])
    _count(email_key, limits["WINDOW_S"])
    # The pair's window stretches by the longest delay, so a slow guesser's failures keep adding up.
    _count(pair_key, limits["WINDOW_S"] + limits["DELAY_MAX_S"])


def login_success_record(*, request, email: str) -> None:
    _forget(_login_keys(request, email)[2])


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def lockout_message(seconds: int) -> str:
    return (
        "Too many failed sign-in attempts from your connection. For your security, signing in from here is "
        f"paused; try again in {_in_words(seconds)}."
    )


# --- password reset and sign-up: per address, then per e-mail -------------------------------------------------


@dataclass(frozen=True)
class RequestVerdict:
    wait_s: int  # > 0: this address asked too often; nothing is done until then
    send: bool  # False: this e-mail has had its share in the window


def _request_record(*, prefix: str, limits: dict, request, email: str) -> RequestVerdict:
    address_key = f"{prefix}:addr:{client_address(request)}"
    wait = _wait_for_window(address_key, limits["PER_ADDRESS"], limits["WINDOW_S"])
    if wait:
        return RequestVerdict(wait_s=wait, send=False)
    _count(address_key, limits["WINDOW_S"])
    so_far = _count(f"{prefix}:email:{_email_digest(email)}", limits["WINDOW_S"])
    return RequestVerdict(wait_s=0, send=so_far <= limits["PER_EMAIL"])


def password_reset_request_record(*, request, email: str) -> RequestVerdict:
    """Counts a password-reset request against the client address and the e-mail."""
    limits = {**RESET_DEFAULTS, **getattr(settings, "PASSWORD_RESET_THROTTLE", {})}
    return _request_record(prefix="reset", limits=limits, request=request, email=email)


def reset_wait_message(seconds: int) -> str:
    return f"Too many password-reset requests from your connection. Please try again in {_in_words(seconds)}."


def signup_wait_s(*, request, email: str) -> int:
    """Counts a sign-up (network, customer, supplier or carrier application) that passed its form against the
    client address and the e-mail; returns the seconds to wait if either had its share, else 0 (go ahead)."""
    limits = {**SIGNUP_DEFAULTS, **getattr(settings, "SIGNUP_THROTTLE", {})}
    verdict = _request_record(prefix="signup", limits=limits, request=request, email=email)
    if verdict.wait_s:
        return verdict.wait_s
    if not verdict.send:
        return max(1, _wait_for_window(f"signup:email:{_email_digest(email)}", 1, limits["WINDOW_S"]))
    return 0


def signup_wait_message(seconds: int) -> str:
    return f"Too many sign-ups from your connection or for this e-mail. Please try again in {_in_words(seconds)}."


def signup_throttled(request, form, *, email: str) -> int:
    """Counts a sign-up that passed its form; when it must wait, puts the message on
    the form (the input stays) and returns the seconds to send as Retry-After with a 429."""
    wait = signup_wait_s(request=request, email=email)
    if wait:
        form.add_error(None, signup_wait_message(wait))
    return wait


def throttled_response(response, wait_s: int):
    response.status_code = 429
    response["Retry-After"] = str(wait_s)
    return response
