"""Money is exact: integer minor units, one currency at a time, allocations that sum to the whole."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import (
    CurrencyMismatch,
    Money,
    allocate_largest_remainder,
    currency_exponent,
    from_minor,
    percent_of_minor,
    round_minor,
    round_to_minor,
    to_minor,
)


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


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.5", "EUR", 1250), ("1500", "JPY", 1500), ("1.234", "KWD", 1234), (Decimal("0.01"), "EUR", 1)],
)
def test_to_minor_is_exact_in_every_currency(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(("amount", "currency"), [("1500.5", "JPY"), ("1.2345", "KWD"), ("0.001", "EUR")])
def test_to_minor_refuses_more_decimals_than_the_currency_has(amount, currency):
    with pytest.raises(ValueError, match="more decimals"):
        to_minor(amount, currency)


def test_to_minor_refuses_floats_and_non_numbers():
    with pytest.raises(TypeError):
        to_minor(12.5, "EUR")
    with pytest.raises(ValueError):
        to_minor("NaN", "EUR")


def test_computed_amounts_round_half_up_to_the_minor_unit():
    assert round_to_minor(12.345, "EUR") == 1235
    assert round_to_minor(Decimal("12.5"), "JPY") == 13
    assert round_to_minor(0.1 + 0.2, "EUR") == 30
    assert round_minor(Decimal("1234.5")) == 1235
    assert percent_of_minor(1000, Decimal("12.5")) == 125
    assert percent_of_minor(999, 10) == 100
