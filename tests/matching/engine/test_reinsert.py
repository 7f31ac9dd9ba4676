"""Ruin and recreate: one order's best placement by dynamic programming is the optimum CP-SAT finds for the same
one-order neighbourhood, and the plans it makes pass the independent checker with the other orders untouched."""

import random

import pytest

from apps.matching.engine.benchmarks.fjs import BRANDIMARTE_DIR, load_fjs
from apps.matching.engine.benchmarks.scenarios import generate_scenario
from apps.matching.engine.domain import CPU_CLOCK, Limits
from apps.matching.engine.greedy import dispatch
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.engine.lns import LargeNeighbourhoodSearch
from apps.matching.engine.reinsert import Reinsertion
from apps.matching.engine.solver import planning_horizon
from apps.matching.engine.validator import validate_plan


@pytest.fixture(scope="module")
def crowded():
    problem = generate_scenario(orders=40, suppliers=4, seed=3)  # four suppliers for 40 orders: they compete
    index = ProblemIndex(problem)
    plan = dispatch(problem, index=index, margin=10.0)
    assert plan is not None
    return index, plan


@pytest.mark.parametrize("which", [0, 7, 19, 33])
def test_one_order_is_put_back_exactly_where_cp_sat_puts_it(crowded, which):
    """The dynamic programme over the order's routing and CP-SAT over the same neighbourhood (that order free,
    everything else pinned, every candidate) reach the same objective."""
    index, plan = crowded
    order_id = index.problem.orders[which].id
    reinsertion = Reinsertion(index, planning_horizon(index, plan))
    assert order_id in reinsertion.routes
    moving = set(index.ops_of_order[order_id])
    placed = reinsertion.best_placement(order_id, reinsertion._timelines_without(plan, moving))
    assert placed is not None
    value = placed[0]
    search = LargeNeighbourhoodSearch(
        index,
        plan,
        horizon=planning_horizon(index, plan),
        limits=(
            limits := Limits(time_limit_s=30, workers=1, clock=CPU_CLOCK)
        ),  # CPU: the load cannot cut the proof
        started=limits.timer(),
    )
    solved = search._solve_neighbourhood(plan, moving, 30.0, 1, 1, random.Random(0))
    assert solved.status == "optimal" and solved.plan is not None
    rest = plan.objective - reinsertion.order_value(plan, order_id)
    assert rest + value == solved.plan.objective


def test_recreated_plans_are_valid_cheaper_and_leave_other_orders_alone(crowded):
    index, plan = crowded
    reinsertion = Reinsertion(index, planning_horizon(index, plan), candidates=3)
    rng = random.Random(5)
    orders = [o.id for o in index.problem.orders]
    improved = 0
    for _ in range(40):
        chosen = rng.sample(orders, rng.randint(1, 3))
        better = reinsertion.recreate(plan, list(chosen), rng)
        if better is None:
            continue
        improved += 1
        assert validate_plan(index.problem, better) == []
        assert better.objective < plan.objective
        moved = {op_id for o in chosen for op_id in index.ops_of_order[o]}
        for op_id, a in plan.assignments.items():
            if op_id not in moved:
                assert better.assignments[op_id] == a
        plan = better
    assert improved > 0


def test_makespan_problems_are_left_to_the_solver():
    index = ProblemIndex(load_fjs(BRANDIMARTE_DIR / "Mk01.fjs"))
    assert not Reinsertion.applies(index)


def test_the_marketplace_search_takes_up_ruin_and_recreate(crowded):
    index, plan = crowded
    search = LargeNeighbourhoodSearch(
        index,
        plan,
        horizon=planning_horizon(index, plan),
        # CPU seconds: on the wall clock a loaded machine could leave the search no time to improve
        limits=(limits := Limits(time_limit_s=3, workers=1, seed=1, clock=CPU_CLOCK)),
        started=limits.timer(),
        max_candidates=4,
        start_size=5,
    )
    better = search.run(search.clock() + 3, threads=2)
    assert validate_plan(index.problem, better) == []
    assert better.objective < plan.objective
    assert any(kind.startswith("_recreate") and tally[0] for kind, tally in search.stats.by_kind.items())
