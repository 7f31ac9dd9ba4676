"""The constructive dispatcher always produces a valid plan on generated marketplace scenarios."""

from dataclasses import replace

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


def _two_sites_with_slack():
    """Cut at site A, bend at site B, delivered at B a week later; express takes 60 minutes for 5000, groupage a
    day for 900."""
    from apps.matching.engine.domain import Order, Weights

    from .builders import machine, op, problem, route

    return problem(
        [op("CUT", ("MA", 60, 100), order="X"), op("BEND", ("MB", 60, 100), order="X", after=("CUT",))],
        [machine("MA", site="A"), machine("MB", site="B")],
        orders=[Order("X", due=7 * 24 * 60, lateness_weight=50, delivery_site="B")],
        routes=[route("express", "A", "B", 60, 5000), route("groupage", "A", "B", 24 * 60, 900)],
        weights=Weights(cost=1, lateness=1, makespan=0),
        horizon=14 * 24 * 60,
    )


def test_the_dispatcher_waits_for_the_cheaper_carrier_when_the_due_date_allows():
    p = _two_sites_with_slack()
    plan = dispatch(p, margin=10.0)
    assert plan is not None and validate_plan(p, plan) == []
    assert [leg.carrier_id for leg in plan.legs] == ["groupage"]
    assert plan.assignments["BEND"].start >= 60 + 24 * 60
    assert plan.objective == 100 + 100 + 900


def test_with_little_slack_the_dispatcher_still_buys_the_fast_carrier():
    p = _two_sites_with_slack()
    tight = replace(p, orders=(replace(p.orders[0], due=200),))
    plan = dispatch(tight, margin=10.0)
    assert plan is not None and validate_plan(tight, plan) == []
    assert [leg.carrier_id for leg in plan.legs] == ["express"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), orders=st.integers(1, 8), suppliers=st.integers(2, 9))
def test_plans_with_a_lateness_margin_are_valid_on_generated_scenarios(seed, orders, suppliers):
    problem = generate_scenario(orders=orders, suppliers=suppliers, seed=seed)
    plan = dispatch(problem, margin=10.0)
    assert plan is not None
    assert validate_plan(problem, plan) == []


def test_no_further_dispatch_starts_once_its_time_has_passed():
    from apps.matching.engine.greedy import best_dispatch

    problem = generate_scenario(orders=6, suppliers=4, seed=2)
    heard = []
    plan = best_dispatch(problem, margins=(10.0, 15.0), stop_after=0.0, on_better=heard.append)
    assert plan is not None and heard == [plan]
    assert plan.method == "greedy:slack"
