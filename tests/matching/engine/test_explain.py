"""Every operation's explanation lists its candidates and says why each loser lost."""

from apps.matching.engine.domain import Candidate, Limits, Operation, Order, Rejection, Weights

from .builders import machine, op, problem, solve_checked

WEIGHTS = Weights(cost=1, lateness=1, makespan=0)
URGENT = Order("A", due=100, lateness_weight=1000)


def verdicts(plan, op_id="X"):
    return {c.resource_id: c.verdict for c in plan.explanations[op_id].candidates}


def test_cheap_machine_closed_until_tomorrow_loses_as_closed():
    p = problem(
        [op("X", ("CHEAP", 60, 100), ("DEAR", 60, 500))],
        [machine("CHEAP", closed=[(0, 1000)]), machine("DEAR")],
        orders=[URGENT],
        weights=WEIGHTS,
        horizon=5000,
    )
    plan = solve_checked(p)
    assert verdicts(plan) == {"DEAR": "chosen", "CHEAP": "closed"}


def test_cheap_machine_booked_by_running_work_loses_as_busy():
    p = problem(
        [
            op("RUNNING", ("CHEAP", 1000, 100), order="B", fixed=("CHEAP", 0, 1000)),
            op("X", ("CHEAP", 60, 100), ("DEAR", 60, 500)),
        ],
        [machine("CHEAP"), machine("DEAR")],
        orders=[URGENT, Order("B", due=5000)],
        weights=WEIGHTS,
    )
    plan = solve_checked(p)
    assert verdicts(plan) == {"DEAR": "chosen", "CHEAP": "busy"}


def test_equally_fast_but_dearer_machine_loses_as_dearer():
    p = problem(
        [op("X", ("CHEAP", 60, 100), ("DEAR", 60, 500))],
        [machine("CHEAP"), machine("DEAR")],
        orders=[URGENT],
        weights=WEIGHTS,
    )
    plan = solve_checked(p)
    explanation = plan.explanations["X"]
    assert verdicts(plan) == {"CHEAP": "chosen", "DEAR": "dearer"}
    assert (explanation.verdict_for("DEAR").cost_minor, explanation.verdict_for("CHEAP").cost_minor) == (
        500,
        100,
    )


def test_slow_machine_that_would_make_the_order_late_loses_as_later():
    p = problem(
        [op("X", ("FAST", 60, 300), ("SLOW", 180, 100))],
        [machine("FAST"), machine("SLOW")],
        orders=[URGENT],
        weights=WEIGHTS,
    )
    plan = solve_checked(p)
    assert verdicts(plan) == {"FAST": "chosen", "SLOW": "later"}


def test_a_rejected_resource_is_listed_as_incapable_with_its_reason():
    x = Operation(
        "X",
        "A",
        "milling",
        (Candidate("M1", 60, 100),),
        rejections=(Rejection("LATHE", "incapable: no 5-axis head"),),
    )
    plan = solve_checked(problem([x], [machine("M1"), machine("LATHE")], orders=[URGENT], weights=WEIGHTS))
    rejected = plan.explanations["X"].verdict_for("LATHE")
    assert (rejected.verdict, rejected.detail) == ("incapable", "incapable: no 5-axis head")


def test_every_operation_of_a_scenario_is_explained_with_all_its_candidates():
    from apps.matching.engine.benchmarks.scenarios import generate_scenario

    p = generate_scenario(orders=5, suppliers=6, seed=7)
    plan = solve_checked(p, Limits(time_limit_s=2, workers=1))
    for operation in p.operations:
        explanation = plan.explanations[operation.id]
        assert explanation.chosen_resource_id == plan.assignments[operation.id].resource_id
        assert {c.resource_id for c in explanation.candidates} == {
            c.resource_id for c in operation.candidates
        }
        assert sum(c.verdict == "chosen" for c in explanation.candidates) == 1
        assert {c.verdict for c in explanation.candidates} <= {
            "chosen",
            "closed",
            "busy",
            "dearer",
            "later",
            "tie",
        }
