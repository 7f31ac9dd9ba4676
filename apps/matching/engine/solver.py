"""`solve(problem, limits) -> Plan`: the matcher's single entry point. Pure: no Django, no I/O.

1. Precheck: reasons visible without search (no capable resource, routing cycle, ...) -> an "infeasible" plan.
2. A constructive plan from the greedy dispatcher (milliseconds), so there is always something to return.
3. Then, by size and objective (`Limits.strategy` can force one):
   - makespan-only problems (the FJSP benchmarks): the whole model (horizon cut to the best makespan, a
     load/critical-path lower bound, the best plan as hint) and an LNS that keeps machine sequences outside each
     neighbourhood take turns, each until it stalls (the whole model's first turn short, each LNS turn after a
     stall with larger neighbourhoods); the last 10 % asks the whole model for a shorter makespan than the best
     (a better plan, or the optimality proof);
   - quotes (at most QUOTE_MAX_FREE_OPS new operations with many candidates): the whole model over each
     operation's QUOTE_SHORTLIST most promising candidates, committed work as holes in the start domains;
   - other small problems (re-plans of a few orders): the whole model, warm-started from the better of the
     caller's hint and the greedy plan;
   - large problems: the bound that counts capacity first (capacity_bound.py), then large-neighbourhood search
     from the greedy plan until the deadline or until the plan meets the bound (then it is reported optimal).
4. Every returned schedule is explained (see explain.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from .bounds import makespan_lower_bound, objective_lower_bound
from .capacity_bound import capacity_lower_bound
from .cpsat_model import MatchingModel, ModelOptions
from .cpsat_run import QUOTE_PARAMS, RunResult, run_model
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
from .greedy import MARGINS as GREEDY_MARGINS
from .greedy import best_dispatch
from .indexing import ProblemIndex
from .lns import improve
from .precheck import find_infeasibility
from .shortlist import shortlist
from .validator import validate_plan

# Above this the whole model is left to LNS: at 100 free operations over 8 suppliers it found nothing better
# than the greedy plan in 5 s (presolve alone ate most of it), measured; and at marketplace scale (about 200
# orders over 40 sites) a monolithic model with a literal per pair of sites found no plan in 60 s.
MONOLITHIC_MAX_FREE_OPS = 40
QUOTE_MAX_FREE_OPS = 30
QUOTE_SHORTLIST = 4  # candidates per operation in a quote; 4 matched 8 within 0.02 % on the quote benchmark
# A quote's search stops once no better plan has come for this share of its time (at most QUOTE_STALL_MAX_S):
# on bench_quote's cart (120 ms) the last better plan came about 15 ms of CPU after the hint, while the bound kept
# creeping up to the deadline; on quote_scenario (2 s) better plans came within 0.1 s of each other. Measured in
# CPU seconds when the search has one worker.
QUOTE_STALL_SHARE = 0.25
QUOTE_STALL_MAX_S = 0.5
# The LNS did most of the improving on Mk06, Mk07 and Mk10 in 60 s runs (whole model: 62/143/223 after its
# share; final: 58/140/213) and the whole model on Mk05 and Mk09; 0.25/0.12 was the best of the few splits
# tried (0.35/none, 0.2/none, 0.2/0.08, 0.25/0.12), within run-to-run noise of about ±0.3 points of mean gap
# (wall-clock runs on a loaded machine: far less search than the same seconds on a quiet one).
MAKESPAN_WHOLE_SHARE = 0.25  # the whole model's share of each later turn (unless it proves optimality sooner)
MAKESPAN_STALL_SHARE = 0.12  # an improver that finds nothing for this share of the time hands over
MAKESPAN_PROOF_SHARE = 0.1  # kept at the end to beat the best or prove it optimal
# The whole model's first turn, before any LNS: on Mk10 a quarter of the time there (30 CPU s) took the greedy
# plan from 232 to 219, where the LNS alone reached 219 in 6 CPU s of one thread; with a 5 % first turn Mk10 and
# Mk06 ended at 204 and 58 instead of 208 and 59 (30 s on the CPU clock, measured)
MAKESPAN_FIRST_SHARE = 0.05
# The capacity bound's share of a large problem's time, capped: on 400 orders / 25 suppliers it climbs from
# 27.2 M (capacity-free) to about 30.6 M in 3 s and 31.4 M in 8 s, measured, while the search needs the time.
BOUND_SHARE = 0.05
GREEDY_SHARE = (
    0.1  # large problems start no further dispatch after this share of the time (one plan at least)
)
BOUND_MAX_S = 3.0
# Explaining a plan took 0.33 / 2.54 CPU s on 400 orders / 25 suppliers (21,600 candidates) and 1,000 / 80
# (171,800): 15 µs a candidate, measured. Twice that is kept back: at 100 µs the 1,000-order search stopped at 48 s
# of 60 and the solve returned with a sixth of its CPU budget unspent.
EXPLAIN_S_PER_CANDIDATE = 0.00003


DEFAULT_LIMITS = Limits()


def solve(problem: Problem, limits: Limits = DEFAULT_LIMITS) -> Plan:
    wall_started = time.perf_counter()
    now = limits.timer  # every time below is on the clock `time_limit_s` counts (see Limits.clock)
    started = now()
    deadline = started + limits.time_limit_s
    # keep time to explain the plan at the end
    candidates = sum(len(op.candidates) for op in problem.operations if op.fixed is None)
    search_deadline = deadline - min(
        0.2 * limits.time_limit_s, 0.02 * limits.time_limit_s + EXPLAIN_S_PER_CANDIDATE * candidates
    )
    index = ProblemIndex(problem)
    reasons = find_infeasibility(problem, index)
    if reasons:
        return _finish(
            Plan(INFEASIBLE, reasons=tuple(reasons), method="precheck"), index, limits, wall_started
        )

    free_ops = sum(1 for op in problem.operations if op.fixed is None)
    report = None
    if limits.on_progress is not None and limits.hint is None:
        on_progress = limits.on_progress

        def report(plan: Plan) -> None:
            on_progress(now() - started, float(plan.objective or 0), math.nan)

    if problem.weights.makespan_only:
        incumbent = best_dispatch(problem, index=index, tries=12, seed=limits.seed, on_better=report)
    elif free_ops <= QUOTE_MAX_FREE_OPS:  # a quote: the hint matters little, latency a lot
        incumbent = best_dispatch(problem, index=index, rules=("slack",), seed=limits.seed, on_better=report)
    else:
        # least slack only: on 400 orders / 25 suppliers it gave the best start of the three rules, and ruin and
        # recreate (lns.py) erases the few per cent between rules within seconds; the others cost seconds on
        # 1,000 orders before the search could start
        incumbent = best_dispatch(
            problem,
            index=index,
            rules=("slack",),
            seed=limits.seed,
            margins=GREEDY_MARGINS,
            on_better=report,
            stop_after=started + GREEDY_SHARE * limits.time_limit_s,
            clock=now,
        )
    hint = incumbent
    caller_hint = limits.hint if limits.hint is not None and limits.hint.has_schedule else None
    if caller_hint is not None:
        if validate_plan(problem, caller_hint):
            hint = caller_hint  # e.g. the current plan after a machine went down: CP-SAT repairs it
        elif incumbent is None or caller_hint.objective < incumbent.objective:  # type: ignore[operator]
            incumbent = hint = replace(caller_hint, status=FEASIBLE, method="hint")
    if incumbent is not None and limits.on_progress is not None and limits.hint is not None:
        limits.on_progress(now() - started, float(incumbent.objective or 0), math.nan)
    strategy = _strategy(limits.strategy, index)

    if strategy == "greedy" or (incumbent is not None and limits.time_limit_s <= 0):
        plan = incumbent or Plan(
            UNKNOWN, reasons=(Infeasible(NO_SOLUTION_IN_TIME, detail="greedy found no slot"),)
        )
    elif strategy == "makespan":
        plan = _solve_makespan(index, incumbent, limits, started, search_deadline)
    elif strategy == "quote" and incumbent is not None:
        plan = _solve_quote(index, incumbent, limits, started, search_deadline)
    elif strategy == "monolithic" or incumbent is None:
        plan = _solve_whole(index, incumbent, hint, limits, started, search_deadline)
    else:
        plan = _solve_large(index, incumbent, limits, started, search_deadline)
    return _finish(plan, index, limits, wall_started)


def _solve_large(
    index: ProblemIndex, incumbent: Plan, limits: Limits, started: float, deadline: float
) -> Plan:
    """The bound that counts capacity first (a share of the time), then LNS until the deadline or until the
    plan meets the bound: then it is optimal, and the rest of the time is not spent."""
    bound_time = min(BOUND_SHARE * limits.time_limit_s, BOUND_MAX_S)
    bound = capacity_lower_bound(
        index, upper=incumbent.objective, time_limit_s=bound_time, clock=limits.timer
    ).value
    plan = incumbent
    if not gap_closed(incumbent.objective, bound):
        horizon = planning_horizon(index, incumbent)
        plan, _ = improve(
            index,
            incumbent,
            horizon=horizon,
            limits=limits,
            started=started,
            deadline=deadline,
            stop_at=bound,
            threads=max(1, limits.workers),
        )
    status = OPTIMAL if gap_closed(plan.objective, bound) else FEASIBLE
    return replace(plan, status=status, best_bound=bound, gap=_gap(plan.objective, bound))


def _strategy(requested: str, index: ProblemIndex) -> str:
    if requested != "auto":
        if requested == "monolithic" and index.problem.weights.makespan_only:
            return "makespan"  # the makespan path honours "monolithic" by never leaving the whole model
        return requested
    if index.problem.weights.makespan_only:
        return "makespan"
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
        time_limit_s=deadline - limits.timer(),
        clock=limits.timer,
        workers=limits.workers,
        seed=limits.seed,
        relative_gap=limits.relative_gap,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
    )
    return _settle(result, incumbent)


def _solve_quote(
    index: ProblemIndex, incumbent: Plan, limits: Limits, started: float, deadline: float
) -> Plan:
    """A few new operations against committed work, fast: each operation among its QUOTE_SHORTLIST most
    promising candidates, committed work as holes in the start domains, until the search stalls. The result is
    optimal for the shortlist when the search ran its course; it is reported "feasible" without a bound, because
    the shortlist may have cut the optimum."""
    restrict = {
        op.id: shortlist(index, incumbent, op.id, QUOTE_SHORTLIST)
        for op in index.problem.operations
        if op.fixed is None
    }
    mm = MatchingModel(
        index, horizon=planning_horizon(index, incumbent), incumbent=incumbent, restrict=restrict
    )
    mm.add_hint(incumbent)
    result = run_model(
        mm,
        time_limit_s=deadline - limits.timer(),
        clock=limits.timer,
        workers=limits.workers,
        seed=limits.seed,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
        extra_params=QUOTE_PARAMS,
        method="cp-sat-quote",
        # CPU, not wall: on a loaded machine a quarter of the wall budget is a few ms of search
        stall_s=min(QUOTE_STALL_MAX_S, QUOTE_STALL_SHARE * limits.time_limit_s),
        stall_clock=limits.stall_timer,
        stall_on_solutions=True,  # the bound creeps up for long after the last better plan, and is not reported
    )
    # no bound: the shortlist's is not the problem's, and the search-free one costs a third of a quote's time
    plan = _settle(replace(result, bound=None), incumbent)
    return replace(plan, status=FEASIBLE, best_bound=None, gap=None)


def _solve_makespan(
    index: ProblemIndex, incumbent: Plan | None, limits: Limits, started: float, deadline: float
) -> Plan:
    """A portfolio of two improvers taking turns on the best plan, then a proof attempt.

    The whole model first (it proves the easy instances and gives the bound) for at most MAKESPAN_FIRST_SHARE of
    the time; then our LNS (escalating its neighbourhoods after each stalled turn) and the whole model again (CP-SAT's own neighbourhoods, restarted from the best plan)
    alternate, each until it stalls for MAKESPAN_STALL_SHARE of the time; the last MAKESPAN_PROOF_SHARE asks for
    a shorter makespan than the best. Measured: Mk06, Mk07 and Mk10 improved mostly under our LNS, Mk05 and Mk09
    mostly under the whole model (60 s runs)."""
    lower = makespan_lower_bound(index)
    total = deadline - limits.timer()
    monolithic = limits.strategy == "monolithic"
    best, bound = incumbent, float(lower)
    first_turn, lns_turns = True, 0
    proof_at = deadline - (0 if monolithic else MAKESPAN_PROOF_SHARE * total)
    # a stall is judged in CPU seconds, so a loaded machine does not end every turn after little work
    stall = MAKESPAN_STALL_SHARE * total
    while True:
        remaining = proof_at - limits.timer()
        if remaining < 0.5 or (best is not None and gap_closed(best.objective, bound)):
            break
        turn_share = MAKESPAN_FIRST_SHARE if first_turn else MAKESPAN_WHOLE_SHARE
        share = remaining if monolithic else min(remaining, turn_share * total)
        result = _whole_makespan_model(
            index, best, bound, limits, started, share, stall_s=None if first_turn or monolithic else stall
        )
        first_turn = False
        if result.status == "infeasible":  # nothing shorter than `best` exists below the horizon it was given
            bound = float(best.makespan) if best is not None else bound
            break
        if result.bound is not None:
            bound = max(bound, result.bound)
        if result.plan is not None and (best is None or result.plan.objective < best.objective):  # type: ignore[operator]
            best = result.plan
        if best is None or monolithic or gap_closed(best.objective, bound):
            break
        remaining = proof_at - limits.timer()
        if remaining < 0.5:
            break
        best, _ = improve(
            index,
            best,
            horizon=best.makespan,
            limits=limits,
            started=started,
            deadline=proof_at,
            hold="sequence",
            stop_at=bound,
            threads=max(1, limits.workers),
            stall_s=stall,
            stall_clock=limits.stall_timer,
            escalation=lns_turns,
        )
        lns_turns += 1  # a turn that returns before the proof's time stalled
    if best is None:
        return Plan(
            UNKNOWN, reasons=(Infeasible(NO_SOLUTION_IN_TIME, detail="no plan within the time limit"),)
        )
    if not gap_closed(best.objective, bound) and deadline - limits.timer() > 0.5:
        best, bound = _beat_or_prove(index, best, bound, limits, started, deadline)
    status = OPTIMAL if gap_closed(best.objective, bound) else FEASIBLE
    return replace(best, status=status, best_bound=bound, gap=_gap(best.objective, bound))


def _whole_makespan_model(
    index: ProblemIndex,
    best: Plan | None,
    bound: float,
    limits: Limits,
    started: float,
    time_limit_s: float,
    stall_s: float | None,
) -> RunResult:
    """The whole model with the horizon cut to the best makespan so far (no optimum lies beyond it)."""
    upper = best.makespan if best is not None else None
    horizon = upper if upper is not None else planning_horizon(index, None)
    mm = MatchingModel(
        index,
        horizon=horizon,
        options=ModelOptions(redundant="subset", makespan_lb=int(bound), makespan_ub=upper),
    )
    if best is not None:
        mm.add_hint(best)
    return run_model(
        mm,
        time_limit_s=time_limit_s,
        clock=limits.timer,
        workers=limits.workers,
        seed=limits.seed,
        relative_gap=limits.relative_gap,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
        stall_s=stall_s,
        stall_clock=limits.stall_timer,
    )


def _beat_or_prove(
    index: ProblemIndex, best: Plan, bound: float, limits: Limits, started: float, deadline: float
) -> tuple[Plan, float]:
    """The whole model once more, asked for a makespan strictly below the best: a plan if there is one, else
    (when CP-SAT refutes it in time) the proof that the best is optimal. The bound it reaches holds either way:
    any plan is at least as long as the best, or is one this model covers."""
    target = best.makespan - 1
    mm = MatchingModel(
        index,
        horizon=target,
        options=ModelOptions(redundant="subset", makespan_lb=int(bound), makespan_ub=target),
    )
    mm.add_hint(best)  # infeasible by one minute, still a good guide
    result = run_model(
        mm,
        time_limit_s=deadline - limits.timer(),
        clock=limits.timer,
        workers=limits.workers,
        seed=limits.seed + 1,
        on_progress=limits.on_progress,
        started=started,
        log=limits.log,
    )
    if result.status == "infeasible":
        return best, float(best.makespan)
    if result.plan is not None and result.plan.objective < best.objective:  # type: ignore[operator]
        return result.plan, max(bound, result.bound or bound)
    return best, max(bound, result.bound or bound)


def _settle(result: RunResult, incumbent: Plan | None) -> Plan:
    """The solver's plan, or the incumbent when the solver found nothing better (keeping the solver's bound)."""
    if result.status == "infeasible":
        if incumbent is not None:  # cannot happen unless the model is wrong; never drop a valid plan for it
            return replace(incumbent, method=incumbent.method + "+model-infeasible")
        return Plan(
            INFEASIBLE, reasons=(Infeasible(SOLVER_PROVED_INFEASIBLE, detail="CP-SAT proved no plan"),)
        )
    plan = result.plan
    if plan is None or (incumbent is not None and incumbent.objective < plan.objective):  # type: ignore[operator]
        if incumbent is None:
            return Plan(
                UNKNOWN, reasons=(Infeasible(NO_SOLUTION_IN_TIME, detail="no plan within the time limit"),)
            )
        bound = result.bound
        status = OPTIMAL if gap_closed(incumbent.objective, bound) else FEASIBLE
        return replace(incumbent, status=status, best_bound=bound, gap=_gap(incumbent.objective, bound))
    return plan


def _gap(objective: int | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, (objective - bound) / max(1, abs(objective)))


def _finish(plan: Plan, index: ProblemIndex, limits: Limits, wall_started: float) -> Plan:
    quote = plan.method == "cp-sat-quote"
    if (
        limits.bound
        and plan.has_schedule
        and plan.best_bound is None
        and not index.problem.weights.makespan_only
        and not quote
    ):
        bound = float(objective_lower_bound(index))  # the search gave none: report the search-free one
        plan = replace(plan, best_bound=bound, gap=_gap(plan.objective, bound))
    explanations = explain_plan(index, plan) if limits.explain and plan.has_schedule else {}
    return replace(plan, explanations=explanations, wall_s=time.perf_counter() - wall_started)
