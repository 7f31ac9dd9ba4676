"""What orders needs from layers above it, as interfaces wired in settings (the composition root).

Orders sits below storefront (quoting) and payouts (the Stripe door): it may not import them. The checkout
flow calls these ports instead; settings name the implementations:

- ORDERS_QUOTER: a callable `(*, lines, destination, requested_date) -> OrderQuote`
  (apps/storefront/order_quoting.py: the whole cart as one matching problem to `destination`, a (lat, lon), or
  without an address to the network's default delivery point);
- ORDERS_DESIGN_CHECK: a callable `(*, design_version) -> None` that raises a Conflict when the network cannot
  make the design as configured (apps/storefront/order_makeable.py): carts and orders refuse it, saving does not;
- ORDERS_PAYMENT_GATEWAY: a class implementing PaymentGateway (apps/payouts/payments/gateway.py: the Stripe door).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.errors import InvalidInput
from apps.core.geodesy import Point
from apps.orders.quotes import OrderQuote, QuoteRequestLine


class QuoteUnavailable(InvalidInput):
    """No quote can be given (a design no longer valid, no capacity, the matcher failed); the message says why."""

    def __init__(self, message: str, *, design_version_id=None, earliest_date: date | None = None):
        super().__init__(message)
        self.design_version_id = design_version_id
        self.earliest_date = earliest_date  # set when only the requested day is the problem


class PaymentDeclined(Exception):
    """The card was declined; the customer may try another."""


class PaymentUnavailable(Exception):
    """Stripe could not be reached or refused for another reason; the same call may work later."""


class PaymentRefused(PaymentUnavailable):
    """Stripe refused the request for good (a disputed or already refunded charge, an invalid request): the same
    call cannot work until a person changes something. `code` is Stripe's error code."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


class PaymentDisputed(PaymentRefused):
    """Stripe refuses to refund a payment under a chargeback (`charge_disputed`): no retry succeeds until the
    dispute is decided."""

    MESSAGE = (
        "The customer disputed this payment with their bank (a chargeback). Stripe refuses refunds while the "
        "dispute is open: answer it in Stripe instead. If it is lost, the bank gives the customer the money back."
    )

    def __init__(self, message: str = "", *, code: str = "charge_disputed"):
        super().__init__(message or self.MESSAGE, code=code)


class Quoter(Protocol):
    def __call__(
        self,
        *,
        lines: Sequence[QuoteRequestLine],
        destination: Point | None,
        requested_date: date | None,
    ) -> OrderQuote: ...


class PaymentGateway(Protocol):
    """Payments for orders. Every write carries an idempotency key derived from our own row.

    Results are Stripe-shaped dicts (id, status, amount, currency, client_secret, latest_charge).
    Raises PaymentDeclined for a declined card, PaymentRefused when retrying cannot help and PaymentUnavailable for
    anything else.
    """

    def mode(self) -> str: ...  # "local" or "stripe"

    def publishable_key(self) -> str: ...

    def intent_create(
        self, *, amount_minor: int, currency: str, transfer_group: str, metadata: dict, idempotency_key: str
    ) -> dict: ...

    def intent_confirm(
        self, *, payment_intent_id: str, payment_method: str, idempotency_key: str
    ) -> dict: ...

    def intent_retrieve(self, *, payment_intent_id: str) -> dict: ...

    def refund_create(
        self, *, charge_id: str, amount_minor: int, metadata: dict, idempotency_key: str
    ) -> dict: ...


@cache
def _quoter() -> Quoter:
    return import_string(settings.ORDERS_QUOTER)


@cache
def _gateway() -> PaymentGateway:
    return import_string(settings.ORDERS_PAYMENT_GATEWAY)()


def quoter() -> Quoter:
    return _quoter()


def payments() -> PaymentGateway:
    return _gateway()


class DesignCheck(Protocol):
    def __call__(self, *, design_version) -> None: ...


@cache
def _design_check() -> DesignCheck:
    return import_string(settings.ORDERS_DESIGN_CHECK)


def design_check(*, design_version) -> None:
    """Raises a Conflict (the API's 409, with the reasons) when nobody in the network can make the design."""
    _design_check()(design_version=design_version)
