"""Transfers to connected accounts (``/v1/transfers``) and their reversals.

A transfer debits the platform (``transfer`` balance transaction) and credits the destination with a
``py_...`` payment (an object of type ``charge`` visible only with ``Stripe-Account``, ``payment``
balance transaction). A reversal does the opposite (platform ``transfer_refund``, destination
``payment_refund`` through a ``pyr_...`` refund). Creation fails like Stripe when the destination has
no active ``transfers`` capability, when ``source_transaction`` cannot fund the amount (charge amount
- refunded - what earlier transfers from it still hold; reversed amounts free it up again), when the
currency differs from the source charge's, or, without a source, when the platform's *available* balance is
short. As on Stripe, a transfer with ``source_transaction`` may be made while the charge's funds are still
pending: it reaches the destination pending until the charge's funds are available (``available_on``).
A reversal needs the destination's balance (available + pending) to cover it: once the account was paid
out, it fails with ``balance_insufficient``.
"""

from localstripe.resources import Charge, List, StripeObject

from . import balances
from .api import api_route, emit, fetch, page, stored
from .connect import find_account
from .context import acting_as, current_account
from .errors import StripeError, invalid, no_such
from .money import format_amount
from .params import Params, merge_metadata
from .state import store


class DestinationPayment(StripeObject):
    """The ``py_`` charge a transfer creates on the destination account."""

    object = "charge"
    _id_prefix = "py_"

    def __init__(self, transfer):
        super().__init__()
        self.amount = transfer.amount
        self.amount_captured = transfer.amount
        self.amount_refunded = 0
        self.balance_transaction = None
        self.captured = True
        self.currency = transfer.currency
        self.customer = None
        self.description = None
        self.disputed = False
        self.failure_code = None
        self.failure_message = None
        self.metadata = {}
        self.paid = True
        self.payment_intent = None
        self.payment_method = None
        self.refunded = False
        self.source_transfer = transfer.id
        self.status = "succeeded"
        self.transfer_group = None
        self._refunds = []

    @property
    def refunds(self):
        return page(f"/v1/charges/{self.id}/refunds", self._refunds)


class DestinationPaymentRefund(StripeObject):
    """The ``pyr_`` refund a reversal creates on the destination payment."""

    object = "refund"
    _id_prefix = "pyr_"

    def __init__(self, payment, amount):
        super().__init__()
        self.amount = amount
        self.balance_transaction = None
        self.charge = payment.id
        self.currency = payment.currency
        self.date = self.created  # localstripe sorts refund lists on it
        self.metadata = {}
        self.payment_intent = None
        self.reason = None
        self.status = "succeeded"


class Transfer(StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(
        self, *, amount, currency, destination, description, metadata, source_transaction, transfer_group
    ):
        super().__init__()
        self.amount = amount
        self.amount_reversed = 0
        self.balance_transaction = None
        self.currency = currency
        self.description = description
        self.destination = destination
        self.destination_payment = None
        self.metadata = metadata
        self.reversed = False
        self.source_transaction = source_transaction
        self.source_type = "card"
        self.transfer_group = transfer_group
        self._reversals = []

    @property
    def reversals(self) -> List:
        return page(f"/v1/transfers/{self.id}/reversals", self._reversals)

    @property
    def _unreversed(self) -> int:
        return self.amount - self.amount_reversed


class TransferReversal(StripeObject):
    object = "transfer_reversal"
    _id_prefix = "trr_"

    def __init__(self, transfer, amount, metadata):
        super().__init__()
        self.amount = amount
        self.balance_transaction = None
        self.currency = transfer.currency
        self.destination_payment_refund = None
        self.metadata = metadata
        self.source_refund = None
        self.transfer = transfer.id


def _check_destination(destination: str):
    account = find_account(destination)
    if account is None:
        raise invalid(f"No such destination: '{destination}'", code="resource_missing", param="destination")
    if not account._transfers_active():
        raise invalid(
            "Your destination account needs to have at least one of the following capabilities enabled: "
            "transfers, crypto_transfers, legacy_payments",
            code="insufficient_capabilities_for_transfer",
            param="destination",
        )


def _check_source_transaction(source_transaction: str, amount: int, currency: str) -> Charge:
    charge = fetch("charge", source_transaction, param="source_transaction", status=400)
    if not isinstance(charge, Charge) or charge.status != "succeeded" or not charge.captured:
        raise invalid(
            f"The source_transaction {source_transaction} must be a succeeded, captured charge.",
            param="source_transaction",
        )
    # The balance transaction's currency is the settlement currency: a EUR charge on a USD platform funds
    # USD transfers only (Stripe converted it when it landed).
    settled_currency, settled_amount, refunded = balances.settled(charge)
    if settled_currency != currency:
        raise invalid(
            f"The currency of source_transaction's balance transaction ({settled_currency}) must be the same "
            f"as the transfer currency ({currency}).",
            code="transfer_source_balance_parameters_mismatch",
            param="currency",
        )
    already = sum(t._unreversed for t in stored("transfer") if t.source_transaction == source_transaction)
    fundable = settled_amount - refunded - already
    if amount > fundable:
        raise invalid(
            f"Transfer amount ({format_amount(amount, currency)}) exceeds what source_transaction "
            f"{source_transaction} can still fund ({format_amount(max(fundable, 0), currency)}).",
            code="amount_too_large",
            param="amount",
        )
    return charge


def _available_on(charge: Charge | None) -> int | None:
    """When a transfer's money is available on its destination: when its source charge's funds are."""
    if charge is None or not charge.balance_transaction:
        return None
    txn = store.get(f"balance_transaction:{charge.balance_transaction}")
    return getattr(txn, "available_on", None)


def _check_platform_balance(amount: int, currency: str):
    if balances.available(None, currency) < amount:
        raise invalid(
            "You have insufficient available funds in your Stripe account. Try adding funds directly to your "
            "available balance by creating Charges (or pass source_transaction).",
            code="balance_insufficient",
            param="amount",
        )


@api_route
def create_transfer(request, params):
    p = Params(params)
    amount = p.integer("amount", required=True, minimum=1)
    currency = p.currency(required=True)
    destination = p.string("destination", required=True)
    source_transaction = p.string("source_transaction")
    fields = {
        "description": p.string("description"),
        "metadata": merge_metadata({}, p.metadata()),
        "transfer_group": p.string("transfer_group"),
    }
    p.done()
    if current_account() is not None:
        raise StripeError(400, "Transfers to connected accounts can only be created by the platform.")
    _check_destination(destination)
    source_charge = None
    if source_transaction:
        source_charge = _check_source_transaction(source_transaction, amount, currency)
    else:
        _check_platform_balance(amount, currency)

    transfer = Transfer(
        amount=amount,
        currency=currency,
        destination=destination,
        source_transaction=source_transaction,
        **fields,
    )
    transfer.balance_transaction = balances.record(
        account=None,
        amount=-amount,
        currency=currency,
        type="transfer",
        reporting_category="transfer",
        source=transfer.id,
        description=fields["description"],
    ).id
    with acting_as(destination):
        payment = DestinationPayment(transfer)
    payment.balance_transaction = balances.record(
        account=destination,
        amount=amount,
        currency=currency,
        type="payment",
        reporting_category="charge",
        source=payment.id,
        available_on=_available_on(source_charge),
    ).id
    transfer.destination_payment = payment.id
    emit("transfer.created", transfer)
    return transfer


@api_route
def retrieve_transfer(request, params):
    Params(params).done()
    return fetch("transfer", request.match_info["id"])


@api_route
def update_transfer(request, params):
    transfer = fetch("transfer", request.match_info["id"])
    p = Params(params)
    transfer.description = p.string("description", default=transfer.description)
    transfer.metadata = merge_metadata(transfer.metadata, p.metadata())
    p.done()
    emit("transfer.updated", transfer)
    return transfer


@api_route
def list_transfers(request, params):
    p = Params(params)
    destination, transfer_group = p.string("destination"), p.string("transfer_group")
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    in_range = p.created()
    p.done()
    items = [
        t
        for t in stored("transfer")
        if destination in (None, t.destination) and transfer_group in (None, t.transfer_group) and in_range(t)
    ]
    return page(request.path, items, limit, starting_after)


@api_route
def create_reversal(request, params):
    transfer = fetch("transfer", request.match_info["id"])
    p = Params(params)
    amount = p.integer("amount", minimum=1, default=transfer._unreversed)
    metadata = merge_metadata({}, p.metadata())
    p.string("description")
    p.boolean("refund_application_fee")
    p.done()
    if transfer._unreversed == 0:
        raise invalid(f"Transfer {transfer.id} has already been fully reversed.", code="amount_too_large")
    if amount > transfer._unreversed:
        raise invalid(
            f"Amount ({format_amount(amount, transfer.currency)}) is greater than the unreversed amount "
            f"of the transfer ({format_amount(transfer._unreversed, transfer.currency)}).",
            code="amount_too_large",
            param="amount",
        )
    destination_balance = balances.available(transfer.destination, transfer.currency) + balances.pending(
        transfer.destination, transfer.currency
    )
    if destination_balance < amount:
        raise invalid(
            f"Insufficient funds in the destination account {transfer.destination} to reverse "
            f"{format_amount(amount, transfer.currency)}.",
            code="balance_insufficient",
            param="amount",
        )

    reversal = TransferReversal(transfer, amount, metadata)
    reversal.balance_transaction = balances.record(
        account=None,
        amount=amount,
        currency=transfer.currency,
        type="transfer_refund",
        reporting_category="transfer_reversal",
        source=reversal.id,
    ).id
    with acting_as(transfer.destination):
        payment = fetch("charge", transfer.destination_payment)
        refund = DestinationPaymentRefund(payment, amount)
    refund.balance_transaction = balances.record(
        account=transfer.destination,
        amount=-amount,
        currency=transfer.currency,
        type="payment_refund",
        reporting_category="refund",
        source=refund.id,
        # Taken from where the payment's money is: still pending when the payment is.
        available_on=getattr(
            store.get(f"balance_transaction:{payment.balance_transaction}"), "available_on", None
        ),
    ).id
    payment._refunds.append(refund)
    payment.amount_refunded += amount
    payment.refunded = payment.amount_refunded >= payment.amount
    reversal.destination_payment_refund = refund.id
    transfer._reversals.append(reversal)
    transfer.amount_reversed += amount
    transfer.reversed = transfer.amount_reversed >= transfer.amount
    emit("transfer.reversed", transfer)
    return reversal


def _reversal_of(request):
    transfer = fetch("transfer", request.match_info["id"])
    for reversal in transfer._reversals:
        if reversal.id == request.match_info["reversal"]:
            return reversal
    raise no_such("transfer_reversal", request.match_info["reversal"])


@api_route
def list_reversals(request, params):
    transfer = fetch("transfer", request.match_info["id"])
    p = Params(params)
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    p.done()
    return page(request.path, transfer._reversals, limit, starting_after)


@api_route
def retrieve_reversal(request, params):
    Params(params).done()
    return _reversal_of(request)


@api_route
def update_reversal(request, params):
    reversal = _reversal_of(request)
    p = Params(params)
    reversal.metadata = merge_metadata(reversal.metadata, p.metadata())
    p.done()
    return reversal


ROUTES = [
    ("POST", "/v1/transfers", create_transfer),
    ("GET", "/v1/transfers", list_transfers),
    ("GET", "/v1/transfers/{id}", retrieve_transfer),
    ("POST", "/v1/transfers/{id}", update_transfer),
    ("POST", "/v1/transfers/{id}/reversals", create_reversal),
    ("GET", "/v1/transfers/{id}/reversals", list_reversals),
    ("GET", "/v1/transfers/{id}/reversals/{reversal}", retrieve_reversal),
    ("POST", "/v1/transfers/{id}/reversals/{reversal}", update_reversal),
]
