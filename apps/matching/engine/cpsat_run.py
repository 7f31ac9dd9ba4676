"""Running one MatchingModel through CP-SAT and turning the answer into a Plan."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from .assemble import assemble_plan
from .cpsat_model import MatchingModel
from .domain import FEASIBLE, OPTIMAL, Plan, ProgressCallback, gap_closed

# For small models solved many times (quotes, LNS steps): probing took ~0.3 s of a 0.4 s quote solve, measured.
FAST_PRESOLVE = {"cp_model_probing_level": 0}
# Quotes (a few free operations, a complete hint): presolve only delays the search. On bench_quote's cheapest
# variant CP-SAT reached the hint after 76 ms of CPU with presolve and 29 ms without, the 7 % cheaper plan after 85
# and 42 ms, and proved it optimal in about the same total; on nine quote_scenario problems it was as good or
# better at 0.12, 0.3 and 2 s in all but one (0.03 % worse at 0.3 s), with less CPU.
QUOTE_PARAMS = {**FAST_PRESOLVE, "cp_model_presolve": False}

# On a clock other than the wall's (Limits.timer with CPU_CLOCK), CP-SAT's own wall limit is this many times the
# budget (plus as many seconds): a guard only, far beyond any load this machine sees.
WALL_GUARD = 50.0


@dataclass(frozen=True, slots=True)
class RunResult:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown"
    plan: Plan | None
    bound: float | None
    seconds: float  # the run's length on its clock (CP-SAT's wall time on the wall clock)
    work: float = 0.0  # CP-SAT's deterministic time: the search's effort whatever share of a core it got


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        on_progress: ProgressCallback | None,
        started: float,
        clock: Callable[[], float],
        elapsed_clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__()
        self._on_progress, self._started, self.clock = on_progress, started, clock
        self._elapsed_clock = elapsed_clock
        self.last_event = clock()
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.last_event = self.clock()
        self.solutions += 1
        if self._on_progress is not None:
            self._on_progress(
                self._elapsed_clock() - self._started, self.objective_value, self.best_objective_bound
            )

    def on_bound(self, _bound: float) -> None:
        self.last_event = self.clock()


def _watch(
    solver: cp_model.CpSolver,
    progress: _Progress | None,
    stall_s: float | None,
    clock: Callable[[], float],
    deadline: float | None,
    done: threading.Event,
) -> None:
    """Stop the search once `clock` passes `deadline`, or once, after a first solution, neither a better
    solution nor a better bound has come for `stall_s` seconds of the progress's clock (presolve time does not
    count)."""
    period = min(0.05, stall_s / 2) if stall_s is not None else 0.02
    while not done.wait(period):
        if deadline is not None and clock() >= deadline:
            solver.stop_search()
            return
        if (
            stall_s is not None
            and progress is not None
            and progress.solutions
            and progress.clock() - progress.last_event > stall_s
        ):
            solver.stop_search()
            return


def run_model(
    mm: MatchingModel,
    *,
    time_limit_s: float,
    workers: int,
    seed: int,
    relative_gap: float | None = None,
    on_progress: ProgressCallback | None = None,
    started: float | None = None,
    log: bool = False,
    deterministic_limit: float | None = None,
    extra_params: dict | None = None,
    method: str = "cp-sat",
    stall_s: float | None = None,
    stall_on_solutions: bool = False,
    stall_clock: Callable[[], float] = time.perf_counter,
    base: Plan | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> RunResult:
    """`stall_s`: give up early when the search has found neither a solution nor a bound for that long (with
    `stall_on_solutions`, a better bound does not count: the caller wants a plan, not its proof), measured by
    `stall_clock` (wall time by default; the solver passes Limits.stall_timer, which a loaded machine does not
    stretch);
    `base`: a plan most of whose operations the model holds (an LNS incumbent), re-assembled only where it moved;
    `clock`: what `time_limit_s` and `started` count (Limits.timer). CP-SAT keeps the wall clock's limit itself;
    on any other clock a thread stops it, and CP-SAT's own limit is only a guard against a clock that stalls."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    on_wall = clock is time.perf_counter
    limit = max(0.01, time_limit_s)
    params.max_time_in_seconds = limit if on_wall else WALL_GUARD * limit + WALL_GUARD
    params.num_workers = max(1, workers)
    params.random_seed = seed
    params.log_search_progress = log
    if deterministic_limit is not None:
        params.max_deterministic_time = deterministic_limit
    if relative_gap is not None:
        params.relative_gap_limit = relative_gap
    for name, value in (extra_params or {}).items():
        if isinstance(value, list | tuple):
            getattr(params, name).extend(value)  # repeated fields (e.g. ignore_subsolvers)
        else:
            setattr(params, name, value)
    callback = (
        _Progress(on_progress, clock() if started is None else started, stall_clock, clock)
        if on_progress or stall_s
        else None
    )
    done = threading.Event()
    deadline = None if on_wall else clock() + limit
    if stall_s is not None and callback is not None and not stall_on_solutions:
        solver.best_bound_callback = callback.on_bound
    if deadline is not None or (stall_s is not None and callback is not None):
        threading.Thread(
            target=_watch, args=(solver, callback, stall_s, clock, deadline, done), daemon=True
        ).start()
    run_started = clock()
    try:
        code = solver.solve(mm.model, callback)
    finally:
        done.set()
    wall, work = (solver.wall_time if on_wall else clock() - run_started), solver.deterministic_time
    if code == cp_model.MODEL_INVALID:  # a bug in the model builder, never the caller's data: say so loudly
        raise RuntimeError(f"CP-SAT rejected the model: {mm.model.validate()}")
    if code == cp_model.INFEASIBLE:
        return RunResult("infeasible", None, None, wall, work)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RunResult("unknown", None, None, wall, work)
    bound = solver.best_objective_bound
    # with the makespan tie-break the model's objective is the makespan scaled up plus the tails (objective.py):
    # its bound says nothing of a plan's makespan, so the plan gets none
    plan_bound = bound if mm.options.tail_floor is None else None
    plan = assemble_plan(
        mm.index,
        mm.schedule_from(solver),
        carrier_choice=mm.carriers_from(solver),
        method=method,
        best_bound=plan_bound,
        base=base,
    )
    # a relative-gap stop also reports OPTIMAL; only a closed gap is optimal here, judged in the model's own
    # units (comparing a plan's makespan with a tie-break model's scaled bound called every such step optimal)
    status = OPTIMAL if gap_closed(solver.objective_value, bound) else FEASIBLE
    return RunResult(status, replace(plan, status=status), plan_bound, wall, work)
