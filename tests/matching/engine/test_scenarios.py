"""The benchmark scenarios measure distance as the platform does: their roads are suppliers' great circle
times a detour factor (they used a second haversine with another Earth radius before)."""

from decimal import Decimal

import pytest

from apps.matching.engine.benchmarks.scenarios import ROAD_DETOUR, TOWNS, road_km
from apps.matching.engine.domain import Site
from apps.suppliers.transport import RateTerms, leg_quote

TERMS = RateTerms(
    base_fee_minor=0,
    per_km_minor=1,
    per_kg_minor=0,
    max_weight_kg=Decimal(100),
    speed_kmh=60,
    handling_hours=Decimal(0),
)


@pytest.mark.parametrize("far", range(1, len(TOWNS)))
def test_a_scenario_road_is_the_carriers_leg_distance_times_the_detour(far):
    (_, lat_a, lon_a), (_, lat_b, lon_b) = TOWNS[0], TOWNS[far]
    leg = leg_quote(terms=TERMS, origin=(lat_a, lon_a), destination=(lat_b, lon_b), weight_kg=0)
    road = road_km(Site("A", lat=lat_a, lon=lon_a), Site("B", lat=lat_b, lon=lon_b))
    assert road / ROAD_DETOUR == pytest.approx(leg.distance_km, rel=1e-12, abs=0)
