"""A designer's royalty: the one rule for the policy's bounds, and the amount a line carries."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.catalog.models import ProductTemplate
from apps.catalog.royalty import (
    FIXED,
    NONE,
    PERCENT,
    RoyaltyBounds,
    RoyaltyTerms,
    royalty_errors,
    royalty_for_line,
    royalty_validate,
)
from apps.payouts.profit_share.policies import profit_share_policy_publish
from tests.designers.factories import make_designer

BOUNDS = RoyaltyBounds(max_bp=1_500, max_minor=2_000, currency="EUR")


@pytest.mark.parametrize(
    ("terms", "currency", "field"),
    [
        (RoyaltyTerms(PERCENT, 1_500, 0), "EUR", None),  # exactly the bound
        (RoyaltyTerms(PERCENT, 1_501, 0), "EUR", "royalty_bp"),
        (RoyaltyTerms(PERCENT, 0, 0), "EUR", "royalty_bp"),
        (RoyaltyTerms(PERCENT, 500, 10), "EUR", "royalty_minor"),
        (RoyaltyTerms(PERCENT, 500, 0), "USD", None),  # a percentage works in any currency
        (RoyaltyTerms(FIXED, 0, 2_000), "EUR", None),
        (RoyaltyTerms(FIXED, 0, 2_001), "EUR", "royalty_minor"),
        (RoyaltyTerms(FIXED, 0, 0), "EUR", "royalty_minor"),
        (RoyaltyTerms(FIXED, 10, 100), "EUR", "royalty_bp"),
        (RoyaltyTerms(FIXED, 0, 100), "USD", "royalty_kind"),  # the bound is in the network's currency
        (RoyaltyTerms(NONE, 0, 0), "EUR", None),
        (RoyaltyTerms(NONE, 100, 0), "EUR", "royalty_kind"),
        (RoyaltyTerms("gift", 0, 0), "EUR", "royalty_kind"),
        (RoyaltyTerms(FIXED, 0, -1), "EUR", "royalty_minor"),
    ],
)
def test_royalty_bounds(terms, currency, field):
    errors = royalty_errors(terms=terms, currency=currency, bounds=BOUNDS)
    assert list(errors) == ([field] if field else [])


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000_000), st.integers(1, 10_000), st.integers(1, 50))
def test_a_percentage_royalty_is_the_exact_share_within_one_minor_unit(making, bp, quantity):
    royalty = royalty_for_line(terms=RoyaltyTerms(PERCENT, bp, 0), making_minor=making, quantity=quantity)
    assert abs(royalty - making * bp / 10_000) < 1
    assert 0 <= royalty <= making


def test_a_fixed_royalty_is_per_unit():
    assert royalty_for_line(terms=RoyaltyTerms(FIXED, 0, 250), making_minor=9_999, quantity=4) == 1_000
    assert royalty_for_line(terms=RoyaltyTerms(), making_minor=9_999, quantity=4) == 0


@pytest.mark.django_db
def test_every_path_checks_against_the_current_policy(in_tenant_a):
    """ProductTemplate.clean (the admin, the studio's model forms) and royalty_validate read the bounds of the
    newest published policy: publishing a tighter one refuses what was allowed before."""
    template = ProductTemplate(
        name="Lamp",
        slug="royalty-lamp",
        category="lighting",
        currency="EUR",
        designer=make_designer("Lamp Studio"),
        royalty_kind=PERCENT,
        royalty_bp=1_800,
    )
    template.clean()  # the default policy allows 20 %
    profit_share_policy_publish(
        method="proportional",
        platform_surplus_bp=2_000,
        min_platform_fee_minor=0,
        fee_bearer="platform",
        designer_royalty_max_bp=1_000,
        designer_royalty_max_minor=500,
    )
    with pytest.raises(ValidationError) as refused:
        template.clean()
    assert "royalty_bp" in refused.value.message_dict
    assert "10 %" in refused.value.message_dict["royalty_bp"][0]
    with pytest.raises(ValidationError):
        royalty_validate(terms=RoyaltyTerms(FIXED, 0, 501), currency="EUR")
    royalty_validate(terms=RoyaltyTerms(FIXED, 0, 500), currency="EUR")


@pytest.mark.django_db
def test_the_database_refuses_a_royalty_of_the_wrong_shape(in_tenant_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductTemplate.objects.create(
            name="Odd",
            slug="royalty-odd",
            category="x",
            royalty_kind=PERCENT,
            royalty_bp=100,
            royalty_minor=5,
        )
