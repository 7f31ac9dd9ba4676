"""Matching runs: created, claimed by a worker, finished or failed; live progress; what they store."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.matching.engine.domain import Plan
from apps.matching.models import MatchingRun, RunMode, RunStatus
from apps.matching.problem import (
    NETWORK_ORDER,
    BuiltProblem,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.5
# A run still "running" this long after it started lost its worker (the task is redelivered): claim it again.
STALE_RUN = timedelta(minutes=10)


def run_create(
    *,
    mode: str,
    order_id: int | None = None,
    reason: str = "",
    requested_by=None,
    parameters: dict | None = None,
) -> MatchingRun:
    return MatchingRun.objects.create(
        mode=mode,
        order_id=order_id,
        reason=reason[:300],
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        parameters=parameters or {},
    )


def run_claim(run_id: int | None, *, mode: str, order_id: int | None, reason: str) -> MatchingRun | None:
    """The queued run `run_id` moved to running (None if another worker has it or it is finished), or a new
    running run when no id is given."""
    now = timezone.now()
    if run_id is None:
        return MatchingRun.objects.create(
            mode=mode, order_id=order_id, reason=reason[:300], status=RunStatus.RUNNING, started_at=now
        )
    claimable = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, started_at__lt=now - STALE_RUN)
    claimed = MatchingRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING, started_at=now
    )
    return MatchingRun.objects.get(pk=run_id) if claimed else None


def run_finish(
    run: MatchingRun,
    *,
    outcome: str,
    built: BuiltProblem | None = None,
    plan: Plan | None = None,
    statistics: dict | None = None,
    note: str = "",
) -> MatchingRun:
    values: dict = {
        "status": RunStatus.DONE,
        "outcome": outcome,
        "finished_at": timezone.now(),
        "statistics": {**(run.statistics or {}), **(statistics or {})},
    }
    if note:
        values["statistics"]["note"] = note
    if plan is not None:
        values.update(
            objective=plan.objective,
            best_bound=_finite(plan.best_bound),
            gap=_finite(plan.gap),
            wall_s=round(plan.wall_s, 4),
            reasons=[
                {"code": r.code, "operations": list(r.operation_ids), "detail": r.detail, "order": r.order_id}
                for r in plan.reasons
            ],
        )
        if built is not None:
            values["explanation"] = explanation_json(built, plan)
            values["statistics"].update(plan_statistics(built, plan))
            values["inputs_hash"] = inputs_hash(built)
    MatchingRun.objects.filter(pk=run.pk).update(**values)
    run.refresh_from_db()
    return run


def run_fail(run: MatchingRun, error: str) -> None:
    MatchingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


class ProgressWriter:
    """The solver's on_progress callback: stores the latest (elapsed, objective, bound) on the run, at most every
    PROGRESS_EVERY_S. CP-SAT may call it from its own thread, whose database connection is a fresh one: the
    tenant schema is set explicitly and that connection is closed after each write."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.schema = connection.schema_name
        self.owner = threading.get_ident()
        self._lock = threading.Lock()
        self._last = -math.inf
        self.calls = 0

    def __call__(self, elapsed: float, objective: float, bound: float) -> None:
        with self._lock:
            self.calls += 1
            now = time.monotonic()
            if now - self._last < PROGRESS_EVERY_S:
                return
            self._last = now
        self.write(elapsed, objective, bound)

    def write(self, elapsed: float, objective: float | None, bound: float | None) -> None:
        foreign = threading.get_ident() != self.owner
        try:
            with schema_context(self.schema):
                MatchingRun.objects.filter(pk=self.run_id).update(
                    progress_elapsed_s=round(elapsed, 3),
                    progress_objective=_finite(objective),
                    progress_bound=_finite(bound),
                    progress_updated_at=timezone.now(),
                )
        except Exception:  # progress is best effort; the run's result is written by the main thread
            logger.exception("Progress of matching run %s not written", self.run_id)
        finally:
            if foreign:
                connection.close()


# --------------------------------------------------------------------------------------------------- reading a plan


def explanation_json(built: BuiltProblem, plan: Plan) -> list[dict]:
    """Per operation of the orders (not the network's bookings): the chosen resource and every candidate's
    verdict, with names and times the back office can show as they are."""
    rows = []
    for op in built.problem.operations:
        if op.order_id == NETWORK_ORDER or op.id not in plan.explanations:
            continue
        explanation = plan.explanations[op.id]
        step = built.steps.get(op.id)
        chosen = built.resources.get(explanation.chosen_resource_id)
        candidates = []
        for verdict in explanation.candidates:
            info = built.resources.get(verdict.resource_id)
            candidates.append(
                {
                    "resource": info.name if info else verdict.resource_id,
                    "owner": info.owner_name if info else "",
                    "verdict": verdict.verdict,
                    "cost_minor": verdict.cost_minor,
                    "finish": _iso(built, verdict.finish),
                    "ready": _iso(built, verdict.ready),
                    "detail": verdict.detail,
                }
            )
        assignment = plan.assignments.get(op.id)
        rows.append(
            {
                "operation": op.id,
                "order": op.order_id,
                "step": step.name if step else op.id,
                "process": op.process,
                "chosen": chosen.name if chosen else explanation.chosen_resource_id,
                "chosen_owner": chosen.owner_name if chosen else "",
                "start": _iso(built, assignment.start) if assignment else None,
                "end": _iso(built, assignment.end) if assignment else None,
                "pinned": op.fixed is not None,
                "candidates": candidates,
            }
        )
    return rows


def _iso(built: BuiltProblem, minutes: int | None) -> str | None:
    if minutes is None or minutes >= 1 << 59:
        return None
    return built.at(minutes).isoformat()


def plan_statistics(built: BuiltProblem, plan: Plan) -> dict:
    problem = built.problem
    own = [op for op in problem.operations if op.order_id != NETWORK_ORDER]
    free = [op for op in own if op.fixed is None]
    return {
        "operations": len(own),
        "free_operations": len(free),
        "committed_bookings": len(problem.operations) - len(own),
        "resources": len(problem.resources),
        "candidates_per_operation": round(sum(len(op.candidates) for op in free) / max(1, len(free)), 2),
        "carrier_options": len(problem.carrier_options),
        "method": plan.method,
        "solver_status": plan.status,
        "production_minor": plan.costs.production,
        "materials_minor": built.plan_materials_minor(plan.assignments),
        "transport_minor": plan.costs.transport,
        "lateness_minor": plan.costs.lateness,
        "origin": built.origin.isoformat(),
    }


def inputs_hash(built: BuiltProblem) -> str:
    """What was asked: the problem (its minutes are relative) and the origin they are relative to."""
    digest = hashlib.sha256(repr(built.problem).encode())
    digest.update(built.origin.isoformat().encode())
    return digest.hexdigest()


def runs_prune(*, older_than_days: int = 7) -> int:
    """Quote runs are many and short-lived: keep a week of them. A run still "running" long after any time
    limit lost its worker (the redelivered task started a run of its own): it is marked failed."""
    now = timezone.now()
    MatchingRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=now - 3 * STALE_RUN).update(
        status=RunStatus.FAILED, error="Lost with its worker (the task was delivered again).", finished_at=now
    )
    deleted, _ = MatchingRun.objects.filter(
        mode=RunMode.QUOTE, created_at__lt=now - timedelta(days=older_than_days)
    ).delete()
    return deleted
