"""The independent validator accepts a correct plan and catches each kind of hand-broken plan."""

from dataclasses import replace

import pytest

from apps.matching.engine.domain import (
    CPU_CLOCK,
    DELIVERY,
    INFEASIBLE,
    Limits,
    Order,
    Plan,
    TransportLeg,
    Weights,
)
from apps.matching.engine.solver import solve
from apps.matching.engine.validator import validate_plan

from .builders import machine, op, problem, route

WEIGHTS = Weights(cost=1, lateness=1, makespan=0)


@pytest.fixture(scope="module")
def case():
    """Two orders over two sites: a fixed job, a calendar closure, a release time, transport and delivery."""
    p = problem(
        [
            op("F", ("M1", 20, 50), order="B", fixed=("M1", 0, 20)),
            op("A1", ("M1", 30, 100), ("M2", 40, 90), order="A", release=5),
            op("A2", ("H1", 10, 30), order="A", after=("A1",)),
            op("B2", ("H1", 15, 40), order="B", after=("F",)),
        ],
        [machine("M1", site="F"), machine("M2", site="F", closed=[(0, 30)]), machine("H1", site="H")],
        orders=[
            Order("A", due=200, lateness_weight=3, delivery_site="C"),
            Order("B", due=40, lateness_weight=5, delivery_site="H"),
        ],
        routes=[
            route("truck", "F", "H", 25, 70),
            route("van", "H", "C", 15, 20),
            route("van", "F", "C", 50, 80),
        ],
        weights=WEIGHTS,
    )
    plan = solve(p, Limits(time_limit_s=5, workers=1, clock=CPU_CLOCK))
    return p, plan


def codes(p, plan: Plan) -> set[str]:
    return {v.code for v in validate_plan(p, plan)}


def moved(plan: Plan, op_id: str, **changes) -> Plan:
    return replace(plan, assignments={**plan.assignments, op_id: replace(plan.assignments[op_id], **changes)})


def test_the_solver_plan_is_valid(case):
    p, plan = case
    assert plan.has_schedule
    assert validate_plan(p, plan) == []
    assert {(leg.from_operation, leg.to_operation) for leg in plan.legs} >= {
        ("A1", "A2"),
        ("F", "B2"),
        ("A2", DELIVERY),
    }


def test_missing_assignment(case):
    p, plan = case
    assignments = dict(plan.assignments)
    del assignments["A2"]
    assert "missing_assignment" in codes(p, replace(plan, assignments=assignments))


def test_resource_that_is_not_a_candidate(case):
    p, plan = case
    assert "not_a_candidate" in codes(p, moved(plan, "A2", resource_id="M1"))


def test_wrong_duration(case):
    p, plan = case
    a2 = plan.assignments["A2"]
    assert "wrong_duration" in codes(p, moved(plan, "A2", end=a2.end + 1))


def test_overlap_beyond_capacity(case):
    p, plan = case
    a2, b2 = plan.assignments["A2"], plan.assignments["B2"]
    broken = moved(plan, "B2", start=a2.start, end=a2.start + (b2.end - b2.start))
    assert "over_capacity" in codes(p, broken)


def test_work_in_closed_hours(case):
    p, plan = case
    broken = moved(plan, "A1", resource_id="M2", start=5, end=45, cost_minor=90)
    assert "in_closed_hours" in codes(p, broken)


def test_start_before_release(case):
    p, plan = case
    a1 = plan.assignments["A1"]
    assert "before_release" in codes(p, moved(plan, "A1", start=0, end=a1.end - a1.start))


def test_fixed_work_moved(case):
    p, plan = case
    assert "fixed_moved" in codes(p, moved(plan, "F", start=1, end=21))


def test_successor_starting_before_the_part_arrives(case):
    p, plan = case
    b2 = plan.assignments["B2"]
    early = moved(plan, "B2", start=b2.start - 1, end=b2.end - 1)
    assert "precedence" in codes(p, early)


def test_missing_transport_leg(case):
    p, plan = case
    legs = tuple(leg for leg in plan.legs if (leg.from_operation, leg.to_operation) != ("A1", "A2"))
    assert "transport_missing" in codes(p, replace(plan, legs=legs))


def test_leg_with_an_invented_carrier_or_price(case):
    p, plan = case
    legs = tuple(replace(leg, carrier_id="drone") if leg.to_operation == "A2" else leg for leg in plan.legs)
    assert "transport_invalid" in codes(p, replace(plan, legs=legs))
    legs = tuple(replace(leg, cost_minor=1) if leg.to_operation == "A2" else leg for leg in plan.legs)
    assert "transport_invalid" in codes(p, replace(plan, legs=legs))


def test_extra_leg(case):
    p, plan = case
    ghost = TransportLeg("B", "F", "F", DELIVERY, "H", "truck", 20, 45, 70)
    assert "extra_leg" in codes(p, replace(plan, legs=(*plan.legs, ghost)))


def test_wrong_completion(case):
    p, plan = case
    assert "completion_wrong" in codes(p, replace(plan, completion={**plan.completion, "A": 1}))


def test_costs_that_do_not_add_up(case):
    p, plan = case
    costs = replace(plan.costs, transport=plan.costs.transport + 1)
    assert "cost_mismatch" in codes(p, replace(plan, costs=costs))
    assert "objective_mismatch" in codes(p, replace(plan, objective=plan.objective + 1))


def test_missed_hard_deadline(case):
    p, plan = case
    strict = replace(p, orders=(replace(p.orders[0], deadline=plan.completion["A"] - 1), p.orders[1]))
    assert "deadline_missed" in codes(strict, plan)


def test_an_empty_plan_must_give_a_reason(case):
    p, _ = case
    assert codes(p, Plan(INFEASIBLE)) == {"status"}
