"""Pure rules: quality score, leg price and duration, job cost — no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.geodesy import haversine_km
from apps.suppliers.costing import processing_cost_minor, processing_minutes
from apps.suppliers.quality import FORMULA, quality_score
from apps.suppliers.transport import RateTerms, TooHeavy, leg_quote, within_coverage

EINDHOVEN = (51.441642, 5.469722)
UTRECHT = (52.090737, 5.121420)
TERMS = RateTerms(
    base_fee_minor=1000,
    per_km_minor=50,
    per_kg_minor=10,
    max_weight_kg=Decimal(500),
    speed_kmh=60,
    handling_hours=Decimal("0.50"),
)


def test_quality_score_weighs_passes_60_and_punctuality_40():
    score = quality_score(passes=9, fails=1, on_time=3, late=1)
    assert score.pass_rate == 0.9 and score.on_time_rate == 0.75
    assert score.score == 84.0  # 100 × (0.6 × 0.9 + 0.4 × 0.75)
    assert score.checks == 10 and score.deliveries == 4
    assert "60 %" in score.formula and "40 %" in score.formula and "90 days" in FORMULA


def test_quality_score_with_one_kind_of_outcome_uses_that_rate_alone():
    assert quality_score(passes=3, fails=1, on_time=0, late=0).score == 75.0
    assert quality_score(passes=0, fails=0, on_time=1, late=1).score == 50.0


def test_no_outcomes_means_no_score_rather_than_zero():
    score = quality_score(passes=0, fails=0, on_time=0, late=0)
    assert score.score is None and score.pass_rate is None and score.on_time_rate is None


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        quality_score(passes=-1, fails=0, on_time=0, late=0)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_quality_score_is_bounded_and_monotone(passes, fails, on_time, late):
    score = quality_score(passes=passes, fails=fails, on_time=on_time, late=late).score
    if passes + fails + on_time + late == 0:
        assert score is None
        return
    assert 0 <= score <= 100
    better = quality_score(passes=passes + 1, fails=fails, on_time=on_time, late=late).score
    assert better >= score


def test_haversine_between_eindhoven_and_utrecht():
    assert haversine_km(EINDHOVEN, UTRECHT) == pytest.approx(77.0, abs=1.0)
    assert haversine_km(EINDHOVEN, EINDHOVEN) == 0


def test_leg_price_and_duration():
    quote = leg_quote(terms=TERMS, origin=EINDHOVEN, destination=UTRECHT, weight_kg=Decimal("12.5"))
    distance = haversine_km(EINDHOVEN, UTRECHT)
    assert quote.distance_km == pytest.approx(distance)
    assert quote.price_minor == 1000 + round(50 * distance + 10 * 12.5)
    assert quote.duration_minutes == int(
        -(-(30 + distance) // 1)
    )  # 30 min handling + km at 60 km/h, rounded up


def test_leg_over_max_weight_is_refused():
    with pytest.raises(TooHeavy):
        leg_quote(terms=TERMS, origin=EINDHOVEN, destination=UTRECHT, weight_kg=501)


def test_coverage_radius():
    assert within_coverage(base=EINDHOVEN, radius_km=80, point=UTRECHT)
    assert not within_coverage(base=EINDHOVEN, radius_km=70, point=UTRECHT)


def test_job_cost_has_a_minimum_and_faster_machines_take_fewer_minutes():
    assert processing_minutes(reference_minutes=60, speed_factor=Decimal("1.2")) == 50
    assert processing_minutes(reference_minutes=10, speed_factor=Decimal("0.75")) == 14
    cost = processing_cost_minor(
        minutes=50, setup_cost_minor=3000, cost_per_minute_minor=120, minimum_charge_minor=4000
    )
    assert cost == 9000
    assert (
        processing_cost_minor(
            minutes=5, setup_cost_minor=0, cost_per_minute_minor=100, minimum_charge_minor=4000
        )
        == 4000
    )
    with pytest.raises(ValueError):
        processing_minutes(reference_minutes=10, speed_factor=Decimal(0))
