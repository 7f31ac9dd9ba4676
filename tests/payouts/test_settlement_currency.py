"""A charge Stripe settles in another currency (a EUR order on a platform that settles in USD): Stripe's fee is
booked in the balance transaction's currency, the conversion goes through the currency-conversion account, and
every entry still balances per currency. The old code booked the USD fee and net as if they were EUR."""

from collections import defaultdict

import pytest

from apps.payouts.ledger.balances import network_balance
from apps.payouts.models import AccountKind, EntryKind, JournalEntry, OrderMoney
from apps.payouts.payments.charges import charge_record
from tests.payouts.money_builders import control, make_order, make_participants, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def settles_in_usd(money_a):
    control("config", platform_country="US", settle_in_platform_currency=True)
    yield
    control("config", settle_in_platform_currency=False)


def test_the_fee_is_booked_in_the_settlement_currency_and_the_ledger_balances(settles_in_usd):
    owners, _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10000, currency="EUR", items=[(owners[0], 6000)])
    charge = pay(order)
    entry = charge_record(charge_id=charge["id"])
    lines = {(p.account.kind, p.account.currency): p.amount_minor for p in entry.postings.all()}
    # 100.00 EUR lands as 110.00 USD (the local server's fixed test rate); the fee 1.5 % + 25 is 1.90 USD.
    assert lines == {
        (AccountKind.PLATFORM_CASH, "USD"): 11000 - 190,
        (AccountKind.STRIPE_FEES, "USD"): 190,
        (AccountKind.CURRENCY_CONVERSION, "EUR"): 10000,
        (AccountKind.CURRENCY_CONVERSION, "USD"): -11000,
        (AccountKind.ORDER_CLEARING, "EUR"): -10000,
    }
    per_currency = defaultdict(int)
    for posting in entry.postings.all():
        per_currency[posting.account.currency] += posting.amount_minor
    assert dict(per_currency) == {"EUR": 0, "USD": 0}
    money = OrderMoney.objects.get(order=order)
    assert (money.currency, money.paid_minor, money.fee_minor) == ("EUR", 10000, 173)  # 1.90 USD / 1.10
    assert JournalEntry.objects.filter(kind=EntryKind.CHARGE, order=order).count() == 1
    assert network_balance(AccountKind.STRIPE_FEES) == {"USD": 190}


def test_a_charge_settled_as_charged_books_as_before(money_a):
    owners, _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10000, currency="EUR", items=[(owners[0], 6000)])
    entry = charge_record(charge_id=pay(order)["id"])
    kinds = {(p.account.kind, p.account.currency) for p in entry.postings.all()}
    assert (AccountKind.CURRENCY_CONVERSION, "EUR") not in kinds
    assert OrderMoney.objects.get(order=order).fee_minor == 175
