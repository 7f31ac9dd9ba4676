"""Commit, re-plan, repair and batch: solve → validate → lock → re-validate → apply."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.matching.engine.domain import FEASIBLE, OPTIMAL, Plan
from apps.matching.models import MatchingRun, MatchingSettings, RunMode, RunOutcome
from apps.matching.problem import origin_now
from apps.matching.selectors import matching_settings_get
from apps.matching.services.applying import (
    NetworkChanged,
    current_plan,
    network_lock,
    plan_apply,
    revalidate,
    solve_checked,
    solver_limits,
)
from apps.matching.services.inputs import (
    OrderState,
    legs_without_carrier,
    order_state_load,
    problem_for_states,
)
from apps.matching.services.runs import run_claim, run_create, run_fail, run_finish
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.orders.status import (
    LEG_NOT_PICKED_UP,
    PLANNABLE,
    WORK_ITEM_NOT_STARTED,
    WORK_ITEM_UNACCEPTED,
    OrderStatus,
)
from apps.outbox.services import outbox_enqueue
from apps.suppliers.models import onboarded_q
from apps.suppliers.selectors import network_settings
from apps.suppliers.status import ParticipantStatus, ResourceStatus

logger = logging.getLogger(__name__)

# Registered by apps/matching/tasks.py (which imports this module): sent by name through the outbox.
REPLAN_ORDER_TASK = "matching.replan_order"

APPLY_ATTEMPTS = 3


def order_commit(*, order_id: int, run_id: int | None = None) -> MatchingRun | None:
    """Plans a paid order against the committed network and offers its jobs. Safe to call twice: an order that
    is no longer paid-and-unplanned is left alone (the run says "skipped")."""
    return _plan_orders_outside_transaction(
        order_ids=[order_id],
        mode=RunMode.COMMIT,
        run_id=run_id,
        reason="Planned after payment",
        scope="wide",
        accept=lambda order: order.status == OrderStatus.PAID,
    )


def order_replan(
    *, order_id: int, reason: str = "", run_id: int | None = None, wide: bool = False
) -> MatchingRun | None:
    """Re-matches the order's affected steps (declined, failed, on a resource no longer eligible, late to start,
    and the steps after them); started work never moves. A narrow re-plan that cannot succeed around its pinned
    steps is retried with every unstarted step free. An order never planned is committed instead."""
    order = Order.objects.filter(pk=order_id).only("status").first()
    if (
        order is not None
        and order.status == OrderStatus.PAID
        and not WorkItem.objects.filter(order_id=order_id).exists()
    ):
        return order_commit(order_id=order_id, run_id=run_id)
    run = _plan_orders_outside_transaction(
        order_ids=[order_id],
        mode=RunMode.REPLAN,
        run_id=run_id,
        reason=reason or "Re-planned",
        scope="wide" if wide else "narrow",
        accept=lambda o: o.status in PLANNABLE,
    )
    if run is not None and not wide and run.outcome == RunOutcome.INFEASIBLE:
        logger.info(
            "Narrow re-plan of order %s infeasible; retrying with every unstarted step free", order_id
        )
        run = _plan_orders_outside_transaction(
            order_ids=[order_id],
            mode=RunMode.REPLAN,
            run_id=None,
            reason=f"{reason or 'Re-planned'} (all unstarted steps)",
            scope="wide",
            accept=lambda o: o.status in PLANNABLE,
        )
    return run


def supplier_replan(*, asset_owner_id: int, reason: str = "") -> list[int]:
    """Asks for a re-plan of every order with unstarted work at this asset owner (suspended, or its resources
    gone): one replan task per order, so a large supplier's orders re-plan in parallel and each within its own
    time limit. Returns the order ids."""
    work = WorkItem.objects.filter(asset_owner_id=asset_owner_id, status__in=WORK_ITEM_NOT_STARTED)
    return _replan_orders_of(work, reason=reason or f"Asset owner {asset_owner_id} unavailable")


def carrier_replan(*, carrier_id: int, reason: str = "") -> list[int]:
    """Asks for a re-plan of every order with a leg this carrier has not picked up yet (it was suspended or
    lost its payouts): the new plan moves those legs to eligible carriers. Returns the order ids."""
    legs = TransportLeg.objects.filter(carrier_id=carrier_id, status__in=LEG_NOT_PICKED_UP)
    return _replan_orders_of(legs, reason=reason or f"Carrier {carrier_id} unavailable")


def _replan_orders_of(rows, *, reason: str) -> list[int]:
    """One re-plan task per plannable order among `rows` (work items or legs); returns the order ids."""
    order_ids = sorted(set(rows.filter(order__status__in=PLANNABLE).values_list("order_id", flat=True)))
    replan_enqueue(order_ids=order_ids, reason=reason)
    return order_ids


def orders_stranded() -> list[int]:
    """Orders with unstarted work on a resource that is down or whose asset owner is no longer eligible
    (suspended, payouts off), or with a leg not yet picked up by a carrier no longer eligible: the supplier's
    change may have happened without telling matching."""
    stranded = (
        WorkItem.objects.filter(status__in=WORK_ITEM_NOT_STARTED, order__status__in=PLANNABLE)
        .exclude(
            onboarded_q("asset_owner__"),
            resource__status=ResourceStatus.UP,
            asset_owner__status=ParticipantStatus.APPROVED,
        )
        .values_list("order_id", flat=True)
    )
    carrier_gone = (
        legs_without_carrier().filter(order__status__in=PLANNABLE).values_list("order_id", flat=True)
    )
    return sorted(set(stranded) | set(carrier_gone))


def network_repair() -> list[int]:
    """Asks for a re-plan of every stranded order (see orders_stranded); returns their ids."""
    order_ids = orders_stranded()
    replan_enqueue(order_ids=order_ids, reason="Resource or asset owner no longer available")
    return order_ids


def replan_enqueue(*, order_ids: Sequence[int], reason: str) -> None:
    """One `matching.replan_order` task per order, written to the outbox (sent after the caller commits)."""
    for order_id in order_ids:
        outbox_enqueue(
            task_name=REPLAN_ORDER_TASK,
            kwargs={"order_id": order_id, "reason": reason[:200]},
        )


def network_reoptimise(*, run_id: int | None = None) -> MatchingRun | None:
    """Periodic batch: re-optimises unstarted, unaccepted work starting after the freeze window across all
    planned orders, and applies the result only if it lowers the objective by the configured margin.

    Never inside a transaction (it is the batch task's body): like _plan_orders_outside_transaction it solves
    for up to `batch_time_limit_s` and holds the network lock only while it applies."""
    settings = matching_settings_get()
    run = run_claim(run_id, mode=RunMode.BATCH, order_id=None, reason="Periodic re-optimisation")
    if run is None:
        return None
    try:
        origin = origin_now(timezone.now())
        network = network_settings()
        freeze = origin + timedelta(hours=settings.batch_freeze_hours)
        candidates = (
            Order.objects.filter(
                status__in=(OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION),
                work_items__status__in=WORK_ITEM_UNACCEPTED,
                work_items__planned_start__gte=freeze,
            )
            .exclude(pk__in=orders_stranded())  # being repaired by their own re-plan
            .distinct()
        )
        states = []
        for order in candidates.order_by("id"):
            state = order_state_load(
                order,
                origin=origin,
                settings=settings,
                time_zone=network.time_zone,
                scope="batch",
                freeze_until=freeze,
            )
            if any(s.op_id not in state.input.pins for s in state.input.steps):
                states.append(state)
        if not states:
            return run_finish(run, outcome=RunOutcome.SKIPPED, note="No movable work")
        built = problem_for_states(states, origin, settings)
        current = current_plan(built, states)
        if current is None:
            return run_finish(
                run, outcome=RunOutcome.SKIPPED, note="The current plan does not fit; repair first"
            )
        plan = solve_checked(
            built, solver_limits(settings, time_limit_s=settings.batch_time_limit_s, run=run, hint=current)
        )
        improvement = (current.objective - plan.objective) / max(1, abs(current.objective))  # type: ignore[operator]
        stats = {
            "current_objective": current.objective,
            "improvement": round(improvement, 5),
            "orders": len(states),
        }
        if improvement * 100 < float(settings.batch_min_improvement_percent):
            return run_finish(run, outcome=RunOutcome.NOT_BETTER, built=built, plan=plan, statistics=stats)
        with transaction.atomic():
            network_lock()
            fresh = problem_for_states(states, origin, settings)
            rebuilt, violations = revalidate(fresh, plan)
            if rebuilt is None:
                return run_finish(
                    run,
                    outcome=RunOutcome.SKIPPED,
                    built=built,
                    plan=plan,
                    statistics=stats,
                    note=f"The network changed meanwhile ({violations[0].code}); next batch will try again",
                )
            live = [s for s in states if Order.objects.filter(pk=s.order.pk, status__in=PLANNABLE).exists()]
            written = plan_apply(
                built=fresh, plan=rebuilt, states=live, run=run, reason="Re-optimised by the batch"
            )
        stats["orders_changed"] = len(written)
        outcome = RunOutcome.APPLIED if written else RunOutcome.UNCHANGED
        return run_finish(run, outcome=outcome, built=built, plan=plan, statistics=stats)
    except Exception as error:
        run_fail(run, f"{type(error).__name__}: {error}")
        raise


def _plan_orders_outside_transaction(
    *,
    order_ids: Sequence[int],
    mode: str,
    run_id: int | None,
    reason: str,
    scope: str,
    accept: Callable[[Order], bool],
) -> MatchingRun | None:
    """Solve → validate → lock → re-validate against the network as committed now → apply; retried when the
    network changed in between. Returns the run (None when another worker already holds `run_id`).

    Never inside a transaction: the solve takes seconds and writes its progress for staff to watch, and the
    network lock must be held only for the short transaction that applies the plan."""
    settings = matching_settings_get()
    run = run_claim(run_id, mode=mode, order_id=order_ids[0] if len(order_ids) == 1 else None, reason=reason)
    if run is None:
        return None
    time_limit = settings.commit_time_limit_s if mode == RunMode.COMMIT else settings.replan_time_limit_s
    _run_parameters_record(run, settings, scope=scope, time_limit_s=time_limit)
    try:
        network = network_settings()
        for attempt in range(1, APPLY_ATTEMPTS + 1):
            orders = [o for o in Order.objects.filter(pk__in=order_ids).order_by("id") if accept(o)]
            if not orders:
                return run_finish(
                    run, outcome=RunOutcome.SKIPPED, note="Nothing to plan (already planned or closed)"
                )
            origin = origin_now(timezone.now())
            states = [
                order_state_load(
                    o, origin=origin, settings=settings, time_zone=network.time_zone, scope=scope
                )
                for o in orders
            ]
            steps_pinned = all(s.op_id in st.input.pins for st in states for s in st.input.steps)
            if steps_pinned and not any(st.legs_without_carrier for st in states):
                return run_finish(run, outcome=RunOutcome.SKIPPED, note="No step needs planning")
            built = problem_for_states(states, origin, settings)
            hint = current_plan(built, states) if mode == RunMode.REPLAN else None
            plan = solve_checked(built, solver_limits(settings, time_limit_s=time_limit, run=run, hint=hint))
            if plan.status not in (OPTIMAL, FEASIBLE):
                return run_finish(run, outcome=RunOutcome.INFEASIBLE, built=built, plan=plan)
            try:
                written = _apply_under_network_lock(
                    run=run,
                    plan=plan,
                    states=states,
                    accept=accept,
                    origin=origin,
                    settings=settings,
                    reason=reason,
                )
            except NetworkChanged as stale:
                logger.info(
                    "Run %s: network changed before applying (%s), attempt %s", run.pk, stale, attempt
                )
                continue
            if written is None:
                return run_finish(
                    run,
                    outcome=RunOutcome.SKIPPED,
                    built=built,
                    plan=plan,
                    note="Planned by another run meanwhile",
                )
            outcome = RunOutcome.APPLIED if written else RunOutcome.UNCHANGED
            return run_finish(run, outcome=outcome, built=built, plan=plan, statistics={"attempts": attempt})
        return run_finish(run, outcome=RunOutcome.SKIPPED, note="The network kept changing; try again")
    except Exception as error:
        run_fail(run, f"{type(error).__name__}: {error}")
        raise


def _run_parameters_record(
    run: MatchingRun, settings: MatchingSettings, *, scope: str, time_limit_s: float
) -> None:
    """What the run was asked with, added to the parameters it was created with."""
    parameters = {
        **(run.parameters or {}),
        "scope": scope,
        "time_limit_s": time_limit_s,
        "workers": settings.workers,
        "horizon_days": settings.horizon_days,
        "lateness_weight_per_minute": settings.lateness_weight_per_minute,
    }
    MatchingRun.objects.filter(pk=run.pk).update(parameters=parameters)
    run.parameters = parameters


def _apply_under_network_lock(
    *,
    run: MatchingRun,
    plan: Plan,
    states: Sequence[OrderState],
    accept: Callable[[Order], bool],
    origin: datetime,
    settings: MatchingSettings,
    reason: str,
) -> list[int] | None:
    """In one short transaction holding the network lock: the plan, re-validated against the network as
    committed now, applied to the orders still accepted. Returns the ids of the orders written; None when
    another run planned them all meanwhile; raises NetworkChanged when the plan no longer fits."""
    with transaction.atomic():
        network_lock()
        live = [s for s in states if accept(Order.objects.select_for_update().get(pk=s.order.pk))]
        if not live:
            return None
        fresh = problem_for_states(states, origin, settings)
        rebuilt, violations = revalidate(fresh, plan)
        if rebuilt is None:
            raise NetworkChanged(violations[0].code)
        return plan_apply(built=fresh, plan=rebuilt, states=live, run=run, reason=reason)


def run_request_replan(*, order_id: int, requested_by, reason: str) -> MatchingRun:
    """A staff member asks for a re-plan of an order: a queued run, picked up by the replan task (through the
    outbox, after commit)."""
    order = Order.objects.get(pk=order_id)
    run = run_create(
        mode=RunMode.REPLAN,
        order_id=order.pk,
        reason=reason or "Re-plan requested by staff",
        requested_by=requested_by,
        parameters={"wide": True},
    )
    outbox_enqueue(
        task_name=REPLAN_ORDER_TASK,
        kwargs={"order_id": order.pk, "reason": run.reason, "run_id": run.pk, "wide": True},
        dedup_key=f"matching_run:{run.pk}:replan",
    )
    return run
