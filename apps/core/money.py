"""Money as integer minor units with an ISO 4217 currency, and exact allocation.

Minor units are Stripe's (apps/core/currencies.py: ISK 1 króna is 100). The only conversions between major units
(12.50) and minor units (1250) live here:
`to_minor` for amounts someone typed or stored as decimals (exact, refuses a fraction of a cent),
`round_to_minor` / `round_minor` for amounts the platform computes (rates × minutes, percentages: half up),
`from_minor` and `format_minor` back again. The template filter `money` (apps/core/templatetags) formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from apps.core.currencies import stripe_currency


class CurrencyMismatch(ValueError):
    pass


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_exponent(currency: str) -> int:
    """Digits of the minor unit, as Stripe counts them: EUR 2, JPY 0, KWD 3, ISK 2 (ISO says 0; see currencies).

    Minor units are Stripe's so that an amount goes to Stripe and comes back unchanged; currencies Stripe does
    not charge in keep ISO 4217's digits.
    """
    rules = stripe_currency(currency)
    return rules.exponent if rules else get_currency_precision(currency)


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """A major-unit amount as exact minor units: "12.5" EUR → 1250, "1500" JPY → 1500, "1.234" KWD → 1234.

    Raises ValueError when the amount has more decimals than the currency (never truncates or rounds), and
    TypeError for floats, which cannot hold most decimal amounts exactly.
    """
    if isinstance(amount, float | bool):
        raise TypeError("Money amounts are Decimal or str, never float.")
    scaled = Decimal(amount).scaleb(currency_exponent(currency))
    if not scaled.is_finite():
        raise ValueError(f"{amount} is not an amount.")
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{amount} has more decimals than {currency} allows ({currency_exponent(currency)})."
        )
    return int(scaled)


def round_minor(minor_units: Decimal | int) -> int:
    """A computed, possibly fractional number of minor units rounded half up (1234.5 → 1235)."""
    return int(Decimal(minor_units).quantize(Decimal(1), ROUND_HALF_UP))


def round_to_minor(amount: Decimal | float | str, currency: str) -> int:
    """A computed major-unit amount rounded half up to minor units (12.345 EUR → 1235, 12.5 JPY → 13).

    For prices the platform derives (rates × quantities); typed amounts go through `to_minor`. A float is read
    through its shortest repr, so 0.1 + 0.2 rounds as 0.3 would.
    """
    exact = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
    return round_minor(exact.scaleb(currency_exponent(currency)))


def percent_of_minor(amount_minor: int, percent: Decimal | int | str) -> int:
    """`percent` % of an amount in minor units, rounded half up to a whole minor unit."""
    return round_minor(Decimal(amount_minor) * Decimal(percent) / 100)


def from_minor(amount_minor: int, currency: str) -> Decimal:
    """Minor units back as an exact major-unit Decimal: 1250 EUR → 12.50, 1500 JPY → 1500, 1234 KWD → 1.234."""
    return Decimal(amount_minor).scaleb(-currency_exponent(currency))


@lru_cache(maxsize=8192)
def _money_text(amount_minor: int, currency: str, locale: str) -> str:
    """Babel's formatting costs tens of microseconds and pages show the same amounts again and again (a row's
    total, a chart's ticks): the texts are kept per amount, currency and locale."""
    return format_currency(from_minor(amount_minor, currency), currency, locale=locale)


def format_minor(amount_minor: int, currency: str, locale: str = "en") -> str:
    """Minor units as money for people: 7412 EUR → "€74.12", 1500 JPY → "¥1,500"."""
    return Money(amount_minor, currency).format(locale)


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("Money amounts are integers in the currency's minor unit.")
        if self.currency not in known_currencies():
            raise ValueError(f"Unknown ISO 4217 currency {self.currency!r}.")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str, currency: str) -> Money:
        """Exact conversion from a major-unit decimal; refuses amounts finer than the minor unit."""
        return cls(to_minor(amount, currency), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money only combines with Money.")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor <= other.amount_minor

    def as_decimal(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    def format(self, locale: str = "en") -> str:
        return _money_text(self.amount_minor, self.currency, locale)

    def __str__(self) -> str:
        return self.format()

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        return [Money(part, self.currency) for part in allocate_largest_remainder(self.amount_minor, weights)]


def allocate_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Splits an integer total in proportion to non-negative integer weights; the parts always sum to total.

    Each part gets the floor of its exact share; the units left over go one each to the largest remainders
    (ties to the earlier position, so the result is deterministic).
    """
    if not weights:
        raise ValueError("At least one weight is needed.")
    if any(w < 0 for w in weights):
        raise ValueError("Weights must not be negative.")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("At least one weight must be positive.")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    floors = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    left = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in order[:left]:
        floors[index] += 1
    return [sign * part for part in floors]
