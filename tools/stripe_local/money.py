"""Amounts are integers in the currency's smallest unit everywhere, as in the Stripe API.

Zero-decimal currencies (JPY, KRW, ...) have no minor unit, so 1000 JPY is sent as ``1000``; nothing
in this server ever multiplies or divides by 100 except ``format_amount`` when writing messages.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)

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
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {currency.upper()}"
    return f"{Decimal(amount).scaleb(-2):.2f} {currency.upper()}"


@dataclass
class Settings:
    """Knobs set by CLI flags (the defaults) and ``POST /_test/config`` (until the next wipe)."""

    fee_percent: Decimal = Decimal("1.5")
    fee_fixed: int = 25  # smallest currency unit, whatever the currency (25 JPY, 0.25 EUR)
    dispute_fee: int = 1500
    platform_country: str = "US"
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
            "available_delay_days": self.available_delay_days,
        }


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
