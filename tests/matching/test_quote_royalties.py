"""Royalties added to a quote that has no per-line totals: the catalogue's estimate, which stands in when the
network cannot quote, prices its one line as the whole."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.catalog.royalty import RoyaltyTerms, royalty_for_line
from apps.matching.quoting.results import MatchingQuote, QuoteItem
from apps.matching.quoting.royalties import royalties_add


def test_a_catalogue_estimate_of_a_designers_product_carries_its_royalty(in_tenant_a):
    estimate = MatchingQuote(
        price_minor=10_000,
        currency="EUR",
        delivery_date=dt.date(2026, 12, 21),
        lead_time_days=14,
        asset_owner_count=None,
        breakdown=(),
        margin_minor=1_000,
        source="catalogue",
        expires_at=timezone.now(),
        values={},
    )
    terms = RoyaltyTerms("percent", 500)
    royalty = royalty_for_line(terms=terms, making_minor=10_000, quantity=2)

    quoted = royalties_add(estimate, [QuoteItem((), 2, Decimal("10"), terms)])

    assert royalty > 0
    assert quoted.price_minor == 10_000 + royalty and quoted.royalty_minor == royalty
    assert quoted.line_royalties == (royalty,) and quoted.line_totals == (10_000 + royalty,)
