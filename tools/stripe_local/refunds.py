"""Refunds: localstripe's ``Refund`` adjusted from outside, the refund list, updates and the Dashboard control.

- a refund is limited to what is left on the charge (``amount_too_large``, ``charge_already_refunded``), in
  the steps its currency allows (``payments.check_amount_step``);
- a charge with an open chargeback cannot be refunded (``charge_disputed``); an inquiry's charge can
  (its dispute says ``is_charge_refundable``);
- ``reverse_transfer`` / ``refund_application_fee`` are refused on charges without ``transfer_data`` (every
  charge here: there are no destination charges), as Stripe refuses them;
- ``GET /v1/refunds`` filters ``charge``, ``payment_intent``, ``created`` (newest first): the way to read a
  charge's refunds, since charges no longer include them;
- ``POST /v1/refunds/{id}`` (``metadata``) emits ``refund.updated``;
- ``POST /_test/charges/{id}/refund`` (``amount``, ``reason``) is a refund made in the Dashboard: out-of-band,
  for whichever platform owns the charge, with the same checks and events as an API refund.

Every refund emits ``refund.created`` and ``charge.refunded``, as on Stripe.
"""

from localstripe.resources import Charge, PaymentIntent, Refund

from .api import api_route, emit, fetch, page, stored
from .context import acting_for
from .errors import invalid, no_such, unknown_param
from .params import Params, merge_metadata
from .payments import check_amount_step
from .state import store

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
_original_refund_init = Refund.__init__


def _charge_to_refund(charge, payment_intent):
    if charge is not None:
        return Charge._api_retrieve(charge) if isinstance(charge, str) else None
    if isinstance(payment_intent, str):
        intent = PaymentIntent._api_retrieve(payment_intent)
        if intent.latest_charge is None:
            raise invalid(
                f"PaymentIntent {payment_intent} does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        return intent.latest_charge
    return None


def _refuse_when_disputed(charge) -> None:
    dispute = getattr(charge, "_dispute", None)
    if dispute is not None and not dispute.is_charge_refundable and dispute.status != "won":
        raise invalid(
            f"Charge {charge.id} has been charged back; cannot issue a refund.",
            code="charge_disputed",
            param="charge",
        )


def _refuse_transfer_options(charge, options: dict) -> None:
    """Both options only apply to destination charges (``transfer_data``), which this server does not have."""
    for name, value in options.items():
        if value is None or str(value).lower() in ("false", ""):
            continue
        if str(value).lower() != "true":
            raise invalid(f"Invalid boolean: {value}", code="parameter_invalid_boolean", param=name)
        raise invalid(
            f"Charge {charge.id} has no `transfer_data` (it is not a destination charge), so `{name}` "
            "cannot be set. Reverse the transfers made from it instead.",
            param=name,
        )


def _refund_init(
    self,
    charge=None,
    payment_intent=None,
    amount=None,
    metadata=None,
    reason=None,
    reverse_transfer=None,
    refund_application_fee=None,
    **unknown,
):
    if unknown:
        raise unknown_param(next(iter(unknown)))
    if reason is not None and reason not in REASONS:
        raise invalid(f"Invalid reason: must be one of {', '.join(REASONS)}", param="reason")
    charge_obj = _charge_to_refund(charge, payment_intent)
    if charge_obj is not None:
        if charge_obj.id.startswith("py_"):
            raise invalid(
                "Transfer payments cannot be refunded; reverse the transfer instead.", param="charge"
            )
        _refuse_transfer_options(
            charge_obj,
            {"reverse_transfer": reverse_transfer, "refund_application_fee": refund_application_fee},
        )
        _refuse_when_disputed(charge_obj)
        remaining = charge_obj.amount - charge_obj.amount_refunded
        if remaining <= 0:
            raise invalid(
                f"Charge {charge_obj.id} has already been refunded.", code="charge_already_refunded"
            )
        requested = int(amount) if isinstance(amount, int | str) and str(amount).isdigit() else None
        if amount is None:
            amount = remaining  # Stripe refunds what is left, localstripe would refund the full amount
        elif requested is not None and requested > remaining:
            raise invalid(
                f"Refund amount ({requested}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
                param="amount",
            )
        check_amount_step(amount, charge_obj.currency)
    _original_refund_init(
        self, charge=charge, payment_intent=payment_intent, amount=amount, metadata=metadata
    )
    self.reason = reason
    if self.payment_intent is None:
        self.payment_intent = Charge._api_retrieve(self.charge).payment_intent
    emit("refund.created", self)
    emit("charge.refunded", Charge._api_retrieve(self.charge))


Refund.__init__ = _refund_init


@api_route
def list_refunds(request, params):
    p = Params(params)
    charge, payment_intent = p.string("charge"), p.string("payment_intent")
    in_range = p.created()
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    p.done()
    if charge is not None:
        fetch("charge", charge, param="charge")
    if payment_intent is not None:
        fetch("payment_intent", payment_intent, param="payment_intent")
    items = [
        refund
        for refund in stored("refund")
        if charge in (None, refund.charge)
        and payment_intent in (None, refund.payment_intent)
        and in_range(refund)
    ]
    return page(request.path, items, limit, starting_after)


@api_route
def update_refund(request, params):
    refund = fetch("refund", request.match_info["id"])
    p = Params(params)
    refund.metadata = merge_metadata(refund.metadata or {}, p.metadata())
    p.done()
    emit("refund.updated", refund)
    return refund


@api_route
def dashboard_refund_control(request, params):
    """A refund made in Stripe's Dashboard: not through the platform's API key, so for whoever owns the charge."""
    charge = store.get(f"charge:{request.match_info['id']}")
    if not isinstance(charge, Charge):
        raise no_such("charge", request.match_info["id"])
    p = Params(params)
    amount = p.integer("amount", minimum=1)
    reason = p.string("reason", choices=REASONS)
    p.done()
    with acting_for(charge):
        return Refund(charge=charge.id, amount=amount, reason=reason)


ROUTES = [
    ("GET", "/v1/refunds", list_refunds),
    ("POST", "/v1/refunds/{id}", update_refund),
]
CONTROL_ROUTES = [("POST", "/_test/charges/{id}/refund", dashboard_refund_control)]
