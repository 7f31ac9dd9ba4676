"""Problems without a plan say why, naming the operations and the constraint, instead of raising or returning
an empty plan."""

from apps.matching.engine.domain import (
    FIXED_CONFLICT,
    IMPOSSIBLE_DUE_DATE,
    INFEASIBLE,
    LONGER_THAN_ANY_OPENING,
    NO_CAPABLE_RESOURCE,
    NO_TRANSPORT_ROUTE,
    ROUTING_CYCLE,
    Operation,
    Order,
    Rejection,
    Weights,
)

from .builders import machine, op, problem, route, solve_checked


def reasons_of(p):
    plan = solve_checked(p)
    assert plan.status == INFEASIBLE
    assert plan.assignments == {}
    return plan.reasons


def test_an_operation_no_resource_can_do():
    lonely = Operation(
        "X", "A", "anodising", (), rejections=(Rejection("M1", "incapable: no anodising bath"),)
    )
    (reason,) = reasons_of(problem([lonely, op("Y", ("M1", 5), order="A")], [machine("M1")]))
    assert (reason.code, reason.operation_ids, reason.order_id) == (NO_CAPABLE_RESOURCE, ("X",), "A")
    assert "no anodising bath" in reason.detail


def test_a_cycle_in_the_routing_names_its_operations():
    p = problem(
        [
            op("A", ("M", 1), after=("C",)),
            op("B", ("M", 1), after=("A",)),
            op("C", ("M", 1), after=("B",)),
            op("D", ("M", 1), after=("C",)),
        ],
        [machine("M")],
    )
    (reason,) = reasons_of(p)
    assert reason.code == ROUTING_CYCLE
    assert set(reason.operation_ids) == {"A", "B", "C"}


def test_an_operation_longer_than_every_opening_of_every_candidate():
    """Openings are 0-100 and 200-300 before the calendar ends at 1000: a 150-minute job fits in neither."""
    p = problem(
        [op("LONG", ("M", 150)), op("SHORT", ("M", 50))],
        [machine("M", closed=[(100, 200), (300, 1000)])],
        horizon=1000,
    )
    (reason,) = reasons_of(p)
    assert (reason.code, reason.operation_ids) == (LONGER_THAN_ANY_OPENING, ("LONG",))


def test_a_hard_deadline_shorter_than_the_critical_path():
    p = problem(
        [op("A1", ("M1", 30), order="A"), op("A2", ("M2", 30), order="A", after=("A1",))],
        [machine("M1"), machine("M2")],
        orders=[Order("A", due=50, lateness_weight=1, deadline=50)],
        weights=Weights(),
    )
    (reason,) = reasons_of(p)
    assert (reason.code, reason.order_id, reason.operation_ids) == (IMPOSSIBLE_DUE_DATE, "A", ("A2",))


def test_the_same_due_date_without_a_deadline_is_only_late():
    p = problem(
        [op("A1", ("M1", 30), order="A"), op("A2", ("M2", 30), order="A", after=("A1",))],
        [machine("M1"), machine("M2")],
        orders=[Order("A", due=50, lateness_weight=1)],
        weights=Weights(),
    )
    plan = solve_checked(p)
    assert plan.status == "optimal"
    assert plan.completion["A"] == 60


def test_a_deadline_that_transport_makes_impossible():
    """30 minutes of work at F, then 60 minutes by truck to the customer at H: nothing arrives before 90."""
    p = problem(
        [op("A1", ("F1", 30), order="A")],
        [machine("F1", site="F")],
        orders=[Order("A", due=80, lateness_weight=1, delivery_site="H", deadline=80)],
        routes=[route("truck", "F", "H", 60, 10)],
        weights=Weights(),
    )
    (reason,) = reasons_of(p)
    assert reason.code == IMPOSSIBLE_DUE_DATE
    assert "90" in reason.detail


def test_steps_whose_sites_no_carrier_links():
    p = problem(
        [op("A1", ("F1", 30), order="A"), op("A2", ("H1", 30), order="A", after=("A1",))],
        [machine("F1", site="F"), machine("H1", site="H")],
    )
    (reason,) = reasons_of(p)
    assert (reason.code, reason.operation_ids) == (NO_TRANSPORT_ROUTE, ("A1", "A2"))


def test_fixed_work_that_overlaps_on_a_single_machine():
    p = problem(
        [
            op("F1", ("M", 10), order="A", fixed=("M", 0, 10)),
            op("F2", ("M", 10), order="B", fixed=("M", 5, 15)),
        ],
        [machine("M")],
    )
    (reason,) = reasons_of(p)
    assert reason.code == FIXED_CONFLICT
    assert set(reason.operation_ids) == {"F1", "F2"}
