"""Currencies as Stripe defines them: the one table of what the platform can charge, and in which units.

Stripe's amounts are integers in "the currency's minor unit", but Stripe's minor unit is not always ISO 4217's
(https://docs.stripe.com/currencies, sections "Minor units in API amounts", "Three-decimal currencies",
"Special cases", "Minimum and maximum charge amounts"):

- zero-decimal currencies (JPY, KRW, CLP, ...): 500 is ¥500;
- three-decimal currencies (BHD, JOD, KWD, OMR, TND): 5124 is 5.124 KWD, but charges, refunds and disputes
  must end in 0 ("round amounts to the nearest ten"), so the charge step is 10;
- ISK and UGX became zero-decimal but Stripe keeps them two-decimal for backwards compatibility: 500 is 5 ISK
  and amounts must be divisible by 100 (step 100; ISO 4217 and babel say ISK and UGX have no decimals);
- HUF and TWD charge with two decimals, but payouts must be divisible by 100 (payout step 100);
- several currencies ISO gives no decimals (ALL, LBP, MMK, RSD, SOS, YER, LAK...) are two-decimal on Stripe;
- every other supported currency is two-decimal.

The minimum charge depends on the settlement currency; Stripe publishes it for the currencies accounts settle in
(USD $0.50, GBP £0.30, JPY ¥50, HUF 175 Ft...). A charge in another currency must reach the settlement
currency's minimum after conversion, which only Stripe can tell (it answers `amount_too_small`).

The local Stripe server (tools/stripe_local/money.py) keeps its own copy of these rules — it must not import
the application; tests/core/test_currencies.py checks that the two tables agree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies

# Stripe's card presentment currencies (docs.stripe.com/currencies#presentment-currencies), plus the five
# three-decimal currencies the API supports for payments. STD is left out: ISO 4217 withdrew it in 2018 (STN).
STRIPE_CURRENCIES = frozenset(
    [
        "USD",
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "ISK",
        "JMD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KRW",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SZL",
        "THB",
        "TJS",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "UYU",
        "UZS",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "BHD",
        "JOD",
        "KWD",
        "OMR",
        "TND",
    ]
)
ZERO_DECIMAL = frozenset(
    ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF", "XOF", "XPF"]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
WHOLE_UNITS_IN_TWO_DECIMALS = frozenset({"ISK", "UGX"})  # two-decimal amounts that must end in 00
WHOLE_UNIT_PAYOUTS = frozenset({"HUF", "TWD"})  # charge with decimals, pay out in whole units

# Minimum charge per settlement currency, in Stripe's minor units (docs.stripe.com/currencies#minimum-and-maximum-
# charge-amounts).
MINIMUM_CHARGE = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50, "CZK": 1500, "DKK": 250,
    "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50, "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300,
    "NZD": 50, "PLN": 200, "RON": 200, "SEK": 300, "SGD": 50, "THB": 1000,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class StripeCurrency:
    code: str
    exponent: int  # digits of Stripe's minor unit: JPY 0, EUR 2, ISK 2, KWD 3
    charge_step: int  # charges and refunds are multiples of it: KWD 10, ISK 100, EUR 1
    payout_step: int  # payouts are multiples of it: HUF 100
    minimum_charge: int | None  # in minor units when charged in its own currency; None: Stripe converts first


def stripe_currency(code: str) -> StripeCurrency | None:
    """Stripe's rules for an ISO code (any case), or None when Stripe does not charge in it."""
    code = code.upper()
    if code not in STRIPE_CURRENCIES:
        return None
    exponent = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    charge_step = 10 if code in THREE_DECIMAL else 100 if code in WHOLE_UNITS_IN_TWO_DECIMALS else 1
    payout_step = 100 if code in WHOLE_UNIT_PAYOUTS | WHOLE_UNITS_IN_TWO_DECIMALS else charge_step
    return StripeCurrency(code, exponent, charge_step, payout_step, MINIMUM_CHARGE.get(code))


@functools.cache
def chargeable_currencies() -> tuple[str, ...]:
    """The currencies a network may choose, sorted: those Stripe charges in that are legal tender somewhere
    today by CLDR (babel) — not a code ISO 4217 has withdrawn (ANG, replaced by XCG in 2025), whatever Stripe's
    list still holds. Read once per process: a currency withdrawn while it runs is refused after a restart."""
    today = date.today()
    in_use = {
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, today, tender=True)
    }
    return tuple(sorted(STRIPE_CURRENCIES & in_use))


def currency_label(code: str) -> str:
    """ "EUR — Euro": the code people know from invoices, and its English name."""
    return f"{code} — {get_currency_name(code, locale='en')}"


def charge_step(code: str) -> int:
    rules = stripe_currency(code)
    return rules.charge_step if rules else 1


def round_up_to_charge_step(amount_minor: int, code: str) -> int:
    """A computed price raised to the next amount Stripe can charge: 5121 KWD fils → 5130, ISK 150050 → 150100.

    Up, never down: the rounding goes to the platform's margin, which it may only grow.
    """
    step = charge_step(code)
    return -(-amount_minor // step) * step


def payout_step(code: str) -> int:
    """Payouts are multiples of it: HUF and TWD 100 (whole units, although charged with decimals)."""
    rules = stripe_currency(code)
    return rules.payout_step if rules else 1


def minimum_charge(code: str) -> int | None:
    rules = stripe_currency(code)
    return rules.minimum_charge if rules else None
