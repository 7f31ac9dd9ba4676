"""A carrier's price and duration for one leg, from its rate card and the great-circle distance. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from apps.core.geodesy import Point, haversine_km
from apps.core.money import round_minor


@dataclass(frozen=True, slots=True)
class RateTerms:
    base_fee_minor: int
    per_km_minor: int
    per_kg_minor: int
    max_weight_kg: Decimal
    speed_kmh: int
    handling_hours: Decimal

    @classmethod
    def of(cls, carrier, card) -> RateTerms:
        """A carrier's terms: its rate card's prices with the carrier's own speed and handling time."""
        return cls(
            base_fee_minor=card.base_fee_minor,
            per_km_minor=card.per_km_minor,
            per_kg_minor=card.per_kg_minor,
            max_weight_kg=card.max_weight_kg,
            speed_kmh=carrier.speed_kmh,
            handling_hours=carrier.handling_hours,
        )


@dataclass(frozen=True, slots=True)
class LegQuote:
    distance_km: float
    price_minor: int
    duration_minutes: int


class TooHeavy(ValueError):
    """The load exceeds the carrier's maximum weight."""


def within_coverage(*, base: Point, radius_km: float, point: Point) -> bool:
    return haversine_km(base, point) <= radius_km


def leg_quote(*, terms: RateTerms, origin: Point, destination: Point, weight_kg: Decimal | float) -> LegQuote:
    """price = base fee + per km × distance + per kg × weight (rounded half up to the minor unit);
    duration = handling hours + distance ÷ speed (rounded up to the minute)."""
    weight = Decimal(str(weight_kg))
    if weight < 0:
        raise ValueError("Weight cannot be negative.")
    if weight > terms.max_weight_kg:
        raise TooHeavy(f"{weight} kg exceeds the maximum of {terms.max_weight_kg} kg.")
    distance = haversine_km(origin, destination)
    variable = Decimal(terms.per_km_minor) * Decimal(str(distance)) + Decimal(terms.per_kg_minor) * weight
    price = terms.base_fee_minor + round_minor(variable)
    minutes = float(terms.handling_hours) * 60 + distance / terms.speed_kmh * 60
    return LegQuote(distance_km=distance, price_minor=price, duration_minutes=math.ceil(round(minutes, 6)))
