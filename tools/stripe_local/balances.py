"""Per-account balances, derived from balance transactions.

Every money movement writes a ``txn_`` on the account it affects: charges (with the configurable
processing fee), refunds, transfers (platform ``transfer`` / connected ``payment``), reversals
(platform ``transfer_refund`` / connected ``payment_refund``), payouts, payout failures, disputes.
The balance is the sum of their ``net`` per currency and status.

As on Stripe, card funds are **pending** until ``available_on``: a charge's transaction becomes
available ``available_delay_days`` after it (``--available-delay-days``, ``POST /_test/config``; 2 by
default), and a transfer funded by a ``source_transaction`` reaches its destination pending until that
charge's funds are available. Debits (refunds, transfers, payouts…) are available at once. Pending
transactions become available when the server's clock (``/_test/clock``, or real time) passes their
``available_on``: ``settle_due()`` flips them, and runs the automatic payouts that became due (``payouts``).
Charges and refunds in another currency than the settlement currency are converted (see ``_txn_init``).
"""

from localstripe.resources import BalanceTransaction, StripeObject

from . import clock, money, state
from .api import api_route, fetch, page, stored
from .context import acting_as, current_account
from .params import Params

_DAY = 24 * 3600
_original_txn_init = BalanceTransaction.__init__
# Transactions still pending, in no particular order (a wipe forgets them with the store).
_pending: list[BalanceTransaction] = []


@state.on_reset
def _forget_pending() -> None:
    _pending.clear()


def _txn_init(self, *args, **kwargs):
    """localstripe's own charge/refund transactions: charges get a real fee and are pending until available;
    charges and refunds land in the platform's settlement currency (``money.Settings.settlement_currency``) at
    the fixed test rate, with ``exchange_rate`` set as Stripe does (charge amount × rate = amount here)."""
    _original_txn_init(self, *args, **kwargs)
    settlement = money.settings.settlement_currency(self.currency)
    self.exchange_rate = None  # Stripe's null when nothing was converted (localstripe writes 1.0)
    if settlement != self.currency.lower():
        self.amount, rate = money.convert(self.amount, self.currency, settlement)
        self.currency, self.exchange_rate = settlement, float(rate)
    if self.type == "charge":
        self.fee = money.settings.processing_fee(self.amount)
        self.fee_details = [fee_detail(self.fee, self.currency, "Stripe processing fees")]
        _hold_until(self, self.created + money.settings.available_delay_days * _DAY)


BalanceTransaction.__init__ = _txn_init


def settled(charge) -> tuple[str, int, int]:
    """Where a charge landed: its balance transaction's currency, amount, and the refunded amount in it."""
    txn = fetch("balance_transaction", charge.balance_transaction)
    refunded = money.convert(charge.amount_refunded, charge.currency, txn.currency)[0]
    return txn.currency, txn.amount, refunded


def _hold_until(txn: BalanceTransaction, available_on: int) -> None:
    txn.available_on = max(available_on, txn.created)
    if txn.available_on > clock.now():
        txn.status = "pending"
        _pending.append(txn)
    else:
        txn.status = "available"


def fee_detail(amount: int, currency: str, description: str) -> dict:
    return {
        "amount": amount,
        "application": None,
        "currency": currency,
        "description": description,
        "type": "stripe_fee",
    }


def record(
    *,
    account,
    amount,
    currency,
    type,
    reporting_category,
    source,
    description=None,
    fee=0,
    fee_details=(),
    available_on: int | None = None,
) -> BalanceTransaction:
    """Write a balance transaction on ``account`` (None = platform) for one of our own movements; it is
    pending until ``available_on`` when that is in the future (available at once otherwise).

    localstripe's constructor only accepts charge/refund sources, so the object is built directly.
    """
    with acting_as(account):
        txn = BalanceTransaction.__new__(BalanceTransaction)
        StripeObject.__init__(txn)
    txn.amount = amount
    txn.currency = currency
    txn.description = description
    txn.exchange_rate = None
    txn.fee = fee
    txn.fee_details = list(fee_details)
    txn.reporting_category = reporting_category
    txn.source = source
    txn.type = type
    _hold_until(txn, txn.created if available_on is None else available_on)
    return txn


def make_available_due() -> None:
    """Pending transactions whose ``available_on`` the clock has passed become available."""
    now = clock.now()
    due = [txn for txn in _pending if txn.available_on <= now]
    for txn in due:
        txn.status = "available"
        _pending.remove(txn)


def _transactions_of(account) -> list:
    with acting_as(account):
        return stored("balance_transaction")


def _sum(account, currency: str, status: str) -> int:
    make_available_due()
    return sum(
        txn.net for txn in _transactions_of(account) if txn.currency == currency and txn.status == status
    )


def available(account, currency: str) -> int:
    return _sum(account, currency, "available")


def pending(account, currency: str) -> int:
    return _sum(account, currency, "pending")


def totals_by_currency(account, status: str) -> dict[str, int]:
    make_available_due()
    totals: dict[str, int] = {}
    for txn in _transactions_of(account):
        if txn.status == status:
            totals[txn.currency] = totals.get(txn.currency, 0) + txn.net
    return totals


def balance_of(account, fallback_currency: str) -> dict:
    make_available_due()
    by_status = {status: totals_by_currency(account, status) for status in ("available", "pending")}
    currencies = sorted(set(by_status["available"]) | set(by_status["pending"])) or [fallback_currency]

    def funds(status: str) -> list[dict]:
        amounts = [(currency, by_status[status].get(currency, 0)) for currency in currencies]
        return [
            {"amount": amount, "currency": currency, "source_types": {"card": amount}}
            for currency, amount in amounts
        ]

    return {
        "object": "balance",
        "livemode": False,
        "available": funds("available"),
        "pending": funds("pending"),
    }


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
    p.string("payout")  # accepted, not filtered on (payouts here do not list the transactions they paid)
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    p.done()
    make_available_due()
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
