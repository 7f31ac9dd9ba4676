"""The left shift: work moves into the holes in front of it, never later, on the resources and carriers the plan
chose; the plan stays valid and gets no dearer."""

import random

import pytest

from apps.matching.engine.assemble import assemble_plan
from apps.matching.engine.benchmarks.scenarios import generate_scenario
from apps.matching.engine.compaction import left_shift
from apps.matching.engine.domain import CPU_CLOCK, Limits, Order, Weights
from apps.matching.engine.greedy import dispatch
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.engine.lns import LargeNeighbourhoodSearch
from apps.matching.engine.solver import planning_horizon
from apps.matching.engine.validator import validate_plan

from .builders import machine, op, problem, route

COST_AND_LATENESS = Weights(cost=1, lateness=1, makespan=0)


def test_a_late_job_moves_into_the_hole_in_front_of_it_and_its_chain_follows():
    # one cutter and one bender 30 minutes apart; B's cut waits at 50 although the cutter is free from 10
    p = problem(
        [
            op("a1", ("cut", 10), order="A"),
            op("b1", ("cut", 10), order="B"),
            op("b2", ("bend", 5), order="B", after=("b1",)),
        ],
        [machine("cut", site="S1"), machine("bend", site="S2")],
        orders=[Order("A", due=100, lateness_weight=1), Order("B", due=40, lateness_weight=3)],
        routes=[route("truck", "S1", "S2", 30, 7)],
        weights=COST_AND_LATENESS,
    )
    index = ProblemIndex(p)
    holey = assemble_plan(index, {"a1": ("cut", 0), "b1": ("cut", 50), "b2": ("bend", 100)})
    assert validate_plan(p, holey) == []

    shifted = left_shift(index, holey)

    assert shifted is not None and validate_plan(p, shifted) == []
    assert [
        (a.operation_id, a.start) for a in sorted(shifted.assignments.values(), key=lambda a: a.start)
    ] == [
        ("a1", 0),
        ("b1", 10),  # right behind A's cut
        ("b2", 50),  # B's cut ends at 20, the truck takes 30
    ]
    assert shifted.completion["B"] == 55
    assert shifted.costs.transport == holey.costs.transport == 7
    assert shifted.objective == holey.objective - 3 * (105 - 55)


def test_a_plan_with_no_hole_comes_back_as_none():
    p = problem(
        [op("a1", ("cut", 10), order="A"), op("b1", ("cut", 10), order="B")],
        [machine("cut")],
        orders=[Order("A", due=10, lateness_weight=1), Order("B", due=20, lateness_weight=1)],
        weights=COST_AND_LATENESS,
    )
    index = ProblemIndex(p)
    assert left_shift(index, assemble_plan(index, {"a1": ("cut", 0), "b1": ("cut", 10)})) is None


@pytest.fixture(scope="module")
def searched():
    """A crowded scenario after some ruin and recreate (whatever it found): the holes it leaves are its own."""
    p = generate_scenario(orders=40, suppliers=4, seed=3)
    index = ProblemIndex(p)
    plan = dispatch(p, index=index, margin=10.0)
    search = LargeNeighbourhoodSearch(
        index,
        plan,
        horizon=planning_horizon(index, plan),
        limits=(limits := Limits(time_limit_s=2, workers=1, seed=1, clock=CPU_CLOCK)),
        started=limits.timer(),
        max_candidates=4,
        start_size=5,
    )
    search.neighbourhoods = [k for k in search._recreate_kinds if k != search._left_shift]
    search._yield = {k.__name__: 1.0 for k in search.neighbourhoods}
    search._step_s = {k.__name__: 0.1 for k in search.neighbourhoods}
    return index, search.run(search.clock() + 2)


def test_a_shifted_plan_keeps_every_choice_moves_nothing_later_and_costs_less(searched):
    index, plan = searched
    shifted = left_shift(index, plan)
    if shifted is None:  # nothing to gain on what this search found: the plan is its own left shift
        shifted = plan
    assert validate_plan(index.problem, shifted) == []
    assert shifted.objective <= plan.objective
    for op_id, before in plan.assignments.items():
        after = shifted.assignments[op_id]
        assert (
            after.resource_id == before.resource_id and after.end - after.start == before.end - before.start
        )
        assert after.start <= before.start
    carriers = {(leg.from_operation, leg.to_operation): leg.carrier_id for leg in plan.legs}
    assert {(leg.from_operation, leg.to_operation): leg.carrier_id for leg in shifted.legs} == carriers
    assert left_shift(index, shifted) is None  # a left shift is compact: a second one finds nothing


def test_the_marketplace_search_counts_the_left_shift_among_its_steps(searched):
    index, plan = searched
    search = LargeNeighbourhoodSearch(
        index,
        plan,
        horizon=planning_horizon(index, plan),
        limits=(limits := Limits(time_limit_s=1, workers=1, seed=2, clock=CPU_CLOCK)),
        started=limits.timer(),
        max_candidates=4,
        start_size=5,
    )
    assert search._left_shift in search.neighbourhoods
    assert search._left_shift(random.Random(0), 3) == set(search.free_ops)
    better = search.run(search.clock() + 1)
    assert validate_plan(index.problem, better) == []
    assert better.objective <= plan.objective
    assert search.stats.by_kind["_left_shift"][0] >= 1  # every kind is tried once before the roulette judges
