"""Money is exact: integer minor units, one currency at a time, allocations that sum to the whole."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import CurrencyMismatch, Money, allocate_largest_remainder, currency_exponent


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(any),
)
def test_allocation_always_sums_to_the_whole(total, weights):
    parts = allocate_largest_remainder(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / weight_sum
        assert abs(Decimal(part) - exact) < 1
        if weight == 0:
            assert part == 0


def test_largest_remainder_breaks_ties_deterministically():
    assert allocate_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate_largest_remainder(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate_largest_remainder(10, [3, 7]) == [3, 7]


@pytest.mark.parametrize(("currency", "digits"), [("EUR", 2), ("JPY", 0), ("KWD", 3)])
def test_currency_precision_comes_from_iso_data(currency, digits):
    assert currency_exponent(currency) == digits


def test_money_refuses_floats_mixed_currencies_and_excess_precision():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(100, "EUR") + Money(100, "USD")
    with pytest.raises(ValueError, match="more decimals"):
        Money.from_decimal("1.005", "EUR")
    assert Money.from_decimal("1.005", "KWD") == Money(1005, "KWD")
    assert Money.from_decimal("1500", "JPY") == Money(1500, "JPY")


def test_formatting_respects_the_currency():
    assert Money(123456, "EUR").format() == "€1,234.56"
    assert Money(1500, "JPY").format() == "¥1,500"
