"""Disputes, created only by the test control ``POST /_test/charges/{id}/dispute``.

The disputed amount plus the configurable dispute fee (default 1500 minor units) is debited from the
balance of the account that owns the charge (an ``adjustment`` balance transaction, reporting
category ``dispute``), and ``charge.dispute.created`` / ``charge.dispute.funds_withdrawn`` are emitted.
``/v1/disputes`` supports retrieve, list and close (``status: lost``).
"""

from localstripe.resources import Charge, StripeObject

from . import balances, clock, money
from .api import api_route, emit, fetch, page, stored
from .context import acting_for, owner
from .errors import invalid, no_such
from .params import Params, merge_metadata
from .state import store

REASONS = (
    "bank_cannot_process", "credit_not_processed", "customer_initiated", "debit_not_authorized", "duplicate",
    "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "product_not_received",
    "product_unacceptable", "subscription_canceled", "unrecognized",
)  # fmt: skip
_THREE_WEEKS = 21 * 24 * 3600


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
    p.done()
    if charge.status != "succeeded" or charge.disputed:
        raise invalid(
            f"Charge {charge.id} cannot be disputed (status {charge.status}, disputed {charge.disputed})."
        )
    if amount > disputable:
        raise invalid(f"A dispute cannot exceed the unrefunded amount ({disputable}).", param="amount")
    dispute = Dispute(charge, amount, reason)
    fee = money.settings.dispute_fee
    txn = balances.record(
        account=owner(charge),
        amount=-amount,
        currency=charge.currency,
        type="adjustment",
        reporting_category="dispute",
        source=dispute.id,
        description=f"Chargeback withdrawal for {charge.id}",
        fee=fee,
        fee_details=[balances.fee_detail(fee, charge.currency, "Dispute fee")],
    )
    dispute.balance_transactions = [txn]
    charge.disputed = True
    emit("charge.dispute.created", dispute)
    emit("charge.dispute.funds_withdrawn", dispute)
    return dispute


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
    dispute.metadata = merge_metadata(dispute.metadata, p.metadata())
    submit = p.boolean("submit", default=True)
    p.done()
    if evidence:
        dispute.evidence = {**dispute.evidence, **evidence}
        dispute.evidence_details["has_evidence"] = True
    if evidence and submit:
        dispute.evidence_details["submission_count"] += 1
        dispute.status = "under_review"
    emit("charge.dispute.updated", dispute)
    return dispute


@api_route
def close_dispute(request, params):
    Params(params).done()
    dispute = fetch("dispute", request.match_info["id"])
    dispute.status = "lost"
    emit("charge.dispute.closed", dispute)
    return dispute


ROUTES = [
    ("GET", "/v1/disputes", list_disputes),
    ("GET", "/v1/disputes/{id}", retrieve_dispute),
    ("POST", "/v1/disputes/{id}", update_dispute),
    ("POST", "/v1/disputes/{id}/close", close_dispute),
]
