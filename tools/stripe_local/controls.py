"""Test controls under ``/_test/``: one-shot behaviours a test arms before making the real API call.

- ``POST /_test/decline_next_payment`` (count, decline_code): next charge attempts are declined;
- ``POST /_test/fail_next`` (count, mode=500|429|hang, seconds, when=after|before, method, path,
  idempotency_key): the next matching ``/v1/`` requests fail. ``when=after`` (default) runs the request first, so its effects
  (and its idempotent result) exist although the client sees a 500 / a timeout: the "lost response"
  case that idempotency keys exist for. ``when=before`` fails without touching any state. ``429`` is
  Stripe's rate limit (``code: rate_limit``), always answered before the request runs, as Stripe does;
- ``POST /_test/payouts/fail_next`` (count, failure_code): next payouts end ``failed``;
- ``POST /_test/accounts/{id}/complete_onboarding`` / ``.../restrict``; ``POST /_test/charges/{id}/dispute``
  (and the dispute's outcome controls in ``disputes``); ``POST /_test/charges/{id}/refund`` (a Dashboard refund);
- ``GET|POST /_test/config`` (fee_percent, fee_fixed, dispute_fee, platform_country, available_delay_days,
  webhook_time_scale: how much faster than Stripe's three days webhook retries run, settle_in_platform_currency);
  ``GET /_test/health``.
All of them are forgotten by ``DELETE /_config/data``.
"""

import asyncio
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from aiohttp import web
from localstripe.server import get_post_data, json_response

from . import delivery, money, state
from .errors import invalid
from .params import Params


@dataclass
class Fault:
    mode: str
    seconds: float
    when: str
    method: str | None
    path: str | None
    idempotency_key: str | None = None

    def matches(self, request: web.Request) -> bool:
        return (
            (self.method is None or self.method == request.method)
            and (self.path is None or request.path.startswith(self.path))
            and (
                self.idempotency_key is None or self.idempotency_key == request.headers.get("Idempotency-Key")
            )
        )


_declines: list[str] = []
_faults: list[Fault] = []
_payout_failures: list[str] = []


@state.on_reset
def _forget_controls() -> None:
    _declines.clear()
    _faults.clear()
    _payout_failures.clear()


def take_decline() -> str | None:
    return _declines.pop(0) if _declines else None


def take_payout_failure() -> str | None:
    return _payout_failures.pop(0) if _payout_failures else None


def _take_fault(request: web.Request) -> Fault | None:
    if not request.path.startswith("/v1/"):
        return None
    for index, fault in enumerate(_faults):
        if fault.matches(request):
            return _faults.pop(index)
    return None


def _injected_500() -> web.Response:
    body = {"error": {"type": "api_error", "message": "Injected failure (stripe_local /_test/fail_next)."}}
    return json_response(body, status=500)


def _rate_limited() -> web.Response:
    """Stripe's answer to too many requests: HTTP 429, an invalid_request_error with code rate_limit."""
    body = {
        "error": {
            "type": "invalid_request_error",
            "code": "rate_limit",
            "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
            "message": "Request rate limit exceeded. Learn more about rate limits here "
            "https://stripe.com/docs/rate-limits. (stripe_local /_test/fail_next)",
        }
    }
    return json_response(body, status=429)


@web.middleware
async def fault_middleware(request: web.Request, handler):
    fault = _take_fault(request)
    if fault is None:
        return await handler(request)
    if fault.mode == "429":
        return _rate_limited()  # a limiter refuses before the request runs, whatever `when` says
    if fault.when == "before":
        if fault.mode == "500":
            return _injected_500()
        generation = state.generation()
        await asyncio.sleep(fault.seconds)
        if state.generation() != generation:
            return _injected_500()  # wiped meanwhile: running it now would leak into the next test
        return await handler(request)
    response = await handler(request)
    if fault.mode == "500":
        return _injected_500()
    await asyncio.sleep(fault.seconds)
    return response


async def _params(request: web.Request) -> Params:
    return Params(await get_post_data(request) or {})


async def decline_next_payment(request: web.Request) -> web.Response:
    p = await _params(request)
    count = p.integer("count", minimum=1, default=1)
    decline_code = p.string("decline_code", default="generic_decline")
    p.done()
    _declines.extend([decline_code] * count)
    return json_response({"pending_declines": list(_declines)})


async def fail_next(request: web.Request) -> web.Response:
    p = await _params(request)
    count = p.integer("count", minimum=1, default=1)
    mode = p.string("mode", choices=("500", "429", "hang"), default="500")
    seconds = p.number("seconds", minimum=0, default=30.0)
    when = p.string("when", choices=("after", "before"), default="after")
    method = p.string("method")
    path = p.string("path")
    # Only the requests sent with this key (one call and the client's own retries of it): a test's faults are
    # not consumed by a request something else in the process happens to send meanwhile.
    idempotency_key = p.string("idempotency_key")
    p.done()
    fault = Fault(
        mode=mode,
        seconds=seconds,
        when=when,
        method=method and method.upper(),
        path=path,
        idempotency_key=idempotency_key,
    )
    _faults.extend([fault] * count)
    return json_response({"pending_faults": len(_faults)})


async def fail_next_payout(request: web.Request) -> web.Response:
    p = await _params(request)
    count = p.integer("count", minimum=1, default=1)
    failure_code = p.string("failure_code", default="could_not_process")
    p.done()
    _payout_failures.extend([failure_code] * count)
    return json_response({"pending_payout_failures": list(_payout_failures)})


async def config(request: web.Request) -> web.Response:
    if request.method == "POST":
        p = await _params(request)
        percent = p.string("fee_percent")
        if percent is not None:
            try:
                money.settings.fee_percent = Decimal(str(percent))
            except InvalidOperation:
                raise invalid(f"Invalid decimal: {percent}", param="fee_percent") from None
        money.settings.fee_fixed = p.integer("fee_fixed", minimum=0, default=money.settings.fee_fixed)
        money.settings.dispute_fee = p.integer("dispute_fee", minimum=0, default=money.settings.dispute_fee)
        money.settings.available_delay_days = p.integer(
            "available_delay_days", minimum=0, default=money.settings.available_delay_days
        )
        country = p.string("platform_country")
        if country is not None:
            money.settings.platform_country = country.upper()
        money.settings.settle_in_platform_currency = p.boolean(
            "settle_in_platform_currency", default=money.settings.settle_in_platform_currency
        )
        scale = p.number("webhook_time_scale", minimum=0)
        if scale is not None:
            delivery.schedule.time_scale = scale
        p.done()
    return json_response({**money.settings.export(), "webhook_time_scale": delivery.schedule.time_scale})


async def health(request: web.Request) -> web.Response:
    return json_response({"ok": True})


def routes():
    from .connect import complete_onboarding_control, restrict_control
    from .disputes import dispute_control
    from .refunds import CONTROL_ROUTES as REFUND_CONTROLS

    return [
        ("GET", "/_test/health", health),
        ("GET", "/_test/config", config),
        ("POST", "/_test/config", config),
        ("POST", "/_test/decline_next_payment", decline_next_payment),
        ("POST", "/_test/fail_next", fail_next),
        ("POST", "/_test/payouts/fail_next", fail_next_payout),
        ("POST", "/_test/accounts/{id}/complete_onboarding", complete_onboarding_control),
        ("POST", "/_test/accounts/{id}/restrict", restrict_control),
        ("POST", "/_test/charges/{id}/dispute", dispute_control),
        *REFUND_CONTROLS,
    ]
