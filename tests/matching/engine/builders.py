"""Small problem builders for the solver tests, and a solve that always runs the independent validator."""

from __future__ import annotations

from dataclasses import replace

from apps.matching.engine.domain import (
    CPU_CLOCK,
    Candidate,
    CarrierOption,
    FixedAssignment,
    Limits,
    Operation,
    Order,
    Plan,
    Problem,
    Resource,
    Weights,
)
from apps.matching.engine.solver import solve
from apps.matching.engine.validator import validate_plan

MAKESPAN = Weights(cost=0, lateness=0, makespan=1)


def op(
    op_id: str,
    *candidates: tuple[str, int] | tuple[str, int, int],
    order: str = "A",
    after: tuple[str, ...] = (),
    release: int = 0,
    fixed: tuple[str, int, int] | None = None,
    process: str = "work",
) -> Operation:
    return Operation(
        id=op_id,
        order_id=order,
        process=process,
        candidates=tuple(Candidate(*c) for c in candidates),
        predecessors=after,
        release=release,
        fixed=FixedAssignment(*fixed) if fixed else None,
    )


def machine(resource_id: str, site: str = "S", capacity: int = 1, closed: tuple = ()) -> Resource:
    return Resource(resource_id, site, capacity, tuple(closed))


def route(carrier: str, a: str, b: str, duration: int, cost: int) -> CarrierOption:
    return CarrierOption(carrier, a, b, duration, cost)


def problem(
    operations: list[Operation],
    resources: list[Resource],
    orders: list[Order] | None = None,
    routes: list[CarrierOption] = (),  # type: ignore[assignment]
    weights: Weights = MAKESPAN,
    horizon: int | None = None,
) -> Problem:
    if orders is None:
        orders = [Order(o, due=0) for o in sorted({x.order_id for x in operations})]
    return Problem(tuple(operations), tuple(resources), tuple(routes), tuple(orders), weights, horizon)


def solve_checked(p: Problem, limits: Limits | None = None) -> Plan:
    """Solve and insist that the independent validator finds nothing wrong with the plan.

    The time limit counts CPU seconds (Limits.clock): what a test asserts of the plan a search finds must not
    depend on how loaded the machine running the tests is (on the wall clock, two test processes on two busy
    cores can leave a search a small share of its seconds)."""
    plan = solve(p, replace(limits or Limits(time_limit_s=5, workers=1), clock=CPU_CLOCK))
    assert validate_plan(p, plan) == [], validate_plan(p, plan)
    return plan
