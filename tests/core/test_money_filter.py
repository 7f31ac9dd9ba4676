"""Finance tables show integer minor units as money in their own currency."""

from django.template import Context, Template


def render(amount, currency: str) -> str:
    return Template("{% load money %}{{ amount|money:currency }}").render(
        Context({"amount": amount, "currency": currency})
    )


def test_minor_units_are_shown_as_money_in_their_currency():
    assert render(7412, "EUR") == "€74.12"
    assert render(-250, "EUR") == "-€2.50"
    assert render(1500, "JPY") == "¥1,500"


def test_a_missing_amount_is_a_dash():
    assert render(None, "EUR") == "—"


def test_one_filter_shows_each_currency_with_its_own_decimals():
    assert render(7412, "EUR") == "€74.12"
    assert render(1500, "JPY") == "¥1,500"
    assert render(1234, "KWD") == "KWD1.234"


def test_a_missing_currency_is_a_dash():
    assert render(1500, "") == "—"
