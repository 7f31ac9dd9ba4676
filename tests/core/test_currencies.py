"""Currencies as Stripe defines them (apps/core/currencies.py): Stripe's minor units (ISK and UGX two-decimal,
KWD three), the charge step (KWD ends in 0, ISK in 00), the currencies a network may choose, and the local Stripe
server's own copy of the same rules, which must agree with the application's."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core import currencies
from apps.core.money import Money, currency_exponent, to_minor
from apps.matching.engine.pricing import price_plan
from apps.payouts.connect import cross_border
from apps.storefront.forms_orders import RefundRequestForm
from apps.tenants.forms import NetworkSignupForm
from apps.tenants.services import tenant_create
from tools.stripe_local import connect as local_connect
from tools.stripe_local import money as local_money


def test_the_local_server_and_the_application_have_the_same_currency_table():
    assert {code.lower() for code in currencies.STRIPE_CURRENCIES} == local_money.STRIPE_CURRENCIES
    for code in currencies.STRIPE_CURRENCIES:
        rules = currencies.stripe_currency(code)
        assert (rules.exponent, rules.charge_step, rules.payout_step) == (
            local_money.exponent(code),
            local_money.charge_step(code),
            local_money.payout_step(code),
        ), code
        assert rules.minimum_charge == local_money.MINIMUM_CHARGE.get(code.lower()), code


def test_the_local_server_and_the_application_have_the_same_cross_border_rule():
    assert cross_border.FULL_AGREEMENT_REGION == local_connect.FULL_AGREEMENT_REGION
    assert cross_border.RECIPIENT_COUNTRIES == local_connect.RECIPIENT_COUNTRIES


@pytest.mark.parametrize(
    ("currency", "exponent", "step"),
    [
        ("EUR", 2, 1),
        ("JPY", 0, 1),
        ("KWD", 3, 10),
        ("ISK", 2, 100),
        ("UGX", 2, 100),
        ("HUF", 2, 1),
        ("ALL", 2, 1),
    ],
)
def test_minor_units_are_stripes(currency, exponent, step):
    """ISO 4217 (and babel) give ISK, UGX and ALL no decimals; Stripe counts two, so 5 ISK is sent as 500."""
    assert currency_exponent(currency) == exponent
    assert currencies.charge_step(currency) == step


def test_amounts_convert_and_format_in_stripes_units():
    assert to_minor("1500", "ISK") == 150000 and Money(150000, "ISK").format() == "ISK1,500"
    assert to_minor("1500", "JPY") == 1500 and to_minor("5.12", "KWD") == 5120
    assert currencies.stripe_currency("HUF").payout_step == 100  # HUF pays out in whole forints
    assert currencies.minimum_charge("EUR") == 50 and currencies.minimum_charge("KWD") is None


@pytest.mark.parametrize(
    ("currency", "computed", "charged"),
    [("KWD", 5121, 5130), ("KWD", 5120, 5120), ("ISK", 150001, 150100), ("JPY", 1501, 1501), ("EUR", 7, 7)],
)
def test_computed_prices_round_up_to_what_stripe_can_charge(currency, computed, charged):
    assert currencies.round_up_to_charge_step(computed, currency) == charged


def test_a_plans_price_is_chargeable_and_the_margin_takes_the_rounding():
    price = price_plan(production_minor=5001, transport_minor=120, margin_percent=0, currency="KWD")
    assert (price.total_minor, price.margin_minor) == (5130, 9)
    isk = price_plan(production_minor=150001, transport_minor=0, margin_percent=Decimal("10"), currency="ISK")
    assert isk.total_minor % 100 == 0 and isk.total_minor >= 165001


def test_a_refund_request_is_refused_in_amounts_stripe_cannot_refund():
    assert RefundRequestForm({"reason": "Dent", "amount": "1.230"}, currency="KWD").is_valid()
    kwd = RefundRequestForm({"reason": "Dent", "amount": "1.234"}, currency="KWD")
    assert not kwd.is_valid() and "steps of" in kwd.errors["amount"][0]
    isk = RefundRequestForm({"reason": "Dent", "amount": "10.5"}, currency="ISK")
    assert not isk.is_valid()


def test_a_network_chooses_among_the_currencies_stripe_charges_in():
    offered = {code for code, _ in NetworkSignupForm().fields["currency"].choices}
    assert {"EUR", "USD", "JPY", "KWD", "ISK"} <= offered
    assert not offered & {
        "DEM",
        "XAU",
        "XXX",
        "STD",
        "ANG",
    }  # ANG: withdrawn by ISO 4217 in 2025, still on Stripe's list
    assert offered == currencies.STRIPE_CURRENCIES - {"ANG"}
    form = NetworkSignupForm(
        {"name": "N", "subdomain": "n", "currency": "DEM", "admin_email": "a@b.test", "admin_password": "x"}
    )
    assert not form.is_valid() and "currency" in form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("currency", ["DEM", "XAU", "eur"])
def test_the_service_refuses_a_currency_stripe_does_not_charge_in(currency):
    with pytest.raises(ValidationError) as refused:
        tenant_create(
            name="N", subdomain="n-cur", currency=currency, admin_email="a@b.test", admin_password="x" * 12
        )
    assert "currency" in refused.value.message_dict


@pytest.mark.parametrize(
    ("currency", "valid"), [("EUR", True), ("ISK", True), ("XAU", False), ("DEM", False)]
)
def test_a_product_template_is_priced_in_a_currency_stripe_charges_in(currency, valid):
    from apps.catalog.models import ProductTemplate

    template = ProductTemplate(currency=currency)
    if valid:
        template.clean()
    else:
        with pytest.raises(ValidationError):
            template.clean()
