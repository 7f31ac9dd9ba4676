"""Ruin and recreate: one order's best placement by dynamic programming is the optimum CP-SAT finds for the same
one-order neighbourhood, and the plans it makes pass the independent checker with the other orders untouched."""

import itertools
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


def _cheapest_by_enumeration(index, order_id, timelines, allowed, horizon):
    """Every choice of resource per step and carrier per leg, each step as early as its timeline allows after
    its parts arrive: the cheapest value (production, legs, lateness; weighted), or None when nothing fits."""
    weights, order = index.problem.weights, index.orders[order_id]
    ops = sorted(
        (index.ops[o] for o in index.ops_of_order[order_id]), key=lambda op: index.topological_position[op.id]
    )
    sink = index.sinks[order_id][0]
    best = None
    for candidates in itertools.product(
        *([c for c in op.candidates if c.resource_id in allowed[op.id]] for op in ops)
    ):
        chosen = {op.id: c for op, c in zip(ops, candidates, strict=True)}
        site = {o: index.site_of[c.resource_id] for o, c in chosen.items()}
        pairs = [(p, op.id) for op in ops for p in op.predecessors if site[p] != site[op.id]]
        out = order.delivery_site is not None and order.delivery_site != site[sink]
        leg_options = [index.routes(site[p], site[s]) for p, s in pairs]
        leg_options.append(index.routes(site[sink], order.delivery_site) if out else [None])
        for legs in itertools.product(*leg_options):
            leg_of = dict(zip(pairs, legs, strict=False))
            end: dict[str, int] = {}
            for op in ops:
                ready = max(
                    [op.release]
                    + [
                        end[p] + (leg_of[(p, op.id)].duration if (p, op.id) in leg_of else 0)
                        for p in op.predecessors
                    ]
                )
                start = timelines[chosen[op.id].resource_id].earliest_start(ready, chosen[op.id].duration)
                if start is None or start + chosen[op.id].duration > horizon:
                    break
                end[op.id] = start + chosen[op.id].duration
            else:
                done = end[sink] + (legs[-1].duration if out else 0)
                if order.deadline is not None and done > order.deadline:
                    continue
                money = sum(c.cost_minor for c in candidates) + sum(
                    leg.cost_minor for leg in legs if leg is not None
                )
                value = weights.cost * money + weights.lateness * order.lateness_weight * max(
                    0, done - order.due
                )
                best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("one_sort_key", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_the_placement_is_the_cheapest_of_every_choice_of_resources_and_carriers(seed, one_sort_key):
    """The dynamic programme (with its shortcuts: a slot found for an earlier arrival reused, ends that make the
    order too late for the budget dropped, the arrivals at every site sorted at once) against trying every
    combination, on a plan's timelines without the order; and under a budget it answers None exactly when the
    cheapest costs that much or more."""
    problem = generate_scenario(orders=30, suppliers=3, seed=seed)
    index = ProblemIndex(problem)
    plan = dispatch(problem, index=index, margin=10.0, rule="mwkr")
    horizon = planning_horizon(index, plan)
    reinsertion = Reinsertion(index, horizon)
    assert reinsertion._key_shift > 0
    if not one_sort_key:  # what a problem whose times and costs could overflow one 63-bit key sorts by
        reinsertion._key_shift = 0
    rng = random.Random(seed)
    for order in rng.sample(problem.orders, 6):
        ops = index.ops_of_order[order.id]
        allowed = {
            o: {
                c.resource_id
                for c in rng.sample(index.ops[o].candidates, min(2, len(index.ops[o].candidates)))
            }
            for o in ops
        }
        timelines = reinsertion._timelines_without(plan, set(ops))
        expected = _cheapest_by_enumeration(index, order.id, timelines, allowed, horizon)
        placed = reinsertion.best_placement(order.id, timelines, allowed=allowed)
        assert (placed and placed[0]) == expected
        if expected is None:
            continue
        assert (
            reinsertion.best_placement(order.id, timelines, budget=expected + 1, allowed=allowed)[0]
            == expected
        )
        assert reinsertion.best_placement(order.id, timelines, budget=expected, allowed=allowed) is None


def _two_parts_one_saw():
    """One order: a top and legs cut in parallel, both only on the one saw, then assembled on the bench. A
    second order keeps the saw busy later, so the plan has something to move."""
    from apps.matching.engine.domain import Candidate, Operation, Order, Problem, Resource, Site

    def order(name: str, release: int) -> tuple[Operation, ...]:
        saw = (Candidate("saw", duration=10, cost_minor=100),)
        return (
            Operation(f"{name}-top", name, "cut", saw, release=release),
            Operation(f"{name}-legs", name, "cut", saw, release=release),
            Operation(
                f"{name}-assemble",
                name,
                "assemble",
                (Candidate("bench", duration=5, cost_minor=50),),
                predecessors=(f"{name}-top", f"{name}-legs"),
                release=release,
            ),
        )

    return Problem(
        operations=(*order("a", 0), *order("b", 0)),
        resources=(Resource("saw", "shop"), Resource("bench", "shop")),
        orders=(Order("a", due=40, lateness_weight=1), Order("b", due=40, lateness_weight=1)),
        sites=(Site("shop"),),
    )


def test_two_parts_of_one_order_are_never_placed_on_one_machine_at_once():
    """The programme places each branch of an order's tree on the timelines without the order's own other
    steps: two parallel parts could both take the saw's first free slot. Such a placement is refused, never
    returned (a plan with it fails the validator, and the commit or batch run with it)."""
    problem = _two_parts_one_saw()
    index = ProblemIndex(problem)
    plan = dispatch(problem, index=index, margin=10.0)
    assert plan is not None and validate_plan(problem, plan) == []
    reinsertion = Reinsertion(index, planning_horizon(index, plan))
    assert "a" in reinsertion.routes
    timelines = reinsertion._timelines_without(plan, set(index.ops_of_order["a"]))
    placed = reinsertion.best_placement("a", timelines)
    if placed is not None:
        saw = sorted((start, end) for resource, start, end in placed[1].values() if resource == "saw")
        assert saw[0][1] <= saw[1][0], f"two parts on the saw at once: {saw}"
    rng = random.Random(0)
    for _ in range(20):
        better = reinsertion.recreate(plan, ["a", "b"], rng)
        if better is not None:
            assert validate_plan(problem, better) == []
            plan = better


def test_a_built_plan_is_valid_and_no_order_alone_has_a_cheaper_place_in_it(crowded):
    """Every order placed afresh, in the order the plan starts them, each at its cheapest place given the ones
    before it: the orders after one only took places it did not want, so taking any one order out and putting
    it back at its best place gains nothing. The dispatch plan, placed by time alone, is dearer."""
    index, plan = crowded
    reinsertion = Reinsertion(index, planning_horizon(index, plan))
    built = reinsertion.construct(plan)
    assert built is not None
    assert validate_plan(index.problem, built) == []
    assert built.objective < plan.objective
    for order_id in reinsertion.routes:
        timelines = reinsertion._timelines_without(built, set(index.ops_of_order[order_id]))
        placed = reinsertion.best_placement(order_id, timelines)
        assert placed is not None
        assert placed[0] == reinsertion.order_value(built, order_id)
    movable = [
        order_id
        for order_id in reinsertion.routes
        if reinsertion.best_placement(
            order_id, reinsertion._timelines_without(plan, set(index.ops_of_order[order_id]))
        )[0]
        < reinsertion.order_value(plan, order_id)
    ]
    assert movable  # in the dispatch plan some order alone does have a cheaper place


def test_the_marketplace_search_starts_from_the_built_plan(crowded):
    index, plan = crowded
    horizon = planning_horizon(index, plan)
    built = Reinsertion(index, horizon).construct(plan)
    assert built is not None and built.objective < plan.objective
    search = _cpu_clock_search(index, plan, horizon)
    # told to stop at the built plan's cost: the build is all it does, before any step
    result = search.run(search.clock() + 30, stop_at=built.objective)
    assert result.objective == built.objective
    assert search.stats.iterations == 0
    assert validate_plan(index.problem, result) == []


def test_a_build_gives_up_when_out_of_time_and_the_search_keeps_its_plan(crowded):
    index, plan = crowded
    horizon = planning_horizon(index, plan)
    assert Reinsertion(index, horizon).construct(plan, out_of_time=lambda: True) is None
    search = _cpu_clock_search(index, plan, horizon)
    assert search.run(search.clock()) is plan  # its deadline has come: no build, no step


def _cpu_clock_search(index, plan, horizon):
    limits = Limits(time_limit_s=1, workers=1, seed=1, clock=CPU_CLOCK)
    return LargeNeighbourhoodSearch(index, plan, horizon=horizon, limits=limits, started=limits.timer())


def test_the_step_speed_benchmark_times_the_same_steps_and_plans_every_run():
    """`runners recreate`: the steps and plans depend on the seed alone, so two versions of the step compare by
    time, and a change meant only for speed shows if it changed a plan."""
    from apps.matching.engine.benchmarks.runners import bench_recreate

    first, second = (bench_recreate(orders=40, suppliers=4, seed=3, steps=60) for _ in range(2))
    assert first["objective"] == second["objective"] and first["accepted"] == second["accepted"]
    assert first["objective"] <= first["objective_built"]
    assert first["accepted"] == 0 or first["objective"] < first["objective_built"]
    assert first["ms_per_step"] > 0 and first["steps"] == 60
