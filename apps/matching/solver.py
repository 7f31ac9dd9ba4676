"""`solve(problem, limits) -> Plan`: the matcher's single entry point. Pure: no Django, no I/O.

1. Precheck: reasons visible without search (no capable resource, routing cycle, ...) -> an "infeasible" plan.
2. A constructive plan from the greedy dispatcher (milliseconds), so there is always something to return.
3. Then, by size and objective (`Limits.strategy` can force one):
   - makespan-only problems (the FJSP benchmarks): the whole model with the horizon cut to the greedy makespan,
     a load/critical-path lower bound and the greedy plan as hint, until it proves optimality, stalls or has had
     35 % of the time; then LNS that keeps machine sequences outside each neighbourhood, one thread per worker;
   - quotes (at most QUOTE_MAX_FREE_OPS new operations with many candidates): the whole model over each
     operation's QUOTE_SHORTLIST most promising candidates, committed work as holes in the start domains;
   - other small problems (re-plans of a few orders): the whole model, warm-started from the better of the
     caller's hint and the greedy plan;
   - large problems: large-neighbourhood search from the greedy plan, one or two orders at a time.
4. Every returned schedule is explained (see explain.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from .bounds import makespan_lower_bound, objective_lower_bound
from .cpsat_model import MatchingModel, ModelOptions
from .cpsat_run import FAST_PRESOLVE, RunResult, run_model
from .domain import (
    FEASIBLE,
    INFEASIBLE,
    NO_SOLUTION_IN_TIME,
    OPTIMAL,
    SOLVER_PROVED_INFEASIBLE,
    UNKNOWN,
    Infeasible,
    Limits,
    Plan,
    Problem,
    gap_closed,
)
from .explain import explain_plan
from .greedy import best_dispatch
from .indexing import ProblemIndex
from .lns import improve
from .precheck import find_infeasibility
from .shortlist import shortlist
from .validator import validate_plan

MONOLITHIC_MAX_FREE_OPS = 150  # above this the whole model rarely finds a plan in a minute (ARCHITECTURE §8)
QUOTE_MAX_FREE_OPS = 30
QUOTE_SHORTLIST = 4  # candidates per operation in a quote; 4 matched 8 within 0.02 % on the quote benchmark
MAKESPAN_WHOLE_SHARE = 0.35  # most of the time the whole makespan model gets before the LNS takes over...
MAKESPAN_STALL_SHARE = 0.1  # ...less if it finds neither a plan nor a bound for this share of the time


DEFAULT_LIMITS = Limits()


def solve(problem: Problem, limits: Limits = DEFAULT_LIMITS) -> Plan:
    started = time.perf_counter()
    deadline = started + limits.time_limit_s
    # keep time to explain the plan at the end (0.4-0.9 s for 1000 operations x 17 candidates, measured)
    candidates = sum(len(op.candidates) for op in problem.operations if op.fixed is None)
    search_deadline = deadline - min(0.2 * limits.time_limit_s, 0.02 * limits.time_limit_s + 0.0001 * candidates)
    index = ProblemIndex(problem)
    reasons = find_infeasibility(problem, index)
    if reasons:
        return _finish(Plan(INFEASIBLE, reasons=tuple(reasons), method="precheck"), index, limits, started)

    free_ops = sum(1 for op in problem.operations if op.fixed is None)
    report = None
    if limits.on_progress is not None and limits.hint is None:
        on_progress = limits.on_progress

        def report(plan: Plan) -> None:
            on_progress(time.perf_counter() - started, float(plan.objective or 0), math.nan)

    if problem.weights.makespan_only:
        incumbent = best_dispatch(problem, index=index, tries=12, seed=limits.seed, on_better=report)
    elif free_ops <= QUOTE_MAX_FREE_OPS:  # a quote: the hint matters little, latency a lot
        incumbent = best_dispatch(problem, index=index, rules=("slack",), seed=limits.seed, on_better=report)
    else:
        incumbent = best_dispatch(problem, index=index, seed=limits.seed, on_better=report)
    hint = incumbent
    caller_hint = limits.hint if limits.hint is not None and limits.hint.has_schedule else None
    if caller_hint is not None:
        if validate_plan(problem, caller_hint):
            hint = caller_hint  # e.g. the current plan after a machine went down: CP-SAT repairs it
        elif incumbent is None or caller_hint.objective < incumbent.objective:  # type: ignore[operator]
            incumbent = hint = replace(caller_hint, status=FEASIBLE, method="hint")
    if incumbent is not None and limits.on_progress is not None and limits.hint is not None:
        limits.on_progress(time.perf_counter() - started, float(incumbent.objective or 0), math.nan)
    strategy = _strategy(limits.strategy, index)

    if strategy == "greedy" or (incumbent is not None and limits.time_limit_s <= 0):
        plan = incumbent or Plan(UNKNOWN, reasons=(Infeasible(NO_SOLUTION_IN_TIME, detail="greedy found no slot"),))
    elif problem.weights.makespan_only and strategy != "lns":
        plan = _solve_makespan(index, incumbent, limits, started, search_deadline)
    elif strategy == "quote" and incumbent is not None:
        plan = _solve_quote(index, incumbent, limits, started, search_deadline)
    elif strategy == "monolithic" or incumbent is None:
        plan = _solve_whole(index, incumbent, hint, limits, started, search_deadline)
    else:
        horizon = planning_horizon(index, incumbent)
        plan, _ = improve(
            index, incumbent, horizon=horizon, limits=limits, started=started, deadline=search_deadline
        )
        bound = float(objective_lower_bound(index))
        plan = replace(plan, best_bound=bound, gap=_gap(plan.objective, bound))
    return _finish(plan, index, limits, started)


def _strategy(requested: str, index: ProblemIndex) -> str:
    if requested != "auto":
        return requested
    free = [op for op in index.problem.operations if op.fixed is None]
    if len(free) <= QUOTE_MAX_FREE_OPS and any(len(op.candidates) > QUOTE_SHORTLIST for op in free):
        return "quote"
    return "monolithic" if len(free) <= MONOLITHIC_MAX_FREE_OPS else "lns"


def planning_horizon(index: ProblemIndex, incumbent: Plan | None) -> int:
    """A time by which some feasible plan ends, never a hard-coded constant.

    The calendar's end when the caller gives one; otherwise: everything may start once the last release, fixed
    job and closure are over, then run one after another at its longest duration with the longest transport
    between every pair of steps. At least the incumbent's end, so its hint stays feasible.
    """
    problem = index.problem
    if problem.horizon_hint is not None:
        return problem.horizon_hint
    free = [op for op in problem.operations if op.fixed is None]
    settled = max(
        [op.release for op in free]
        + [op.fixed.end for op in problem.operations if op.fixed is not None]
        + [end for r in problem.resources for _, end in r.closed]
        + [0]
    )
    work = sum(index.max_duration(op) for op in free)
    hops = len(index.arcs) + sum(len(s) for s in index.sinks.values())
    horizon = settled + work + hops * index.max_route_duration
    if incumbent is not None:
        horizon = max(horizon, max((a.end for a in incumbent.assignments.values()), default=0))
    return horizon


def _solve_whole(
    index: ProblemIndex,
    incumbent: Plan | None,
    hint: Plan | None,
    limits: Limits,
    started: float,
    deadline: float,
) -> Plan:
    # orders whose work is all fixed take their completion and delivery from the incumbent, not variables
    mm = MatchingModel(index, horizon=planning_horizon(index, incumbent), incumbent=incumbent)
    if hint is not None:
        mm.add_hint(hint)
    result = run_model(
        mm,
        time_limit_s=deadline - time.perf_counter(),
        workers=limits.workers,
        seed=limits.seed,
        relative_gap=limits.relative_gap,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
    )
    return _settle(result, incumbent)


def _solve_quote(index: ProblemIndex, incumbent: Plan, limits: Limits, started: float, deadline: float) -> Plan:
    """A few new operations against committed work, fast: each operation among its QUOTE_SHORTLIST most
    promising candidates, committed work as holes in the start domains. The result is optimal for the shortlist;
    it is reported "feasible" with the problem's own lower bound, because the shortlist may have cut the optimum."""
    restrict = {
        op.id: shortlist(index, incumbent, op.id, QUOTE_SHORTLIST)
        for op in index.problem.operations
        if op.fixed is None
    }
    mm = MatchingModel(index, horizon=planning_horizon(index, incumbent), incumbent=incumbent, restrict=restrict)
    mm.add_hint(incumbent)
    result = run_model(
        mm,
        time_limit_s=deadline - time.perf_counter(),
        workers=limits.workers,
        seed=limits.seed,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
        extra_params=FAST_PRESOLVE,
        method="cp-sat-quote",
    )
    plan = _settle(replace(result, bound=None), incumbent)
    bound = float(objective_lower_bound(index))
    status = OPTIMAL if gap_closed(plan.objective, bound) else FEASIBLE
    return replace(plan, status=status, best_bound=bound, gap=_gap(plan.objective, bound))


def _solve_makespan(
    index: ProblemIndex, incumbent: Plan | None, limits: Limits, started: float, deadline: float
) -> Plan:
    """Whole model first (it proves the easy instances and gives the bound), then, if the gap is still open,
    large-neighbourhood search from its best plan for the rest of the time, one search thread per worker."""
    lower = makespan_lower_bound(index)
    upper = incumbent.makespan if incumbent is not None else None
    horizon = upper if upper is not None else planning_horizon(index, None)
    mm = MatchingModel(
        index,
        horizon=horizon,
        options=ModelOptions(redundant="subset", makespan_lb=lower, makespan_ub=upper),
    )
    if incumbent is not None:
        mm.add_hint(incumbent)
    total = deadline - time.perf_counter()
    whole_model_s = total if limits.strategy == "monolithic" else min(total, max(1.0, MAKESPAN_WHOLE_SHARE * total))
    result = run_model(
        mm,
        time_limit_s=whole_model_s,
        workers=limits.workers,
        seed=limits.seed,
        relative_gap=limits.relative_gap,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
        stall_s=None if limits.strategy == "monolithic" else max(2.0, MAKESPAN_STALL_SHARE * total),
    )
    plan = _settle(result, incumbent)
    if plan.status != FEASIBLE or deadline - time.perf_counter() < 0.5:
        return plan
    bound = result.bound if result.bound is not None else float(lower)
    improved, _ = improve(
        index, plan, horizon=plan.makespan, limits=limits, started=started, deadline=deadline,
        hold="sequence", stop_at=bound, threads=max(1, limits.workers),
    )
    status = OPTIMAL if gap_closed(improved.objective, bound) else FEASIBLE
    return replace(improved, status=status, best_bound=bound, gap=_gap(improved.objective, bound))


def _settle(result: RunResult, incumbent: Plan | None) -> Plan:
    """The solver's plan, or the incumbent when the solver found nothing better (keeping the solver's bound)."""
    if result.status == "infeasible":
        if incumbent is not None:  # cannot happen unless the model is wrong; never drop a valid plan for it
            return replace(incumbent, method=incumbent.method + "+model-infeasible")
        return Plan(INFEASIBLE, reasons=(Infeasible(SOLVER_PROVED_INFEASIBLE, detail="CP-SAT proved no plan"),))
    plan = result.plan
    if plan is None or (incumbent is not None and incumbent.objective < plan.objective):  # type: ignore[operator]
        if incumbent is None:
            return Plan(UNKNOWN, reasons=(Infeasible(NO_SOLUTION_IN_TIME, detail="no plan within the time limit"),))
        bound = result.bound
        status = OPTIMAL if gap_closed(incumbent.objective, bound) else FEASIBLE
        return replace(incumbent, status=status, best_bound=bound, gap=_gap(incumbent.objective, bound))
    return plan


def _gap(objective: int | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, (objective - bound) / max(1, abs(objective)))


def _finish(plan: Plan, index: ProblemIndex, limits: Limits, started: float) -> Plan:
    explanations = explain_plan(index, plan) if limits.explain and plan.has_schedule else {}
    return replace(plan, explanations=explanations, wall_s=time.perf_counter() - started)
