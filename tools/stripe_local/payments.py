"""Charges, PaymentIntents and PaymentMethods: localstripe behaviour adjusted from outside (refunds: ``refunds``).

- ``transfer_group`` (and ``description``) on PaymentIntents, copied onto the charge they create;
- Stripe's decline test cards fail when *charged* (``pm_card_chargeDeclined``, 4000000000000002, ...),
  plus ``POST /_test/decline_next_payment``; declines are ``card_error``s with a ``decline_code``;
- ``confirm`` accepts ``payment_method`` (also to retry after a decline);
- objects have the shape of current API versions (2022-11-15 and later): ``latest_charge`` is an id
  unless expanded, PaymentIntents have no ``charges`` list, charges list ``refunds`` only when expanded;
- ``charge.succeeded`` / ``charge.failed`` events; charge and PaymentIntent lists newest first;
- Stripe's currency rules (``money``): only currencies Stripe charges in; three-decimal amounts end in 0, ISK
  and UGX amounts in 00 (``invalid_charge_amount``); the settlement currency's minimum after conversion
  (``amount_too_small``). Refund amounts follow the same step rule (``refunds``).
"""

from contextvars import ContextVar

from localstripe.resources import Charge, Event, PaymentIntent, PaymentMethod, StripeObject
from localstripe.server import api_extra

from . import controls, money
from .api import emit
from .errors import StripeError, invalid, unknown_param

# Card number -> decline_code, for cards that Stripe declines when charged.
DECLINING_CARDS = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000009987": "lost_card",
    "4000000000009979": "stolen_card",
}
DECLINE_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds.",
}
EXTRA_TEST_PAYMENT_METHODS = {
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_mastercard": "5555555555554444",
}
PAYMENT_INTENT_EXTRA_FIELDS = (
    "transfer_group",
    "description",
    "receipt_email",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "setup_future_usage",
    "automatic_payment_methods",
)

# Fields a PaymentIntent hands to the Charge it is creating (localstripe's _create_charge does not).
_charge_defaults: ContextVar[dict | None] = ContextVar("stripe_local_charge_defaults", default=None)


def _original(cls, name):
    attribute = cls.__dict__[name]
    return attribute.__func__ if isinstance(attribute, classmethod) else attribute


# --- currency rules ----------------------------------------------------------------------------------------


def _as_amount(value):
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def check_currency(currency) -> None:
    if isinstance(currency, str) and currency.lower() not in money.STRIPE_CURRENCIES:
        raise invalid(
            f"Invalid currency: {currency.lower()}. Stripe currently supports these currencies: "
            + ", ".join(sorted(money.STRIPE_CURRENCIES)),
            param="currency",
        )


def check_amount_step(amount, currency, *, param: str = "amount") -> None:
    amount = _as_amount(amount)
    if amount is None or not isinstance(currency, str):
        return  # localstripe refuses malformed values itself
    step = money.charge_step(currency)
    if amount % step == 0:
        return
    code = currency.upper()
    if step == 100:
        message = (
            f"Invalid amount. Currency {code} has become effectively zero-decimal and charged amounts must be "
            f"evenly divisible by 100. See https://stripe.com/docs/currencies#special-cases for more information."
        )
    else:
        message = (
            f"Invalid amount. {code} is a three-decimal currency and amounts must end in 0 (round to the "
            f"nearest ten). See https://stripe.com/docs/currencies#three-decimal for more information."
        )
    raise invalid(message, code="invalid_charge_amount", param=param)


def check_minimum(amount, currency) -> None:
    """Stripe's minimum is the settlement currency's, after conversion (docs.stripe.com/currencies); a
    settlement currency without a published minimum is held to the $0.50 equivalent here."""
    amount = _as_amount(amount)
    if amount is None or not isinstance(currency, str):
        return
    currency = currency.lower()
    settlement = money.settings.settlement_currency(currency)
    floor = settlement if settlement in money.MINIMUM_CHARGE else "usd"
    if floor != currency and currency not in money.USD_PER_UNIT:
        return  # no test rate to convert with
    minimum = money.MINIMUM_CHARGE[floor]
    settled = money.convert(amount, currency, floor)[0]
    if settled >= minimum:
        return
    if floor == currency:
        message = f"Amount must be at least {money.format_amount(minimum, currency)}"
    else:
        message = (
            f"Amount must convert to at least {money.format_amount(minimum, floor)}. "
            f"{money.format_amount(amount, currency)} converts to approximately "
            f"{money.format_amount(settled, floor)}."
        )
    raise invalid(message, code="amount_too_small", param="amount")


def check_charge_amount(amount, currency) -> None:
    check_currency(currency)
    check_amount_step(amount, currency)
    check_minimum(amount, currency)


# --- test payment methods --------------------------------------------------------------------------

_original_canonical = _original(PaymentMethod, "_try_get_canonical_test_article")


def _canonical(cls, id):
    obj = _original_canonical(cls, id)
    if obj is None and id in EXTRA_TEST_PAYMENT_METHODS:
        card = {"number": EXTRA_TEST_PAYMENT_METHODS[id], "exp_month": "12", "exp_year": "2030", "cvc": "123"}
        obj = PaymentMethod(type="card", card=card)
    return obj


PaymentMethod._try_get_canonical_test_article = classmethod(_canonical)


# --- charges -----------------------------------------------------------------------------------------

_original_charge_init = Charge.__init__
_original_set_auth_failure = Charge._set_auth_failure
_original_trigger_payment = Charge._trigger_payment
_original_charge_list = _original(Charge, "_api_list_all")


def _charge_init(self, *args, transfer_group=None, **kwargs):
    check_charge_amount(kwargs.get("amount"), kwargs.get("currency"))
    _original_charge_init(self, *args, **kwargs)
    defaults = _charge_defaults.get() or {}
    self.transfer_group = transfer_group or defaults.get("transfer_group")
    if self.description is None:
        self.description = defaults.get("description")
    self.disputed = False
    self.outcome = None
    self._decline_code = "generic_decline"
    if not self._authorized:
        return  # localstripe's own declining cards (e.g. 4000000000000341)
    number = getattr(PaymentMethod._api_retrieve(self.payment_method), "_card_number", None)
    decline_code = DECLINING_CARDS.get(number) or controls.take_decline()
    if decline_code:
        self._authorized = False
        self._decline_code = decline_code


def _set_auth_failure(self):
    _original_set_auth_failure(self)
    self.failure_message = DECLINE_MESSAGES.get(self._decline_code, "Your card was declined.")
    self.outcome = {
        "network_status": "declined_by_network",
        "reason": self._decline_code,
        "risk_level": "normal",
        "seller_message": "The bank did not return any further details with this decline.",
        "type": "issuer_declined",
    }
    emit("charge.failed", self)


def _raise_failure(self):
    extra = {"charge": self.id, "decline_code": self._decline_code}
    if self.payment_intent:
        extra["payment_intent"] = PaymentIntent._api_retrieve(self.payment_intent)._export()
    raise StripeError(402, self.failure_message, type="card_error", code=self.failure_code, **extra)


def _trigger_payment(self, on_success=None):
    def succeeded():
        emit("charge.succeeded", self)
        if on_success:
            on_success()

    _original_trigger_payment(self, on_success=succeeded)


def _charge_list(
    cls, url, customer=None, created=None, limit=10, starting_after=None, payment_intent=None,
    transfer_group=None, **unknown,
):  # fmt: skip
    if unknown:
        raise unknown_param(next(iter(unknown)))
    result = _original_charge_list(
        cls, url, customer=customer, created=created, limit=limit, starting_after=starting_after
    )
    result._list = [
        charge
        for charge in reversed(result._list)
        if payment_intent in (None, getattr(charge, "payment_intent", None))
        and transfer_group in (None, getattr(charge, "transfer_group", None))
    ]
    return result


def _expanded(expand) -> set[str]:
    return {path.split(".")[0] for path in expand or []}


def _charge_export(self, expand=None):
    body = StripeObject._export(self, expand=expand)
    if "refunds" not in _expanded(expand):
        body.pop("refunds", None)  # not auto-expanded since API version 2022-11-15
    return body


Charge.__init__ = _charge_init
Charge._export = _charge_export
Charge._set_auth_failure = _set_auth_failure
Charge._raise_failure = _raise_failure
Charge._trigger_payment = _trigger_payment
Charge._api_list_all = classmethod(_charge_list)


# --- payment intents ---------------------------------------------------------------------------------

_original_pi_init = PaymentIntent.__init__
_original_create_charge = PaymentIntent._create_charge
_original_pi_export = PaymentIntent._export
_original_confirm = _original(PaymentIntent, "_api_confirm")
_original_last_payment_error = PaymentIntent.last_payment_error.fget
_original_event_list = _original(Event, "_api_list_all")


def _pi_init(self, *args, **kwargs):
    extra = {name: kwargs.pop(name, None) for name in PAYMENT_INTENT_EXTRA_FIELDS}
    kwargs.pop("return_url", None)  # only meaningful for redirect-based methods, which we don't have
    check_charge_amount(kwargs.get("amount"), kwargs.get("currency"))
    _original_pi_init(self, *args, **kwargs)
    for name, value in extra.items():
        setattr(self, name, value)


def _create_charge(self, on_failure_now):
    token = _charge_defaults.set({"transfer_group": self.transfer_group, "description": self.description})
    try:
        _original_create_charge(self, on_failure_now)
    finally:
        _charge_defaults.reset(token)


def _pi_export(self, expand=None):
    body = _original_pi_export(self, expand=expand)
    body.pop("charges", None)  # removed in API version 2022-11-15: `latest_charge` replaces it
    if isinstance(body.get("latest_charge"), dict) and "latest_charge" not in _expanded(expand):
        body["latest_charge"] = body["latest_charge"]["id"]
    return body


def _confirm(cls, id, payment_method=None, return_url=None, off_session=None, **kwargs):
    obj = cls._api_retrieve(id)
    if payment_method is not None:
        PaymentMethod._api_retrieve(payment_method)  # 404 for unknown payment methods
        if obj.latest_charge is not None and obj.latest_charge.status == "failed":
            obj.latest_charge = None  # a new attempt after a decline, as Stripe allows
        obj.payment_method = payment_method
    if obj.status != "requires_confirmation":
        raise invalid(
            f"This PaymentIntent's status is {obj.status}, so it cannot be confirmed.",
            code="payment_intent_unexpected_state",
        )
    return _original_confirm(cls, id, **kwargs)


def _last_payment_error(self):
    error = _original_last_payment_error(self)
    if error and self.latest_charge is not None and self.latest_charge.status == "failed":
        error = {**error, "type": "card_error", "decline_code": self.latest_charge._decline_code}
    return error


def _pi_list(cls, url, customer=None, limit=None, starting_after=None, **unknown):
    if unknown:
        raise unknown_param(next(iter(unknown)))
    result = super(PaymentIntent, cls)._api_list_all(url, limit=limit, starting_after=starting_after)
    result._list = [pi for pi in reversed(result._list) if customer in (None, pi.customer)]
    return result


def _event_list(cls, url, **kwargs):
    result = _original_event_list(cls, url, **kwargs)
    result._list.reverse()  # Stripe lists events newest first
    return result


PaymentIntent.__init__ = _pi_init
PaymentIntent._create_charge = _create_charge
PaymentIntent._export = _pi_export
PaymentIntent._api_confirm = classmethod(_confirm)
PaymentIntent.last_payment_error = property(_last_payment_error)
PaymentIntent._api_list_all = classmethod(_pi_list)
Event._api_list_all = classmethod(_event_list)


# localstripe's route table captured the original ``_api_confirm`` when it was built, so the patched
# one needs its own route (ours are registered before localstripe's).
_CONFIRM_URL = "/v1/payment_intents/{id}/confirm"
ROUTES = [("POST", _CONFIRM_URL, api_extra(PaymentIntent._api_confirm, _CONFIRM_URL))]
