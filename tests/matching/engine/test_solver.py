"""Small instances whose optimum is worked out by hand; every plan passes the independent validator."""

from dataclasses import replace

from apps.matching.engine.benchmarks.fjs import BRANDIMARTE_DIR, load_fjs
from apps.matching.engine.benchmarks.scenarios import generate_scenario, quote_scenario
from apps.matching.engine.cpsat_model import MatchingModel
from apps.matching.engine.cpsat_run import run_model
from apps.matching.engine.domain import DELIVERY, OPTIMAL, Limits, Order, Weights
from apps.matching.engine.greedy import dispatch
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.engine.solver import planning_horizon
from apps.matching.engine.validator import validate_plan

from .builders import machine, op, problem, route, solve_checked

COST_AND_LATENESS = Weights(cost=1, lateness=1, makespan=0)


def two_jobs_two_machines():
    """A: M1(3) then M2(2); B: M2(2) then M1(4); A's first step could also take 6 on M2.
    M1 must carry 3 + 4 = 7 (or M2 carries 6 + 2 + 2 = 10), so the optimum is 7."""
    return problem(
        [
            op("A1", ("M1", 3), ("M2", 6), order="A"),
            op("A2", ("M2", 2), order="A", after=("A1",)),
            op("B1", ("M2", 2), order="B"),
            op("B2", ("M1", 4), order="B", after=("B1",)),
        ],
        [machine("M1"), machine("M2")],
    )


def test_two_jobs_two_machines_reach_the_hand_computed_optimum():
    plan = solve_checked(two_jobs_two_machines())
    assert plan.status == OPTIMAL
    assert plan.makespan == 7
    assert plan.assignments["A1"].resource_id == "M1"


def test_capacity_two_cell_runs_two_jobs_at_once():
    jobs = [op(f"J{i}", ("CELL", 10), order=f"O{i}") for i in range(3)]
    double = solve_checked(problem(jobs, [machine("CELL", capacity=2)]))
    single = solve_checked(problem(jobs, [machine("CELL", capacity=1)]))
    assert (double.status, double.makespan) == (OPTIMAL, 20)
    assert (single.status, single.makespan) == (OPTIMAL, 30)


def test_calendar_closure_forces_a_later_start():
    p = problem([op("X", ("M", 30))], [machine("M", closed=[(0, 100)])])
    plan = solve_checked(p)
    assert (plan.assignments["X"].start, plan.assignments["X"].end) == (100, 130)


def test_work_does_not_span_a_closure():
    """Released at 40, 20 minutes long, closed 50-60: it cannot run 40-60, so it runs 60-80."""
    p = problem([op("X", ("M", 20), release=40)], [machine("M", closed=[(50, 60)])])
    assert solve_checked(p).assignments["X"].start == 60


def remote_or_local(transport_cost: int):
    """One step that the local machine L does for 1000 and the remote R for 600, delivered to site H."""
    return problem(
        [op("X", ("L", 60, 1000), ("R", 60, 600), order="A")],
        [machine("L", site="H"), machine("R", site="F")],
        orders=[Order("A", due=10_000, lateness_weight=1, delivery_site="H")],
        routes=[route("truck", "F", "H", 120, transport_cost)],
        weights=COST_AND_LATENESS,
    )


def test_transport_makes_the_cheaper_remote_machine_lose():
    plan = solve_checked(remote_or_local(transport_cost=500))
    assert plan.assignments["X"].resource_id == "L"
    assert plan.legs == ()
    assert plan.objective == 1000
    assert plan.explanations["X"].verdict_for("R").verdict == "dearer"
    assert plan.explanations["X"].verdict_for("R").cost_minor == 1100


def test_cheap_transport_lets_the_remote_machine_win_and_ships_to_the_customer():
    plan = solve_checked(remote_or_local(transport_cost=300))
    assert plan.assignments["X"].resource_id == "R"
    (leg,) = plan.legs
    assert (leg.from_operation, leg.to_operation, leg.departure, leg.arrival) == ("X", DELIVERY, 60, 180)
    assert plan.completion["A"] == 180
    assert plan.objective == 900


def carrier_choice(due: int):
    return problem(
        [op("X", ("R", 60, 100), order="A")],
        [machine("R", site="F")],
        orders=[Order("A", due=due, lateness_weight=10, delivery_site="H")],
        routes=[route("express", "F", "H", 30, 900), route("truck", "F", "H", 240, 200)],
        weights=COST_AND_LATENESS,
    )


def test_tight_due_date_buys_the_express_carrier():
    plan = solve_checked(carrier_choice(due=100))
    assert [leg.carrier_id for leg in plan.legs] == ["express"]
    assert plan.objective == 100 + 900


def test_loose_due_date_takes_the_cheap_carrier():
    plan = solve_checked(carrier_choice(due=1000))
    assert [leg.carrier_id for leg in plan.legs] == ["truck"]
    assert plan.objective == 100 + 200


def test_transport_time_separates_steps_at_different_sites():
    p = problem(
        [op("A1", ("F1", 30), order="A"), op("A2", ("H1", 10), order="A", after=("A1",))],
        [machine("F1", site="F"), machine("H1", site="H")],
        routes=[route("truck", "F", "H", 45, 0)],
    )
    plan = solve_checked(p)
    assert plan.assignments["A2"].start == 30 + 45
    assert [(leg.from_operation, leg.to_operation) for leg in plan.legs] == [("A1", "A2")]


def test_lateness_is_soft_and_costed():
    """Two 30-minute steps due at 50 without a hard deadline: a plan 10 minutes late, costing 10 x 7."""
    p = problem(
        [op("A1", ("M", 30), order="A"), op("A2", ("M", 30), order="A", after=("A1",))],
        [machine("M")],
        orders=[Order("A", due=50, lateness_weight=7)],
        weights=COST_AND_LATENESS,
    )
    plan = solve_checked(p)
    assert plan.completion["A"] == 60
    assert plan.costs.lateness == 70


def test_fixed_operations_never_move():
    """F is already running on M1 (5-15); X fits on M1 after it (15-25) sooner than on slow M2 (0-30)."""
    p = problem(
        [
            op("F", ("M1", 10), order="B", fixed=("M1", 5, 15)),
            op("X", ("M1", 10), ("M2", 30), order="A"),
            op("Y", ("M2", 5), order="B", after=("F",)),
        ],
        [machine("M1"), machine("M2")],
    )
    plan = solve_checked(p)
    f = plan.assignments["F"]
    assert (f.resource_id, f.start, f.end) == ("M1", 5, 15)
    assert (plan.assignments["X"].resource_id, plan.assignments["X"].start) == ("M1", 15)
    assert plan.assignments["Y"].start >= 15
    assert plan.explanations["F"].candidates[0].detail == "fixed"


def test_fixed_work_in_the_large_neighbourhood_search_stays_put():
    base = generate_scenario(orders=12, suppliers=6, seed=3)
    greedy = dispatch(base)
    assert greedy is not None
    frozen = {o.id for o in base.operations[:10]}
    committed = replace(
        base,
        operations=tuple(
            replace(o, fixed=_fixed_from(greedy.assignments[o.id])) if o.id in frozen else o
            for o in base.operations
        ),
    )
    plan = solve_checked(committed, Limits(time_limit_s=2, workers=1, strategy="lns"))
    for op_id in frozen:
        before, after = greedy.assignments[op_id], plan.assignments[op_id]
        assert (before.resource_id, before.start, before.end) == (after.resource_id, after.start, after.end)


def _fixed_from(a):
    from apps.matching.engine.domain import FixedAssignment

    return FixedAssignment(a.resource_id, a.start, a.end)


def test_same_seed_and_one_worker_give_the_same_plan():
    p = generate_scenario(orders=3, suppliers=5, seed=11)
    first = solve_checked(p, Limits(time_limit_s=20, workers=1, seed=4))
    second = solve_checked(p, Limits(time_limit_s=20, workers=1, seed=4))
    assert first.status == OPTIMAL
    assert first.assignments == second.assignments
    assert first.legs == second.legs


def test_hint_is_complete_fixing_every_variable_to_it_reproduces_the_plan():
    p = generate_scenario(orders=4, suppliers=5, seed=2)
    index = ProblemIndex(p)
    greedy = dispatch(p, index=index)
    assert greedy is not None
    mm = MatchingModel(index, horizon=planning_horizon(index, greedy))
    mm.add_hint(greedy)
    result = run_model(
        mm, time_limit_s=5, workers=1, seed=0, extra_params={"fix_variables_to_their_hinted_value": True}
    )
    assert result.plan is not None
    assert {k: (a.resource_id, a.start) for k, a in result.plan.assignments.items()} == {
        k: (a.resource_id, a.start) for k, a in greedy.assignments.items()
    }


def myopic_trap():
    """P and Q both want cheap machine C (100, 10 min) by minute 10 (lateness 50/min); the dear machine E costs
    200 for P but 1000 for Q. Dispatching P first puts it on C and makes Q late (100 + 100 + 10x50 = 700);
    the optimum sends P to E (200 + 100 = 300)."""
    return problem(
        [
            op("P", ("C", 10, 100), ("E", 10, 200), order="A"),
            op("Q", ("C", 10, 100), ("E", 10, 1000), order="B"),
        ],
        [machine("C"), machine("E")],
        orders=[Order("A", due=10, lateness_weight=50), Order("B", due=10, lateness_weight=50)],
        weights=COST_AND_LATENESS,
    )


def test_a_valid_hint_better_than_greedy_is_kept():
    p = myopic_trap()
    optimum = solve_checked(p)
    assert optimum.objective == 300
    for rule in ("slack", "mwkr", "est"):
        assert dispatch(p, rule=rule).objective == 700  # type: ignore[union-attr]
    progress = []
    plan = solve_checked(
        p,
        Limits(
            time_limit_s=1,
            workers=1,
            hint=optimum,
            strategy="greedy",
            on_progress=lambda *a: progress.append(a),
        ),
    )
    assert (plan.objective, plan.method) == (300, "hint")
    assert progress[0][1] == 300


def test_the_hint_is_the_first_solution_cp_sat_reports():
    p = myopic_trap()
    optimum = solve_checked(p)
    reported = []
    solve_checked(
        p, Limits(time_limit_s=2, workers=1, hint=optimum, on_progress=lambda *a: reported.append(a[1]))
    )
    assert reported[:2] == [300, 300]  # our incumbent, then CP-SAT's first solution: the hint itself


def test_an_outdated_hint_is_repaired_not_trusted():
    """The hint puts X on M1, which has since closed for the day; the plan moves it."""
    before = problem([op("X", ("M1", 10), ("M2", 10))], [machine("M1"), machine("M2")])
    hint = solve_checked(before)
    closed_now = problem(
        [op("X", ("M1", 10), ("M2", 10))],
        [machine("M1", closed=[(0, 10_000)]), machine("M2")],
        horizon=10_000,
    )
    x = replace(hint.assignments["X"], resource_id="M1")
    plan = solve_checked(
        closed_now, Limits(time_limit_s=2, workers=1, hint=replace(hint, assignments={"X": x}))
    )
    assert plan.assignments["X"].resource_id == "M2"


def test_mk01_is_solved_to_its_known_optimum():
    p = load_fjs(BRANDIMARTE_DIR / "Mk01.fjs")
    plan = solve_checked(p, Limits(time_limit_s=10, workers=2, explain=False))
    assert (plan.status, plan.makespan) == (OPTIMAL, 40)


def test_a_quote_against_committed_work_plans_only_the_new_order():
    p = quote_scenario(committed_orders=15, suppliers=8, seed=5)
    quote = solve_checked(p, Limits(time_limit_s=2, workers=1))
    exact = solve_checked(p, Limits(time_limit_s=20, workers=1, strategy="monolithic"))
    new = [o for o in p.operations if o.fixed is None]
    assert len(new) == 5
    assert quote.method == "cp-sat-quote"
    assert exact.status == OPTIMAL
    assert (
        exact.objective <= quote.objective <= exact.objective * 1.01
    )  # the shortlist costs at most 1 % here
    assert (quote.status, quote.best_bound) == ("feasible", None)  # optimal for its shortlist only: no claim
    for o in p.operations:
        if o.fixed is not None:
            assert (quote.assignments[o.id].start, quote.assignments[o.id].end) == (
                o.fixed.start,
                o.fixed.end,
            )


def test_large_neighbourhood_search_never_returns_worse_than_greedy():
    p = generate_scenario(orders=25, suppliers=8, seed=9)
    greedy_objective = min(dispatch(p, rule=r).objective for r in ("slack", "mwkr", "est"))  # type: ignore[union-attr]
    plan = solve_checked(p, Limits(time_limit_s=3, workers=1, strategy="lns"))
    assert plan.objective <= greedy_objective
    assert plan.best_bound is not None and plan.best_bound <= plan.objective
    assert validate_plan(p, plan) == []


def test_re_assembling_only_the_moved_orders_gives_the_plan_a_full_assembly_gives():
    from apps.matching.engine.assemble import assemble_plan

    p = generate_scenario(orders=30, suppliers=6, seed=5)
    index = ProblemIndex(p)
    base, other = dispatch(p, index=index, rule="slack"), dispatch(p, index=index, rule="mwkr")
    assert base is not None and other is not None
    # half the orders as in `other`, the rest as in `base`: a neighbourhood's answer
    moved = {o.id for o in p.orders[::2]}
    schedule = {
        op.id: (
            (other if op.order_id in moved else base).assignments[op.id].resource_id,
            (other if op.order_id in moved else base).assignments[op.id].start,
        )
        for op in p.operations
    }
    full = assemble_plan(index, schedule)
    partial = assemble_plan(index, schedule, base=base)
    assert (partial.objective, partial.costs, dict(partial.completion)) == (
        full.objective,
        full.costs,
        dict(full.completion),
    )
    assert sorted(partial.legs, key=repr) == sorted(full.legs, key=repr)


def test_a_plan_asked_without_a_bound_skips_the_search_free_one_and_is_the_same_plan():
    """Quotes record no bound, and the search-free one cost a tenth of a greedy quote's CPU."""
    p = quote_scenario(committed_orders=15, suppliers=8, seed=5)
    greedy = Limits(time_limit_s=0, strategy="greedy", explain=False)

    bounded = solve_checked(p, greedy)
    unbounded = solve_checked(p, replace(greedy, bound=False))

    assert bounded.best_bound is not None and (unbounded.best_bound, unbounded.gap) == (None, None)
    assert unbounded.assignments == bounded.assignments and unbounded.objective == bounded.objective
