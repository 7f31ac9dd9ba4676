"""Designers' royalties in a quote: each line's royalty (apps/catalog/royalty.py: a percentage of the network's
price for the line, or a fixed amount per unit) added on top of it, in the quote's price, in every lead-time
option and in each line's total, and shown apart (`royalty_minor`, `line_royalties`) so the customer's breakdown
names it and the order line can keep it. Applied after the cache: cached answers are the network's price alone.
A royalty set under looser bounds than the current policy's is sold at the current bound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from apps.catalog.royalty import RoyaltyBounds, royalty_bounds, royalty_for_line, royalty_within
from apps.matching.quoting.results import MatchingQuote, QuoteItem


def _royalties(items: Sequence[QuoteItem], making: Sequence[int], bounds: RoyaltyBounds) -> tuple[int, ...]:
    return tuple(
        royalty_for_line(
            terms=royalty_within(item.royalty, bounds), making_minor=total, quantity=item.quantity
        )
        for item, total in zip(items, making, strict=True)
    )


def royalties_add(quote: MatchingQuote, items: Sequence[QuoteItem]) -> MatchingQuote:
    """The quote with its lines' royalties added (unchanged when no line has one)."""
    if not any(item.royalty.kind for item in items):
        return quote
    # A catalogue estimate carries no line totals: its one line is the whole price.
    making = quote.line_totals or ((quote.price_minor,) if len(items) == 1 else ())
    if len(making) != len(items):
        return quote
    bounds = royalty_bounds()  # the current policy's, read once per quote
    line_royalties = _royalties(items, making, bounds)
    options = []
    for option in quote.options:
        option_royalties = _royalties(items, option.line_totals, bounds)
        options.append(
            replace(
                option,
                price_minor=option.price_minor + sum(option_royalties),
                line_totals=tuple(t + r for t, r in zip(option.line_totals, option_royalties, strict=True)),
                line_royalties=option_royalties,
            )
        )
    return replace(
        quote,
        price_minor=quote.price_minor + sum(line_royalties),
        line_totals=tuple(t + r for t, r in zip(making, line_royalties, strict=True)),
        options=tuple(options),
        royalty_minor=sum(line_royalties),
        line_royalties=line_royalties,
    )
