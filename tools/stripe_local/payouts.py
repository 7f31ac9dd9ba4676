"""Payouts debiting an account's balance: requested (``POST /v1/payouts``, usually with ``Stripe-Account``)
or automatic (connected accounts whose ``settings.payouts.schedule`` is not ``manual``, see ``schedule``).

A payout is created ``pending`` with a ``payout`` balance transaction, then settles right after the
response has been built: ``paid`` (``payout.paid``) or, when ``POST /_test/payouts/fail_next`` armed
it, ``failed`` (``payout.failed``) with a ``payout_failure`` transaction giving the money back.
Connected accounts need ``payouts_enabled``; everything must be covered by the *available* balance
(pending funds are not paid out).
"""

import asyncio

from localstripe.resources import Payout, random_id

from . import balances, clock, controls, money, schedule, state
from .api import api_route, emit, fetch, page, stored
from .connect import Account, get_account
from .context import acting_as, current_account, on_platform, platform_of
from .errors import invalid
from .params import Params, fresh_metadata

FAILURE_MESSAGES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The bank account number seems to be invalid.",
    "no_account": "The bank account details on file are probably incorrect.",
}
_TWO_DAYS = 2 * 24 * 3600
_pending_settlements: set[asyncio.Task] = set()


class LocalPayout(Payout):
    """localstripe's Payout (kept for its retrieve/update routes) without its eur-only constructor."""

    def __init__(
        self,
        *,
        amount,
        currency,
        destination,
        description,
        metadata,
        method,
        statement_descriptor,
        automatic=False,
    ):
        super(Payout, self).__init__()  # skip Payout.__init__ on purpose: StripeObject's only
        self.amount = amount
        self.arrival_date = clock.now() + _TWO_DAYS
        self.automatic = automatic
        self.balance_transaction = None
        self.currency = currency
        self.description = description
        self.destination = destination
        self.failure_balance_transaction = None
        self.failure_code = None
        self.failure_message = None
        self.metadata = metadata
        self.method = method
        self.original_payout = None
        self.reversed_by = None
        self.source_type = "card"
        self.statement_descriptor = statement_descriptor
        self.status = "pending"
        self.type = "bank_account"


def _settle(payout: LocalPayout, failure_code: str | None) -> None:
    if payout.status != "pending":
        return
    if failure_code is None:
        payout.status = "paid"
        emit("payout.paid", payout)
        return
    payout.failure_balance_transaction = balances.record(
        account=payout._account,
        amount=payout.amount,
        currency=payout.currency,
        type="payout_failure",
        reporting_category="payout_reversal",
        source=payout.id,
    ).id
    payout.status = "failed"
    payout.failure_code = failure_code
    payout.failure_message = FAILURE_MESSAGES.get(failure_code, "The bank could not process this payout.")
    emit("payout.failed", payout)


def _schedule_settlement(payout: LocalPayout, failure_code: str | None) -> None:
    generation = state.generation()

    async def settle_soon():
        await asyncio.sleep(0)  # after the create response, as a real payout is never paid instantly
        if state.generation() == generation:  # not wiped in between
            _settle(payout, failure_code)

    task = asyncio.ensure_future(settle_soon())
    _pending_settlements.add(task)  # the loop only keeps weak references to tasks
    task.add_done_callback(_pending_settlements.discard)


@api_route
def create_payout(request, params):
    p = Params(params)
    amount = p.integer("amount", required=True, minimum=1)
    currency = p.currency(required=True)
    fields = {
        "description": p.string("description"),
        "metadata": fresh_metadata(p.metadata()),
        "method": p.string("method", choices=("standard", "instant"), default="standard"),
        "statement_descriptor": p.string("statement_descriptor"),
    }
    destination = p.string("destination")
    p.string("source_type")
    p.done()
    step = money.payout_step(currency)
    if amount % step:
        # HUF and TWD are paid out in whole units (amount divisible by 100), ISK/UGX always; KWD ends in 0.
        raise invalid(
            f"Payouts in {currency.upper()} must be evenly divisible by {step}: "
            f"{money.format_amount(amount, currency)} is not. "
            "See https://stripe.com/docs/currencies#special-cases for more information.",
            code="invalid_payout_amount",
            param="amount",
        )
    account_id = current_account()
    if account_id is not None:
        account = get_account(account_id)
        if not account.payouts_enabled:
            raise invalid(
                "Payouts are not enabled for this account: onboarding is not complete.",
                code="payouts_not_allowed",
            )
        destination = destination or account._payout_destination()
    if balances.available(account_id, currency) < amount:
        raise invalid(
            "You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.",
            code="balance_insufficient",
            param="amount",
        )
    return _pay_out(account_id, amount, currency, destination, fields)


def _pay_out(
    account_id, amount: int, currency: str, destination, fields: dict, automatic=False
) -> LocalPayout:
    payout = LocalPayout(
        amount=amount,
        currency=currency,
        destination=destination or "ba_" + random_id(24),
        automatic=automatic,
        **fields,
    )
    payout.balance_transaction = balances.record(
        account=account_id,
        amount=-amount,
        currency=currency,
        type="payout",
        reporting_category="payout",
        source=payout.id,
        description=fields["description"],
    ).id
    emit("payout.created", payout)
    _schedule_settlement(payout, controls.take_payout_failure())
    return payout


def _automatic_payouts(account: Account) -> None:
    """Pays out the account's whole available balance, per currency (its schedule says a payout day passed)."""
    with on_platform(platform_of(account)), acting_as(account.id):
        for currency, available in sorted(balances.totals_by_currency(account.id, "available").items()):
            amount = available - available % money.payout_step(currency)  # HUF 10.45 pays out HUF 10
            if amount > 0:
                fields = {"description": "STRIPE PAYOUT", "metadata": {}, "method": "standard"}
                fields["statement_descriptor"] = None
                _pay_out(account.id, amount, currency, account._payout_destination(), fields, automatic=True)


def time_passes() -> None:
    """Applies the time the clock moved since the last call: pending funds that became available, and the
    automatic payouts of every account (of every platform) whose payout day passed."""
    balances.make_available_due()
    span = schedule.elapsed()
    if span is None:
        return
    for obj in list(state.store.values()):
        if not isinstance(obj, Account) or not obj.payouts_enabled:
            continue
        payout_schedule = (obj.settings.get("payouts") or {}).get("schedule") or {}
        if schedule.payout_day_passed(payout_schedule, *span):
            _automatic_payouts(obj)


@api_route
def list_payouts(request, params):
    p = Params(params)
    status = p.string("status")
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    in_range = p.created()
    p.mapping("arrival_date")  # accepted, not filtered on
    p.string("destination")  # accepted, not filtered on
    p.done()
    items = [payout for payout in stored("payout") if status in (None, payout.status) and in_range(payout)]
    return page(request.path, items, limit, starting_after)


@api_route
def cancel_payout(request, params):
    Params(params).done()
    payout = fetch("payout", request.match_info["id"])
    if payout.status != "pending":
        raise invalid(f"Payout {payout.id} cannot be canceled because its status is {payout.status}.")
    payout.status = "canceled"
    balances.record(
        account=payout._account,
        amount=payout.amount,
        currency=payout.currency,
        type="payout_cancel",
        reporting_category="payout_reversal",
        source=payout.id,
    )
    emit("payout.canceled", payout)
    return payout


ROUTES = [
    ("POST", "/v1/payouts", create_payout),
    ("GET", "/v1/payouts", list_payouts),
    ("POST", "/v1/payouts/{id}/cancel", cancel_payout),
]
