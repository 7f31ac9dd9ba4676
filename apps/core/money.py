"""Money as integer minor units with an ISO 4217 currency, and exact allocation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies


class CurrencyMismatch(ValueError):
    pass


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_exponent(currency: str) -> int:
    """Digits after the decimal point: EUR 2, JPY 0, KWD 3."""
    return get_currency_precision(currency)


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
        scaled = Decimal(amount).scaleb(currency_exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} has more decimals than {currency} allows.")
        return cls(int(scaled), currency)

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
        return Decimal(self.amount_minor).scaleb(-currency_exponent(self.currency))

    def format(self, locale: str = "en") -> str:
        return format_currency(self.as_decimal(), self.currency, locale=locale)

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
