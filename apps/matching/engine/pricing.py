"""The customer's price of a plan: production + materials + transport + the platform margin. Pure.

Production is what the chosen resources charge for the work (their cost models); materials are the steps'
bought-in materials from the catalog, the same whichever resource does the work, so they are added here
rather than in the optimisation. The margin is the product template's `margin_percent` (what the catalogue
estimate adds on top of its cost roll-up too), taken on the whole cost and rounded half up to the minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.core.currencies import round_up_to_charge_step
from apps.core.money import percent_of_minor


@dataclass(frozen=True, slots=True)
class Price:
    production_minor: int
    transport_minor: int
    margin_minor: int
    materials_minor: int = 0

    @property
    def cost_minor(self) -> int:
        return self.production_minor + self.materials_minor + self.transport_minor

    @property
    def total_minor(self) -> int:
        return self.cost_minor + self.margin_minor


def price_plan(
    *,
    production_minor: int,
    transport_minor: int,
    margin_percent: Decimal | int | str,
    materials_minor: int = 0,
    currency: str = "",
) -> Price:
    """The margin also absorbs the rounding up to an amount Stripe can charge in `currency` (KWD ends in 0,
    ISK in 00), so the total is always chargeable."""
    if production_minor < 0 or transport_minor < 0 or materials_minor < 0:
        raise ValueError("Costs cannot be negative.")
    percent = Decimal(str(margin_percent))
    if percent < 0:
        raise ValueError("The margin cannot be negative.")
    cost = production_minor + materials_minor + transport_minor
    margin = round_up_to_charge_step(cost + percent_of_minor(cost, percent), currency) - cost
    return Price(production_minor, transport_minor, margin, materials_minor)
