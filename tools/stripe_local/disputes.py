"""Disputes, created only by the test control ``POST /_test/charges/{id}/dispute``, through every status Stripe has.

The control opens one of three kinds (``status``):

- ``needs_response`` (default), a chargeback: the disputed amount plus the configurable dispute fee (default
  1500 minor units) is debited from the balance of the account owning the charge (an ``adjustment`` balance
  transaction, reporting category ``dispute``); ``charge.dispute.created`` and ``charge.dispute.funds_withdrawn``;
- ``warning_needs_response``, an inquiry: nothing is withdrawn and the charge stays refundable
  (``is_charge_refundable``); ``charge.dispute.created``;
- ``prevented``, a dispute stopped before it became a chargeback (Stripe's dispute prevention after an early
  fraud warning): the charge is refunded by Stripe (``refund.created``, ``charge.refunded``), nothing is
  withdrawn and no fee is taken; ``charge.dispute.created`` and ``charge.dispute.closed``.

Evidence decides the outcome, as in Stripe's test mode: ``POST /v1/disputes/{id}`` with ``evidence`` whose
``uncategorized_text`` is ``winning_evidence`` closes a chargeback ``won`` (the amount comes back: an
``adjustment`` with reporting category ``dispute_reversal``, ``charge.dispute.funds_reinstated``) and an inquiry
``warning_closed``; ``losing_evidence`` closes a chargeback ``lost`` and escalates an inquiry to a chargeback
(``needs_response``, funds and fee withdrawn, ``charge.dispute.funds_withdrawn``). Other evidence, when
submitted, moves it to ``under_review`` / ``warning_under_review``. ``POST /v1/disputes/{id}/close`` accepts a
chargeback (``lost``) or closes an inquiry (``warning_closed``). Every change emits ``charge.dispute.updated``,
every closing ``charge.dispute.closed``. While a chargeback is open or lost the charge cannot be refunded
(``charge_disputed``, see ``refunds``).
"""

from localstripe.resources import Charge, Refund, StripeObject

from . import balances, clock, money
from .api import api_route, emit, fetch, page, stored
from .context import acting_as, acting_for, on_platform, owner, platform_of
from .errors import invalid, no_such
from .params import Params, merge_metadata
from .state import store

REASONS = (
    "bank_cannot_process", "credit_not_processed", "customer_initiated", "debit_not_authorized", "duplicate",
    "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "product_not_received",
    "product_unacceptable", "subscription_canceled", "unrecognized",
)  # fmt: skip
_THREE_WEEKS = 21 * 24 * 3600
OPENING_STATUSES = ("needs_response", "warning_needs_response", "prevented")
CLOSED_STATUSES = ("won", "lost", "warning_closed", "prevented")
WINNING_EVIDENCE, LOSING_EVIDENCE = "winning_evidence", "losing_evidence"


class Dispute(StripeObject):
    object = "dispute"
    _id_prefix = "dp_"

    def __init__(self, charge, amount, reason):
        super().__init__()
        self.amount = amount
        self.balance_transactions = []
        self.charge = charge.id
        self.currency = charge.currency
        self.evidence = {}
        self.evidence_details = {
            "due_by": clock.now() + _THREE_WEEKS,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        }
        self.is_charge_refundable = False
        self.metadata = {}
        self.payment_intent = charge.payment_intent
        self.reason = reason
        self.status = "needs_response"
        self._charge = charge

    def _is_inquiry(self) -> bool:  # a method, not a property: properties would be exported
        return self.status.startswith("warning_")

    def _set_status(self, status: str) -> None:
        self.status = status
        self.is_charge_refundable = self._is_inquiry()  # an inquiry's charge may still be refunded


@api_route
def dispute_control(request, params):
    charge = store.get(f"charge:{request.match_info['id']}")
    if not isinstance(charge, Charge):
        raise no_such("charge", request.match_info["id"])
    # Out-of-band: any platform's charge; the dispute, balance and events belong to the charge's owner.
    with acting_for(charge):
        return _open_dispute(charge, Params(params))


def _open_dispute(charge, p: Params) -> Dispute:
    disputable = charge.amount - charge.amount_refunded
    amount = p.integer("amount", minimum=1, default=disputable)
    reason = p.string("reason", choices=REASONS, default="fraudulent")
    status = p.string("status", choices=OPENING_STATUSES, default="needs_response")
    p.done()
    if charge.status != "succeeded" or charge.disputed:
        raise invalid(
            f"Charge {charge.id} cannot be disputed (status {charge.status}, disputed {charge.disputed})."
        )
    if amount > disputable:
        raise invalid(f"A dispute cannot exceed the unrefunded amount ({disputable}).", param="amount")
    if status == "prevented":
        Refund(charge=charge.id, amount=amount, reason="fraudulent")  # the prevention refunds the customer
    dispute = Dispute(charge, amount, reason)
    dispute._set_status(status)
    charge.disputed = True
    charge._dispute = dispute
    emit("charge.dispute.created", dispute)
    if status == "needs_response":
        _withdraw(dispute)
    elif status == "prevented":
        emit("charge.dispute.closed", dispute)
    return dispute


def _balance_change(dispute, amount: int, fee: int, reporting_category: str, description: str):
    charge = dispute._charge
    with on_platform(platform_of(charge)), acting_as(owner(charge)):
        txn = balances.record(
            account=owner(charge),
            amount=amount,
            currency=charge.currency,
            type="adjustment",
            reporting_category=reporting_category,
            source=dispute.id,
            description=description,
            fee=fee,
            fee_details=[balances.fee_detail(fee, charge.currency, "Dispute fee")] if fee else [],
        )
    dispute.balance_transactions = [*dispute.balance_transactions, txn]


def _withdraw(dispute) -> None:
    """A chargeback: the amount and Stripe's dispute fee leave the charge owner's balance."""
    fee = money.settings.dispute_fee
    description = f"Chargeback withdrawal for {dispute.charge}"
    _balance_change(dispute, -dispute.amount, fee, "dispute", description)
    emit("charge.dispute.funds_withdrawn", dispute)


def _close(dispute, status: str) -> None:
    dispute._set_status(status)
    if status == "won":
        description = f"Chargeback reversal for {dispute.charge}"
        _balance_change(dispute, dispute.amount, 0, "dispute_reversal", description)
    emit("charge.dispute.closed", dispute)
    if status == "won":
        emit("charge.dispute.funds_reinstated", dispute)


def _submit_evidence(dispute, evidence: dict) -> None:
    """Stripe's test mode: the evidence text decides the outcome at once."""
    text = str(evidence.get("uncategorized_text") or "")
    dispute.evidence_details["submission_count"] += 1
    if dispute._is_inquiry():
        dispute._set_status("warning_under_review")
        emit("charge.dispute.updated", dispute)
        if text == WINNING_EVIDENCE:
            _close(dispute, "warning_closed")
        elif text == LOSING_EVIDENCE:  # the issuer escalates the inquiry to a chargeback
            dispute._set_status("needs_response")
            emit("charge.dispute.updated", dispute)
            _withdraw(dispute)
        return
    dispute._set_status("under_review")
    emit("charge.dispute.updated", dispute)
    if text == WINNING_EVIDENCE:
        _close(dispute, "won")
    elif text == LOSING_EVIDENCE:
        _close(dispute, "lost")


@api_route
def retrieve_dispute(request, params):
    Params(params).done()
    return fetch("dispute", request.match_info["id"])


@api_route
def list_disputes(request, params):
    p = Params(params)
    charge, payment_intent = p.string("charge"), p.string("payment_intent")
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    in_range = p.created()
    p.done()
    items = [
        dispute
        for dispute in stored("dispute")
        if charge in (None, dispute.charge)
        and payment_intent in (None, dispute.payment_intent)
        and in_range(dispute)
    ]
    return page(request.path, items, limit, starting_after)


@api_route
def update_dispute(request, params):
    dispute = fetch("dispute", request.match_info["id"])
    p = Params(params)
    evidence = p.mapping("evidence")
    metadata = p.metadata()
    submit = p.boolean("submit", default=True)
    p.done()
    if evidence and dispute.status in CLOSED_STATUSES:
        raise invalid(
            f"This dispute is already closed ({dispute.status}); its evidence cannot change.",
            param="evidence",
        )
    dispute.metadata = merge_metadata(dispute.metadata, metadata)
    if evidence:
        dispute.evidence = {**dispute.evidence, **evidence}
        dispute.evidence_details["has_evidence"] = True
    if evidence and submit:
        _submit_evidence(dispute, evidence)
    else:
        emit("charge.dispute.updated", dispute)
    return dispute


@api_route
def close_dispute(request, params):
    Params(params).done()
    dispute = fetch("dispute", request.match_info["id"])
    if dispute.status not in CLOSED_STATUSES:
        _close(dispute, "warning_closed" if dispute._is_inquiry() else "lost")
    return dispute


ROUTES = [
    ("GET", "/v1/disputes", list_disputes),
    ("GET", "/v1/disputes/{id}", retrieve_dispute),
    ("POST", "/v1/disputes/{id}", update_dispute),
    ("POST", "/v1/disputes/{id}/close", close_dispute),
]
