"""Per-account balances, derived from balance transactions.

Every money movement writes a ``txn_`` on the account it affects: charges (with the configurable
processing fee), refunds, transfers (platform ``transfer`` / connected ``payment``), reversals
(platform ``transfer_refund`` / connected ``payment_refund``), payouts, payout failures, disputes.
The balance is the sum of their ``net`` per currency. Simplification: funds are available
immediately (``status: available``, ``available_on == created``), nothing is ever ``pending``.
Charges and refunds in another currency than the settlement currency are converted (see ``_txn_init``).
"""

from localstripe.resources import BalanceTransaction, StripeObject

from . import money
from .api import api_route, fetch, page, stored
from .context import acting_as, current_account
from .params import Params

_original_txn_init = BalanceTransaction.__init__


def _txn_init(self, *args, **kwargs):
    """localstripe's own charge/refund transactions: give charges a real fee instead of 0, and land them in the
    platform's settlement currency (``money.Settings.settlement_currency``) at the fixed test rate, with
    ``exchange_rate`` set as Stripe does (amount in the charge currency × rate = amount here)."""
    _original_txn_init(self, *args, **kwargs)
    settlement = money.settings.settlement_currency(self.currency)
    self.exchange_rate = None  # Stripe's null when nothing was converted (localstripe writes 1.0)
    if settlement != self.currency.lower():
        self.amount, rate = money.convert(self.amount, self.currency, settlement)
        self.currency, self.exchange_rate = settlement, float(rate)
    if self.type == "charge":
        self.fee = money.settings.processing_fee(self.amount)
        self.fee_details = [fee_detail(self.fee, self.currency, "Stripe processing fees")]


BalanceTransaction.__init__ = _txn_init


def settled(charge) -> tuple[str, int, int]:
    """Where a charge landed: its balance transaction's currency, amount, and the refunded amount in it."""
    txn = fetch("balance_transaction", charge.balance_transaction)
    refunded = money.convert(charge.amount_refunded, charge.currency, txn.currency)[0]
    return txn.currency, txn.amount, refunded


def fee_detail(amount: int, currency: str, description: str) -> dict:
    return {
        "amount": amount,
        "application": None,
        "currency": currency,
        "description": description,
        "type": "stripe_fee",
    }


def record(
    *, account, amount, currency, type, reporting_category, source, description=None, fee=0, fee_details=()
) -> BalanceTransaction:
    """Write a balance transaction on ``account`` (None = platform) for one of our own movements.

    localstripe's constructor only accepts charge/refund sources, so the object is built directly.
    """
    with acting_as(account):
        txn = BalanceTransaction.__new__(BalanceTransaction)
        StripeObject.__init__(txn)
    txn.amount = amount
    txn.available_on = txn.created
    txn.currency = currency
    txn.description = description
    txn.exchange_rate = None
    txn.fee = fee
    txn.fee_details = list(fee_details)
    txn.reporting_category = reporting_category
    txn.source = source
    txn.status = "available"
    txn.type = type
    return txn


def _transactions_of(account) -> list:
    with acting_as(account):
        return stored("balance_transaction")


def available(account, currency: str) -> int:
    return sum(txn.net for txn in _transactions_of(account) if txn.currency == currency)


def balance_of(account, fallback_currency: str) -> dict:
    totals: dict[str, int] = {}
    for txn in _transactions_of(account):
        totals[txn.currency] = totals.get(txn.currency, 0) + txn.net
    if not totals:
        totals[fallback_currency] = 0
    available_funds = [
        {"amount": amount, "currency": currency, "source_types": {"card": amount}}
        for currency, amount in sorted(totals.items())
    ]
    pending = [
        {"amount": 0, "currency": currency, "source_types": {"card": 0}} for currency in sorted(totals)
    ]
    return {"object": "balance", "livemode": False, "available": available_funds, "pending": pending}


@api_route
def get_balance(request, params):
    Params(params).done()
    account = current_account()
    fallback = money.default_currency(money.settings.platform_country)
    if account is not None:
        fallback = fetch("account", account).default_currency
    return balance_of(account, fallback)


@api_route
def list_balance_transactions(request, params):
    p = Params(params)
    filters = {
        "type": p.string("type"),
        "source": p.string("source"),
        "currency": p.currency(),
    }
    in_range = p.created()
    p.string("payout")  # accepted; automatic payouts do not exist here, so it never filters anything
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    p.done()
    items = [
        txn
        for txn in stored("balance_transaction")
        if in_range(txn)
        and all(value is None or getattr(txn, name) == value for name, value in filters.items())
    ]
    return page(request.path, items, limit, starting_after)


@api_route
def retrieve_balance_transaction(request, params):
    Params(params).done()
    return fetch("balance_transaction", request.match_info["id"])


ROUTES = [
    ("GET", "/v1/balance", get_balance),
    ("GET", "/v1/balance_transactions", list_balance_transactions),
    ("GET", "/v1/balance_transactions/{id}", retrieve_balance_transaction),
    ("GET", "/v1/balance/history", list_balance_transactions),
    ("GET", "/v1/balance/history/{id}", retrieve_balance_transaction),
]
