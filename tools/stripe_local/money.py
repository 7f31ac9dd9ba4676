"""Amounts are integers in the currency's smallest unit everywhere, as in the Stripe API.

Zero-decimal currencies (JPY, KRW, ...) have no minor unit, so 1000 JPY is sent as ``1000``; nothing
in this server ever multiplies or divides by 100 except ``format_amount`` when writing messages.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

# Stripe's currency rules (docs.stripe.com/currencies). The application keeps its own copy in
# apps/core/currencies.py (this server must not import the application); tests/core/test_currencies.py checks
# that the two agree.
STRIPE_CURRENCIES = frozenset(
    [
        "usd",
        "aed",
        "afn",
        "all",
        "amd",
        "ang",
        "aoa",
        "ars",
        "aud",
        "awg",
        "azn",
        "bam",
        "bbd",
        "bdt",
        "bgn",
        "bif",
        "bmd",
        "bnd",
        "bob",
        "brl",
        "bsd",
        "bwp",
        "byn",
        "bzd",
        "cad",
        "cdf",
        "chf",
        "clp",
        "cny",
        "cop",
        "crc",
        "cve",
        "czk",
        "djf",
        "dkk",
        "dop",
        "dzd",
        "egp",
        "etb",
        "eur",
        "fjd",
        "fkp",
        "gbp",
        "gel",
        "gip",
        "gmd",
        "gnf",
        "gtq",
        "gyd",
        "hkd",
        "hnl",
        "htg",
        "huf",
        "idr",
        "ils",
        "inr",
        "isk",
        "jmd",
        "jpy",
        "kes",
        "kgs",
        "khr",
        "kmf",
        "krw",
        "kyd",
        "kzt",
        "lak",
        "lbp",
        "lkr",
        "lrd",
        "lsl",
        "mad",
        "mdl",
        "mga",
        "mkd",
        "mmk",
        "mnt",
        "mop",
        "mur",
        "mvr",
        "mwk",
        "mxn",
        "myr",
        "mzn",
        "nad",
        "ngn",
        "nio",
        "nok",
        "npr",
        "nzd",
        "pab",
        "pen",
        "pgk",
        "php",
        "pkr",
        "pln",
        "pyg",
        "qar",
        "ron",
        "rsd",
        "rub",
        "rwf",
        "sar",
        "sbd",
        "scr",
        "sek",
        "sgd",
        "shp",
        "sle",
        "sos",
        "srd",
        "szl",
        "thb",
        "tjs",
        "top",
        "try",
        "ttd",
        "twd",
        "tzs",
        "uah",
        "ugx",
        "uyu",
        "uzs",
        "vnd",
        "vuv",
        "wst",
        "xaf",
        "xcd",
        "xof",
        "xpf",
        "yer",
        "zar",
        "zmw",
        "bhd",
        "jod",
        "kwd",
        "omr",
        "tnd",
    ]
)
ZERO_DECIMAL_CURRENCIES = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf"]
)
THREE_DECIMAL_CURRENCIES = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])  # amounts must end in 0
WHOLE_UNITS_IN_TWO_DECIMALS = frozenset({"isk", "ugx"})  # two decimals, always 00: 5 ISK is 500
WHOLE_UNIT_PAYOUTS = frozenset({"huf", "twd"})  # charges take decimals, payouts must be divisible by 100
MINIMUM_CHARGE = {  # per settlement currency, smallest unit
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500, "dkk": 250,
    "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300,
    "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip
# Fixed, made-up test exchange rates: USD per one major unit. Never real rates; they only make conversions
# deterministic in tests (EUR→USD 1.10, so 100.00 EUR settles as 110.00 USD).
USD_PER_UNIT = {
    "usd": Decimal("1"), "eur": Decimal("1.10"), "gbp": Decimal("1.25"), "chf": Decimal("1.12"),
    "jpy": Decimal("0.0070"), "kwd": Decimal("3.25"), "bhd": Decimal("2.65"), "jod": Decimal("1.41"),
    "omr": Decimal("2.60"), "tnd": Decimal("0.32"), "isk": Decimal("0.0072"), "ugx": Decimal("0.00027"),
    "huf": Decimal("0.0028"), "twd": Decimal("0.031"), "sek": Decimal("0.095"), "dkk": Decimal("0.147"),
    "nok": Decimal("0.093"), "pln": Decimal("0.25"), "czk": Decimal("0.044"), "cad": Decimal("0.73"),
    "aud": Decimal("0.66"), "nzd": Decimal("0.60"), "sgd": Decimal("0.74"), "hkd": Decimal("0.128"),
    "mxn": Decimal("0.055"), "brl": Decimal("0.18"), "inr": Decimal("0.012"), "krw": Decimal("0.00073"),
}  # fmt: skip


def exponent(currency: str) -> int:
    """Digits of Stripe's smallest unit: JPY 0, EUR 2, ISK 2 (not ISO's 0), KWD 3."""
    currency = currency.lower()
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 3 if currency in THREE_DECIMAL_CURRENCIES else 2


def charge_step(currency: str) -> int:
    currency = currency.lower()
    return (
        10 if currency in THREE_DECIMAL_CURRENCIES else 100 if currency in WHOLE_UNITS_IN_TWO_DECIMALS else 1
    )


def payout_step(currency: str) -> int:
    currency = currency.lower()
    return 100 if currency in WHOLE_UNIT_PAYOUTS | WHOLE_UNITS_IN_TWO_DECIMALS else charge_step(currency)


def convert(amount: int, source: str, target: str) -> tuple[int, Decimal]:
    """``amount`` of ``source`` in ``target`` at the fixed test rate, rounded half up, and the rate (major units
    of target per major unit of source, as a balance transaction's ``exchange_rate``)."""
    source, target = source.lower(), target.lower()
    if source == target:
        return amount, Decimal(1)
    missing = next((code for code in (source, target) if code not in USD_PER_UNIT), None)
    if missing:
        raise KeyError(f"No test exchange rate for {missing}; add it to USD_PER_UNIT.")
    rate = (USD_PER_UNIT[source] / USD_PER_UNIT[target]).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    converted = Decimal(amount).scaleb(-exponent(source)) * rate
    return int(converted.scaleb(exponent(target)).quantize(Decimal(1), rounding=ROUND_HALF_UP)), rate


_EUROZONE = {
    "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT",
    "SI", "SK",
}  # fmt: skip
_COUNTRY_CURRENCY = {
    "US": "usd", "GB": "gbp", "JP": "jpy", "CA": "cad", "AU": "aud", "NZ": "nzd", "CH": "chf", "SE": "sek",
    "DK": "dkk", "NO": "nok", "PL": "pln", "CZ": "czk", "HU": "huf", "RO": "ron", "BG": "bgn", "SG": "sgd",
    "HK": "hkd", "MX": "mxn", "BR": "brl", "IN": "inr",
}  # fmt: skip


def default_currency(country: str) -> str:
    country = country.upper()
    if country in _EUROZONE:
        return "eur"
    return _COUNTRY_CURRENCY.get(country, "usd")


def format_amount(amount: int, currency: str) -> str:
    digits = exponent(currency)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {currency.upper()}"


@dataclass
class Settings:
    """Knobs set by CLI flags (the defaults) and ``POST /_test/config`` (until the next wipe)."""

    fee_percent: Decimal = Decimal("1.5")
    fee_fixed: int = 25  # smallest currency unit, whatever the currency (25 JPY, 0.25 EUR)
    dispute_fee: int = 1500
    platform_country: str = "US"
    # False: the platform settles in every charge currency (as with a bank account in each: no conversion).
    # True: charges convert to the platform country's currency at the fixed test rates, as on Stripe.
    settle_in_platform_currency: bool = False
    available_delay_days: int = 2  # card funds are pending this long (Stripe's usual delay for US accounts)

    def processing_fee(self, amount: int) -> int:
        variable = (Decimal(amount) * self.fee_percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(variable) + self.fee_fixed

    def export(self) -> dict:
        return {
            "fee_percent": str(self.fee_percent),
            "fee_fixed": self.fee_fixed,
            "dispute_fee": self.dispute_fee,
            "platform_country": self.platform_country,
            "settle_in_platform_currency": self.settle_in_platform_currency,
            "settlement_currency": self.settlement_currency(""),
            "available_delay_days": self.available_delay_days,
        }

    def settlement_currency(self, charge_currency: str) -> str:
        """The currency a charge in ``charge_currency`` lands in on the platform's balance."""
        if self.settle_in_platform_currency:
            return default_currency(self.platform_country)
        return charge_currency.lower()


settings = Settings()
_defaults = Settings()


def set_defaults(**values) -> None:
    """Called once at start-up with the CLI flags; wipes restore these values."""
    global _defaults
    _defaults = replace(_defaults, **values)
    restore_defaults()


def restore_defaults() -> None:
    for name, value in vars(_defaults).items():
        setattr(settings, name, value)


def _register_reset() -> None:
    from .state import on_reset

    on_reset(restore_defaults)


_register_reset()
