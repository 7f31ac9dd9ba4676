"""The server's clock: real time, or a time a test froze and moves forward (``/_test/clock``).

Stripe stamps ``created`` (and ``due_by``, ``arrival_date``…) in whole seconds, so code that pages by
``created`` can only be tested across two different seconds. Instead of sleeping, a test freezes the clock
(at any time, also in the past) and advances it, like Stripe's test clocks: while frozen, every object is
stamped with the frozen time, and a frozen clock only moves forward. The clock is server-wide, like the
other test controls, and ``DELETE /_config/data`` (or ``DELETE /_test/clock``) returns it to real time.

localstripe calls ``time.time()`` through its own ``time`` import, which is replaced here by this clock.
Webhook signatures keep the real time (Stripe signs with the time of sending, checked against the
receiver's clock).
"""

import time as real_time
import types

from aiohttp import web
from localstripe import resources
from localstripe.server import get_post_data, json_response

from . import state
from .errors import invalid
from .params import Params

_frozen_at: int | None = None
# Bumped when a frozen clock starts from real time or returns to it: time did not "pass" across such a jump
# (automatic payouts only follow a clock that moves forward within one timeline, see ``schedule``).
_timeline = 0


def now() -> int:
    """Unix seconds as the server stamps them."""
    return int(_time())


def timeline() -> int:
    return _timeline


def _time() -> float:
    return real_time.time() if _frozen_at is None else float(_frozen_at)


@state.on_reset
def _run_in_real_time() -> None:
    global _frozen_at, _timeline
    if _frozen_at is not None:
        _timeline += 1
    _frozen_at = None


def _export() -> dict:
    return {"now": now(), "frozen": _frozen_at is not None}


async def clock_control(request: web.Request) -> web.Response:
    """``GET`` the clock; ``POST frozen_time=<unix seconds>`` freezes it there (only forward once frozen);
    ``DELETE`` returns it to real time."""
    global _frozen_at, _timeline
    if request.method == "POST":
        p = Params(await get_post_data(request) or {})
        frozen_time = p.integer("frozen_time", required=True, minimum=0)
        p.done()
        if _frozen_at is not None and frozen_time < _frozen_at:
            raise invalid(
                "A frozen clock only advances: frozen_time is before its time.", param="frozen_time"
            )
        if _frozen_at is None:
            _timeline += 1
        _frozen_at = frozen_time
    elif request.method == "DELETE":
        _run_in_real_time()
    return json_response(_export())


resources.time = types.SimpleNamespace(time=_time)

ROUTES = [
    ("GET", "/_test/clock", clock_control),
    ("POST", "/_test/clock", clock_control),
    ("DELETE", "/_test/clock", clock_control),
]
