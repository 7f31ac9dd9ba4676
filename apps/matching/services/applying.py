"""Checking a plan and writing it: validation, the network lock, re-validation, orders' plan application."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction

from apps.matching.engine.assemble import assemble_plan, carrier_choice
from apps.matching.engine.domain import DELIVERY, FEASIBLE, Limits, Plan
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.engine.solver import solve
from apps.matching.engine.validator import Violation, validate_plan
from apps.matching.models import MatchingRun, MatchingSettings
from apps.matching.plan_version import plan_version_bump
from apps.matching.problem import BuiltProblem
from apps.matching.selectors import matching_settings_get
from apps.matching.services.inputs import STARTED, OrderState, order_state_load, problem_for_states
from apps.matching.services.runs import ProgressWriter
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.orders.services import PlannedLeg, PlannedWorkItem, order_plan_apply
from apps.orders.status import LEG_ACTIVE, WORK_ITEM_NOT_STARTED
from apps.suppliers.selectors import network_settings

logger = logging.getLogger(__name__)


class PlanInvalid(RuntimeError):
    """The solver returned a plan the validator rejects: a bug, never applied."""

    def __init__(self, violations: Sequence[Violation]):
        super().__init__("; ".join(f"{v.code} {v.subject} {v.detail}" for v in violations[:10]))
        self.violations = list(violations)


class NetworkChanged(Exception):
    """The network changed between solving and applying; solve again."""


def solve_checked(built: BuiltProblem, limits: Limits) -> Plan:
    """The solver's plan, checked by the independent validator (raises PlanInvalid rather than return a bad one)."""
    plan = solve(built.problem, limits)
    violations = validate_plan(built.problem, plan)
    if violations:
        raise PlanInvalid(violations)
    return plan


def solver_limits(
    settings: MatchingSettings, *, time_limit_s: float, run: MatchingRun, hint: Plan | None = None
) -> Limits:
    return Limits(
        time_limit_s=time_limit_s,
        workers=settings.workers,
        seed=run.pk % 1000,
        hint=hint,
        on_progress=ProgressWriter(run.pk),
        explain=True,
    )


def revalidate(fresh: BuiltProblem, plan: Plan) -> tuple[Plan | None, list[Violation]]:
    """The plan's decisions for the orders' own operations, re-assembled on a freshly built problem (which holds
    whatever was committed since) and validated there. (None, violations) when they no longer fit."""
    schedule: dict[str, tuple[str, int]] = {}
    problems: list[Violation] = []
    for op in fresh.problem.operations:
        if op.fixed is not None:
            schedule[op.id] = (op.fixed.resource_id, op.fixed.start)
            continue
        chosen = plan.assignments.get(op.id)
        offer = next((c for c in op.candidates if chosen and c.resource_id == chosen.resource_id), None)
        if chosen is None or offer is None or offer.duration != chosen.end - chosen.start:
            problems.append(Violation("candidate_changed", op.id))
            continue
        schedule[op.id] = (chosen.resource_id, chosen.start)
    if problems:
        return None, problems
    rebuilt = assemble_plan(
        ProblemIndex(fresh.problem),
        schedule,
        status=plan.status,
        carrier_choice=carrier_choice(plan.legs),
        method=plan.method,
        best_bound=plan.best_bound,
    )
    violations = validate_plan(fresh.problem, rebuilt)
    return (None, violations) if violations else (rebuilt, [])


def network_lock() -> None:
    """Serialises plan application within the network until the surrounding transaction ends.

    Call inside transaction.atomic(). The key is derived from the tenant schema, so networks never wait for
    each other.
    """
    key = int.from_bytes(
        hashlib.sha256(f"matching:{connection.schema_name}".encode()).digest()[:8], "big", signed=True
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# --------------------------------------------------------------------------------------------------- applying


def planned_for_order(
    built: BuiltProblem, plan: Plan, state: OrderState
) -> tuple[list[PlannedWorkItem], list[PlannedLeg]]:
    """The plan of one order in orders' terms. Pinned steps keep their item's own planned window."""
    key = state.input.key
    items: list[PlannedWorkItem] = []
    for step in state.input.steps:
        assignment = plan.assignments.get(step.op_id)
        if assignment is None:
            continue  # finished history, not part of the problem
        info = built.resources[assignment.resource_id]
        pin = state.input.pins.get(step.op_id)
        current = state.items.get(step.op_id)
        if pin is not None and current is not None:
            start, end, cost = current.planned_start, current.planned_end, current.cost_minor
        else:
            # the supplier buys the step's materials, so its planned cost (what the profit share pays back
            # before splitting the surplus) is the resource's price for the work plus those materials
            start, end = built.at(assignment.start), built.at(assignment.end)
            cost = assignment.cost_minor + built.materials_minor(step.op_id)
        items.append(
            PlannedWorkItem(
                line_id=step.line_id,  # type: ignore[arg-type]
                step_key=step.step_key,
                name=step.name,
                resource_id=info.pk,
                asset_owner_id=info.owner_pk,
                planned_start=start,
                planned_end=end,
                cost_minor=cost,
                process=step.process,
                quantity=step.quantity,
                predecessor_keys=tuple(
                    built.steps[p].step_key for p in step.predecessors if p in built.steps
                ),
            )
        )
    legs: list[PlannedLeg] = []
    for leg in plan.legs:
        if leg.order_id != key:
            continue
        last = leg.to_operation == DELIVERY
        legs.append(
            PlannedLeg(
                carrier_id=int(leg.carrier_id),
                from_asset_owner_id=built.site_owner(leg.from_site),
                to_asset_owner_id=None if last else built.site_owner(leg.to_site),
                planned_departure=built.at(leg.departure),
                planned_arrival=built.at(leg.arrival),
                cost_minor=leg.cost_minor,
                from_step=_step_ref(built, leg.from_operation),
                to_step=None if last else _step_ref(built, leg.to_operation),
                is_last_mile=last,
                distance_km=Decimal(str(round(built.distances.get((leg.from_site, leg.to_site), 0.0), 1))),
                weight_kg=built.weights_kg.get(key, Decimal(0)),
            )
        )
    return items, legs


def _step_ref(built: BuiltProblem, op_id: str | None) -> tuple[int, str] | None:
    step = built.steps.get(op_id) if op_id else None
    return (step.line_id, step.step_key) if step and step.line_id is not None else None  # type: ignore[return-value]


def plan_unchanged(order_id: int, items: list[PlannedWorkItem], legs: list[PlannedLeg]) -> bool:
    """Whether the order already has exactly these items and legs (then applying would only churn offers)."""
    current_items = {
        (i.line_id, i.step_key): (i.resource_id, i.planned_start, i.planned_end)
        for i in WorkItem.objects.filter(order_id=order_id, status__in=WORK_ITEM_NOT_STARTED | STARTED)
    }
    planned_items = {(p.line_id, p.step_key): (p.resource_id, p.planned_start, p.planned_end) for p in items}
    if current_items != planned_items:
        return False
    current_legs = set()
    for leg in TransportLeg.objects.filter(order_id=order_id, status__in=LEG_ACTIVE).select_related(
        "from_work_item", "to_work_item"
    ):
        current_legs.add(
            (
                leg.carrier_id,
                leg.from_asset_owner_id,
                leg.to_asset_owner_id,
                _item_ref(leg.from_work_item),
                _item_ref(leg.to_work_item),
                leg.is_last_mile,
                leg.planned_departure,
                leg.planned_arrival,
            )
        )
    planned_legs = {
        (
            p.carrier_id,
            p.from_asset_owner_id,
            p.to_asset_owner_id,
            p.from_step,
            p.to_step,
            p.is_last_mile,
            p.planned_departure,
            p.planned_arrival,
        )
        for p in legs
    }
    return current_legs == planned_legs


def _item_ref(item: WorkItem | None) -> tuple[int, str] | None:
    return (item.line_id, item.step_key) if item is not None else None


def plan_apply(
    *, built: BuiltProblem, plan: Plan, states: Sequence[OrderState], run: MatchingRun, reason: str
) -> list[int]:
    """Applies the plan to each order whose plan changed; returns the ids of the orders written.

    Call under network_lock(), with a plan validated against `built` as committed now. Idempotent: an order
    already carrying exactly this plan is left alone (no new items, legs, offers or events).
    """
    written = []
    for state in states:
        items, legs = planned_for_order(built, plan, state)
        if plan_unchanged(state.order.pk, items, legs):
            continue
        order_plan_apply(order_id=state.order.pk, items=items, legs=legs, run_id=run.pk, reason=reason)
        written.append(state.order.pk)
    if written:  # the schedule quotes were solved against changed: cached quotes are stale once this commits
        transaction.on_commit(plan_version_bump)
    return written


def current_plan(built: BuiltProblem, states: Sequence[OrderState]) -> Plan | None:
    """The plan in place now, assembled on `built` (None if it no longer fits the problem)."""
    plan, violations = current_plan_checked(built, states)
    return None if violations else plan


def current_plan_checked(
    built: BuiltProblem, states: Sequence[OrderState]
) -> tuple[Plan | None, list[Violation]]:
    """The orders' items and legs as they stand, assembled into a Plan on `built` and run through the validator."""
    schedule: dict[str, tuple[str, int]] = {}
    choice: dict[tuple[str, str], str] = {}
    ops = {op.id: op for op in built.problem.operations}
    for op in built.problem.operations:
        if op.fixed is not None:
            schedule[op.id] = (op.fixed.resource_id, op.fixed.start)
    for state in states:
        for op_id, item in state.items.items():
            if op_id in schedule or op_id not in ops:
                continue
            rid = str(item.resource_id)
            if not any(c.resource_id == rid for c in ops[op_id].candidates):
                return None, [Violation("not_a_candidate", op_id, rid)]
            schedule[op_id] = (rid, built.minutes(item.planned_start))
        for leg in TransportLeg.objects.filter(order=state.order, status__in=LEG_ACTIVE).select_related(
            "from_work_item", "to_work_item"
        ):
            if leg.from_work_item is None or leg.carrier_id is None:
                continue
            source = f"{leg.from_work_item.line_id}.{leg.from_work_item.step_key}"
            if leg.is_last_mile:
                choice[(source, DELIVERY)] = str(leg.carrier_id)
            elif leg.to_work_item is not None:
                choice[(source, f"{leg.to_work_item.line_id}.{leg.to_work_item.step_key}")] = str(
                    leg.carrier_id
                )
    missing = [op_id for op_id in ops if op_id not in schedule]
    if missing:
        return None, [Violation("missing_assignment", op_id) for op_id in missing]
    plan = assemble_plan(
        ProblemIndex(built.problem), schedule, status=FEASIBLE, carrier_choice=choice, method="current"
    )
    return plan, validate_plan(built.problem, plan)


def order_plan_violations(*, order_id: int, origin: datetime) -> list[Violation]:
    """The independent validator's findings on the order's plan as it stands in the database, against the
    network as committed now (empty: the plan is sound). `origin` must not be after the plan's first start."""
    settings = matching_settings_get()
    network = network_settings()
    order = Order.objects.get(pk=order_id)
    state = order_state_load(
        order, origin=origin, settings=settings, time_zone=network.time_zone, scope="wide"
    )
    built = problem_for_states([state], origin, settings)
    _, violations = current_plan_checked(built, [state])
    return violations
