"""A designer's royalty on a product: a percentage of the line's price or a fixed amount per unit, within the bounds
the network's profit-share policy sets. The customer pays it on top of the network's price for the making; the
profit share pays it to the designer in full (apps/payouts/profit_share/rule.py).

`royalty_errors` is the one rule that decides whether a royalty is allowed: every path that sets one (the
studio, the API, the admin through ProductTemplate.clean) calls `royalty_validate`, which reads the bounds of
the current policy through the CATALOG_ROYALTY_BOUNDS port (the policy lives in payouts, above catalog).
`royalty_for_line` is the one rule for the amount a line carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from apps.core.money import Money, allocate_largest_remainder

NONE = ""
PERCENT = "percent"
FIXED = "fixed"
KINDS = (NONE, PERCENT, FIXED)
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class RoyaltyBounds:
    """The policy's limits: at most `max_bp` of the price, at most `max_minor` per unit in `currency`."""

    max_bp: int
    max_minor: int
    currency: str


@dataclass(frozen=True)
class RoyaltyTerms:
    kind: str = NONE
    bp: int = 0
    minor: int = 0  # per unit, in the template's currency

    def describe(self, currency: str) -> str:
        if self.kind == PERCENT:
            return f"{self.bp / 100:g} % of the price"
        if self.kind == FIXED:
            return f"{Money(self.minor, currency).format()} per unit"
        return "no royalty"


NO_ROYALTY = RoyaltyTerms()


def royalty_errors(*, terms: RoyaltyTerms, currency: str, bounds: RoyaltyBounds) -> dict[str, str]:
    """Field → message for a royalty outside what the policy allows (empty: allowed)."""
    if terms.kind not in KINDS:
        return {"royalty_kind": f"Choose a percentage or a fixed amount, not {terms.kind!r}."}
    if terms.bp < 0:
        return {"royalty_bp": "A royalty is not negative."}
    if terms.minor < 0:
        return {"royalty_minor": "A royalty is not negative."}
    if terms.kind == NONE:
        if terms.bp or terms.minor:
            return {"royalty_kind": "Choose whether the royalty is a percentage or a fixed amount."}
        return {}
    if terms.kind == PERCENT:
        if terms.minor:
            return {"royalty_minor": "A percentage royalty has no fixed amount."}
        if terms.bp == 0:
            return {"royalty_bp": "Give the percentage (in hundredths of a percent: 500 = 5 %)."}
        if terms.bp > bounds.max_bp:
            return {
                "royalty_bp": f"The network allows at most {bounds.max_bp / 100:g} % "
                f"({bounds.max_bp} basis points)."
            }
        return {}
    if terms.bp:
        return {"royalty_bp": "A fixed royalty has no percentage."}
    if terms.minor == 0:
        return {"royalty_minor": "Give the amount per unit."}
    if currency != bounds.currency:
        return {
            "royalty_kind": f"A fixed royalty is in the network's currency ({bounds.currency}); this product is "
            f"priced in {currency}: use a percentage."
        }
    if terms.minor > bounds.max_minor:
        return {
            "royalty_minor": f"The network allows at most {Money(bounds.max_minor, currency).format()} per unit."
        }
    return {}


@cache
def _bounds_reader():
    return import_string(settings.CATALOG_ROYALTY_BOUNDS)


def royalty_bounds() -> RoyaltyBounds:
    """The current policy's bounds (the CATALOG_ROYALTY_BOUNDS port)."""
    return _bounds_reader()()


def royalty_validate(*, terms: RoyaltyTerms, currency: str) -> None:
    """Raises ValidationError (by field) unless the current policy allows the royalty."""
    if terms == NO_ROYALTY:
        return  # no royalty: nothing to bound, and no need to read the policy
    errors = royalty_errors(terms=terms, currency=currency, bounds=royalty_bounds())
    if errors:
        raise ValidationError(errors)


def royalty_within(terms: RoyaltyTerms, bounds: RoyaltyBounds) -> RoyaltyTerms:
    """The terms as the current policy allows them: a royalty set under looser bounds is sold at the bound
    (a policy published later never lets an older product charge more than it allows)."""
    if terms.kind == PERCENT:
        return RoyaltyTerms(PERCENT, min(terms.bp, bounds.max_bp), 0)
    if terms.kind == FIXED:
        return RoyaltyTerms(FIXED, 0, min(terms.minor, bounds.max_minor))
    return terms


def royalty_for_line(*, terms: RoyaltyTerms, making_minor: int, quantity: int) -> int:
    """The royalty a line carries, on top of `making_minor` (the network's price for the line): the percentage
    of it (largest remainder between the royalty and the rest, never rounding) or the fixed amount × quantity."""
    if terms.kind == PERCENT and making_minor > 0 and 0 < terms.bp <= BASIS_POINTS:
        return allocate_largest_remainder(making_minor, [terms.bp, BASIS_POINTS - terms.bp])[0]
    if terms.kind == FIXED:
        return terms.minor * quantity
    return 0
