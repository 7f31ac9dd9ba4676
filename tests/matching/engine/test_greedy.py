"""The constructive dispatcher always produces a valid plan on generated marketplace scenarios."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.matching.engine.benchmarks.scenarios import generate_scenario, quote_scenario, weekly_closures
from apps.matching.engine.greedy import RULES, dispatch
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.engine.validator import validate_plan


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    orders=st.integers(1, 8),
    suppliers=st.integers(2, 9),
    rule=st.sampled_from(RULES),
)
def test_greedy_plans_are_valid_on_generated_scenarios(seed, orders, suppliers, rule):
    problem = generate_scenario(orders=orders, suppliers=suppliers, seed=seed)
    plan = dispatch(problem, rule=rule)
    assert plan is not None
    assert validate_plan(problem, plan) == []


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_greedy_plans_around_committed_work_are_valid(seed):
    problem = quote_scenario(committed_orders=6, suppliers=5, seed=seed)
    plan = dispatch(problem)
    assert plan is not None
    assert validate_plan(problem, plan) == []


def test_scenarios_are_reproducible_from_their_seed():
    assert generate_scenario(orders=4, suppliers=5, seed=3) == generate_scenario(
        orders=4, suppliers=5, seed=3
    )
    assert generate_scenario(orders=4, suppliers=5, seed=3) != generate_scenario(
        orders=4, suppliers=5, seed=4
    )


def test_day_shift_calendar_closes_nights_and_weekends():
    closed = weekly_closures("day", 7 * 24 * 60)
    assert closed[0] == (0, 8 * 60)  # Monday until 08:00
    assert (17 * 60, 24 * 60 + 8 * 60) in closed  # Monday night
    assert closed[-1] == (4 * 24 * 60 + 17 * 60, 7 * 24 * 60)  # Friday 17:00 to the end of the week


def test_greedy_respects_the_scenario_calendar():
    problem = generate_scenario(orders=6, suppliers=4, seed=1)
    plan = dispatch(problem, index=ProblemIndex(problem))
    assert plan is not None
    resources = {r.id: r for r in problem.resources}
    for a in plan.assignments.values():
        assert not any(s < a.end and a.start < e for s, e in resources[a.resource_id].closed)
