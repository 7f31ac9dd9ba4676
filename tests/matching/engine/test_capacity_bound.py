"""The bound that counts capacity: never above a proven optimum, never below the capacity-free bound, and the
large-problem search stops with "optimal" as soon as its plan meets it."""

import time

import pytest

from apps.matching.engine.benchmarks.runners import bench_network
from apps.matching.engine.benchmarks.scenarios import generate_scenario
from apps.matching.engine.bounds import objective_lower_bound
from apps.matching.engine.capacity_bound import capacity_lower_bound
from apps.matching.engine.domain import CPU_CLOCK, FEASIBLE, OPTIMAL, Limits, Order, Weights, gap_closed
from apps.matching.engine.indexing import ProblemIndex

from .builders import machine, op, problem, route, solve_checked

COST_AND_LATENESS = Weights(cost=1, lateness=1, makespan=0)


def two_orders_one_cheap_machine(orders: int = 2):
    """Each order is one hour of work due at minute 60, on the cheap machine C (100) or the dear machine E (300);
    a minute late costs 1000. C holds one hour before minute 60, so all but one order pay for E: the optimum is
    100 + 300 (orders - 1). Without capacity every order takes C: 100 per order."""
    return problem(
        [op(f"J{i}", ("C", 60, 100), ("E", 60, 300), order=f"O{i}") for i in range(orders)],
        [machine("C"), machine("E", capacity=orders)],
        orders=[Order(f"O{i}", due=60, lateness_weight=1000) for i in range(orders)],
        weights=COST_AND_LATENESS,
        horizon=600,
    )


@pytest.mark.parametrize("orders", [2, 3])
def test_the_bound_sees_that_the_cheap_machine_holds_one_order_before_the_due_date(orders):
    p = two_orders_one_cheap_machine(orders)
    optimum = solve_checked(p, Limits(time_limit_s=10, workers=1, strategy="monolithic"))
    assert (optimum.status, optimum.objective) == (OPTIMAL, 100 + 300 * (orders - 1))
    bound = capacity_lower_bound(ProblemIndex(p), time_limit_s=5, clock=time.process_time)
    assert bound.capacity_free == objective_lower_bound(ProblemIndex(p)) == 100 * orders
    assert bound.capacity_free < bound.value <= optimum.objective
    # told the optimum's value, the steps aim at it: a tighter bound, still below it
    told = capacity_lower_bound(
        ProblemIndex(p), upper=optimum.objective, time_limit_s=5, clock=time.process_time
    )
    assert bound.capacity_free < told.value <= optimum.objective


@pytest.mark.parametrize(("orders", "suppliers", "seed"), [(4, 2, 1), (6, 3, 1), (6, 3, 3), (8, 3, 1)])
def test_the_bound_never_exceeds_a_proven_optimum_of_a_generated_scenario(orders, suppliers, seed):
    p = generate_scenario(orders=orders, suppliers=suppliers, seed=seed)
    optimum = solve_checked(p, Limits(time_limit_s=20, workers=1, strategy="monolithic"))
    assert optimum.status == OPTIMAL
    bound = capacity_lower_bound(ProblemIndex(p), upper=optimum.objective, time_limit_s=2)
    assert objective_lower_bound(ProblemIndex(p)) <= bound.value <= optimum.objective


def test_the_bound_never_exceeds_any_plan_of_a_capacity_bound_scenario():
    p = generate_scenario(orders=60, suppliers=4, seed=2)
    plan = solve_checked(p, Limits(time_limit_s=3, workers=1, strategy="lns"))
    bound = capacity_lower_bound(
        ProblemIndex(p), upper=plan.objective, time_limit_s=2, clock=time.process_time
    )
    assert bound.capacity_free < bound.value <= plan.objective
    assert plan.best_bound is not None and plan.best_bound >= bound.capacity_free


def test_the_large_problem_search_stops_as_optimal_once_its_plan_meets_the_bound():
    """Three orders, each with a machine of its own at the customer's site: the first plan meets the bound, so
    the search reports it optimal instead of searching to the deadline and calling it feasible."""
    p = problem(
        [op(f"J{i}", (f"M{i}", 60, 100), ("FAR", 60, 90), order=f"O{i}") for i in range(3)],
        [*(machine(f"M{i}", site=f"S{i}") for i in range(3)), machine("FAR", site="F")],
        orders=[Order(f"O{i}", due=600, lateness_weight=1, delivery_site=f"S{i}") for i in range(3)],
        routes=[route("truck", "F", f"S{i}", 60, 50) for i in range(3)],
        weights=COST_AND_LATENESS,
        horizon=2000,
    )
    plan = solve_checked(p, Limits(time_limit_s=30, workers=1, strategy="lns"))
    assert (plan.status, plan.objective, plan.gap) == (OPTIMAL, 300, 0.0)
    assert gap_closed(plan.objective, plan.best_bound)


def test_a_gap_the_bound_cannot_close_is_reported_feasible_not_optimal():
    p = generate_scenario(orders=60, suppliers=4, seed=2)
    plan = solve_checked(p, Limits(time_limit_s=2, workers=1, strategy="lns"))
    assert plan.status == FEASIBLE
    assert plan.gap is not None and plan.gap > 0


def test_a_re_plan_from_the_current_plan_runs_the_same_search_and_reports_the_same_bound():
    """Commit, re-plan and batch all call solve(auto); a large re-plan starts from the current plan (the hint),
    never returns worse, and reports its gap against the bound that counts capacity."""
    p = generate_scenario(orders=60, suppliers=4, seed=2)
    current = solve_checked(p, Limits(time_limit_s=2, workers=1, strategy="lns"))
    again = solve_checked(p, Limits(time_limit_s=2, workers=1, hint=current))
    assert again.objective <= current.objective
    # a 2 s solve gives the bound 0.1 s: at least the capacity-free one, never above the plan
    assert again.best_bound is not None
    assert objective_lower_bound(ProblemIndex(p)) <= again.best_bound <= again.objective


def test_the_network_benchmark_reports_its_gap_against_both_bounds():
    """The benchmark's gap is against the bound that counts capacity; it also reports the capacity-free bound the
    gap used to be measured against, which can only be lower (whatever the search found in its second)."""
    row = bench_network(orders=60, suppliers=4, seed=2, time_limit=1, workers=1, clock=CPU_CLOCK)
    assert row["valid"]
    assert row["capacity_free_bound"] <= row["bound"] <= row["objective"]
    assert row["capacity_free_gap"] >= row["gap"] >= 0
