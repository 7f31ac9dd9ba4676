"""The aiohttp application: localstripe's routes plus ours, behind our middlewares.

A fresh ``web.Application`` is built rather than reusing ``localstripe.server.app`` so that the
middleware order is ours and localstripe's "save the store to disk" middleware is left out. Our
routes are registered first; localstripe's are then copied except where we replace them
(balance, balance transactions, payouts, the data wipe, webhook registration).

Middlewares, outermost first:
1. errors      - any error becomes Stripe-shaped JSON (unknown routes too, and crashes as ``api_error``);
   time        - the time the clock moved is applied before each request (and after a clock change):
                 pending funds become available, automatic payouts are made (``payouts.time_passes``);
2. request     - the API request's ``Request-Id`` (and ``Idempotency-Key``), which the events it causes name;
3. faults      - ``/_test/fail_next`` injection (500, 429 or hang), around everything else;
4. auth        - localstripe's ``sk_...`` check; ``/_test``, ``/_config`` and the onboarding page are open;
5. platform    - the API key's platform becomes the current one (each key is its own Stripe account);
6. account     - validates ``Stripe-Account`` (one of the platform's accounts) and makes it current;
7. idempotency - stores/replays results per platform and ``Idempotency-Key``.
"""

import argparse
import asyncio
import logging
import os
import signal
import sys
from decimal import Decimal

from aiohttp import web
from localstripe import server as localstripe_server
from localstripe.errors import UserError
from localstripe.resources import random_id
from localstripe.server import json_response

from . import (
    balances,
    clock,
    connect,
    controls,
    delivery,
    disputes,
    money,
    onboarding,
    payments,
    payouts,
    refunds,
    retries,
    scoping,
    state,
    transfers,
)
from .context import acting_as, serving
from .errors import StripeError
from .idempotency import idempotency_middleware
from .platforms import platform_middleware

logger = logging.getLogger("stripe_local")

# Modules whose import patches localstripe from the outside: memory-only store, per-account scoping,
# the injectable clock, cancellable webhook scheduling, payment and refund behaviour, fees on charges.
PATCHES = (state, clock, scoping, delivery, payments, refunds, balances)

_OPEN_PREFIXES = ("/_test/", "/_config/", "/connect/onboarding/", "/js.stripe.com/")


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except UserError as error:
        return error.to_response()
    except web.HTTPException as error:
        if error.status in (404, 405) and request.path.startswith("/v1/"):
            message = f"Unrecognized request URL ({request.method}: {request.path})."
            return StripeError(404, message).to_response()
        raise
    except Exception:
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        body = {"error": {"type": "api_error", "message": "stripe_local crashed; see the server log."}}
        return json_response(body, status=500)


@web.middleware
async def time_middleware(request: web.Request, handler):
    payouts.time_passes()
    response = await handler(request)
    if request.path.startswith("/_test/clock"):
        payouts.time_passes()  # a test moving the clock sees its effects (and their events) at once
    return response


def _real_time_ticks(app: web.Application) -> None:
    """Real time passes without requests too: apply it every few seconds (automatic payouts at midnight)."""

    async def tick():
        while True:
            await asyncio.sleep(5)
            try:
                payouts.time_passes()
            except Exception:
                logger.exception("Applying the passing time failed")

    async def start(app: web.Application) -> None:
        app["time_ticks"] = asyncio.ensure_future(tick())

    async def stop(app: web.Application) -> None:
        app["time_ticks"].cancel()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


@web.middleware
async def auth_middleware(request: web.Request, handler):
    if request.path.startswith(_OPEN_PREFIXES):
        return await handler(request)
    return await localstripe_server.auth_middleware(request, handler)


@web.middleware
async def account_middleware(request: web.Request, handler):
    account = request.headers.get("Stripe-Account") or None
    if account is not None and request.path.startswith("/v1/") and connect.find_account(account) is None:
        raise StripeError(
            403,
            f"The provided key does not have access to account '{account}' (or that account does not exist). "
            "Application access may have been revoked.",
            code="account_invalid",
        )
    with acting_as(account):
        return await handler(request)


@web.middleware
async def request_middleware(request: web.Request, handler):
    """Every API request gets its ``Request-Id`` up front, so the events it causes can name it."""
    if not request.path.startswith("/v1/"):
        return await handler(request)
    request_id = "req_" + random_id(14)
    with serving(request_id, request.headers.get("Idempotency-Key")):
        response = await handler(request)
    response.headers["Request-Id"] = request_id
    return response


async def wipe_data(request: web.Request) -> web.Response:
    state.wipe()
    return web.Response()


async def _response_headers(request: web.Request, response: web.StreamResponse) -> None:
    await localstripe_server.add_cors_headers(request, response)
    response.headers.setdefault("Request-Id", "req_" + random_id(14))


def own_routes() -> list:
    return [
        *connect.ROUTES,
        *onboarding.ROUTES,
        *payments.ROUTES,
        *refunds.ROUTES,
        *transfers.ROUTES,
        *balances.ROUTES,
        *payouts.ROUTES,
        *disputes.ROUTES,
        *controls.routes(),
        *clock.ROUTES,
        *delivery.ROUTES,
        ("DELETE", "/_config/data", wipe_data),
    ]


def build_app() -> web.Application:
    app = web.Application(
        middlewares=[
            error_middleware,
            time_middleware,
            request_middleware,
            controls.fault_middleware,
            auth_middleware,
            platform_middleware,
            account_middleware,
            idempotency_middleware,
        ]
    )
    app.on_response_prepare.append(_response_headers)
    _real_time_ticks(app)
    taken = set()
    for method, path, handler in own_routes():
        app.router.add_route(method, path, handler)
        taken.add((method, path))
    for route in localstripe_server.app.router.routes():
        path = route.resource.canonical
        if (route.method, path) not in taken and route.method != "HEAD":
            app.router.add_route(route.method, path, route.handler)
    return app


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tools.stripe_local",
        description="In-memory Stripe-compatible server for development and tests (see tools/stripe_local/README.md).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument(
        "--fee-percent", type=Decimal, default=Decimal("1.5"), help="charge fee, percent part"
    )
    parser.add_argument("--fee-fixed", type=int, default=25, help="charge fee, fixed part in minor units")
    parser.add_argument("--dispute-fee", type=int, default=1500, help="dispute fee in minor units")
    parser.add_argument("--platform-country", default="US", help="default country of new accounts")
    parser.add_argument(
        "--available-delay-days", type=int, default=2, help="days card funds stay pending before available"
    )
    parser.add_argument(
        "--webhook-time-scale",
        type=float,
        default=retries.DEFAULT_TIME_SCALE,
        help="local seconds per Stripe second in the webhook retry schedule (default 1/60: retries for 72 min)",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process dies")
    return parser.parse_args(argv)


def _exit_with_parent(app: web.Application) -> None:
    """A test run killed without cleanup must not leave servers behind: watch for reparenting."""
    parent = os.getppid()

    async def watch():
        while os.getppid() == parent:
            await asyncio.sleep(1)
        logger.info("parent process %s is gone; stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)  # aiohttp's graceful shutdown

    async def start(app: web.Application) -> None:
        app["parent_watch"] = asyncio.ensure_future(watch())

    async def stop(app: web.Application) -> None:
        app["parent_watch"].cancel()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def main(argv=None) -> None:
    args = _parse_args(argv)
    money.set_defaults(
        fee_percent=args.fee_percent,
        fee_fixed=args.fee_fixed,
        dispute_fee=args.dispute_fee,
        platform_country=args.platform_country.upper(),
        available_delay_days=args.available_delay_days,
    )
    delivery.set_default_time_scale(args.webhook_time_scale)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s %(message)s")
    access_log = None if args.quiet else logging.getLogger("aiohttp.access")
    print(f"stripe_local listening on http://{args.host}:{args.port}", flush=True)
    # A short shutdown timeout: a request hanging on purpose (fail_next mode=hang) must not keep a
    # terminated server alive.
    app = build_app()
    if args.exit_with_parent:
        _exit_with_parent(app)
    web.run_app(app, host=args.host, port=args.port, access_log=access_log, shutdown_timeout=1, print=None)
