"""Large-neighbourhood search around an incumbent plan: free a few orders (or jobs, machines, a time window),
hold the rest, re-solve the small CP-SAT model with the incumbent as hint, keep improvements.

Two ways of holding the rest:
- `pin`: operations outside the neighbourhood become constants (fixed intervals) — the model only contains the
  neighbourhood, so it stays small at marketplace scale;
- `sequence`: they keep their resource and their order on it but may shift in time — stronger for makespan,
  where freeing one job must let the whole machine sequence slide left.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace

from .assemble import carrier_choice, plan_moved
from .cpsat_model import MatchingModel, ModelOptions, Pin
from .cpsat_run import FAST_PRESOLVE, RunResult, run_model
from .domain import CPU_CLOCK, FEASIBLE, Limits, Plan, gap_closed
from .indexing import ProblemIndex
from .reinsert import Reinsertion
from .second_process import MIN_REMAINING_S, Partner, fork_partner
from .shortlist import placement_prices, shortlist


@dataclass
class LnsStats:
    iterations: int = 0
    improvements: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # neighbourhood -> [tried, improved]
    from_second_process: int = 0  # better plans the second process handed over (second_process.py)


# The roulette over neighbourhood kinds (marketplace LNS): a kind's yield is its gain over its seconds, both
# forgetting at the rate of YIELD_MEMORY_S of that kind's own time (a solver step takes 0.3 s, a ruin and recreate
# 5 ms: hundreds of the latter, a few of the former), and every kind keeps YIELD_FLOOR of the best kind's yield, a
# share of the time that lets one that stopped paying come back when the plan changes. Before, each step moved a
# kind's yield 30 % of the way to that step's own gain per second, and the floor was 10 % of the best such figure:
# after a few failed steps the ruin-and-recreate kinds read near nothing, one lucky step set a high floor, and on
# 400 orders / 25 suppliers the five solver kinds took 38 of 55 s for 5 % of the gain (60 s CPU clock, measured).
YIELD_MEMORY_S = 2.0
YIELD_FLOOR = 0.05
STEP_MEMORY = 0.3  # how far each step moves a kind's recent seconds per step towards its own
# Ruin and recreate takes out one to this many orders at a time: on 400 orders / 25 suppliers, in 30 s of CPU
# from the greedy plan (43.65 M), random sets of one to three reached 38.02 M and one to six 37.89 M, after 7.5 s
# 38.43 / 38.49 M (measured; the old search's 10-minute plan cost 40.26 M).
RECREATE_MAX_ORDERS = 5
# Candidates per step a reinsertion looks at, the most promising given where the plan has its neighbours: in 15 s
# of CPU from the greedy plan, 1,000 orders / 80 suppliers (34 candidates a step) reached 85.0 / 84.3 / 85.0 /
# 88.6 M with 6 / 10 / 16 / all; 400 / 25 (about 11) 38.41 / 38.35 / 38.29 M with 6 / 8 / all (measured).
RECREATE_CANDIDATES = 10
# A span step takes out every order whose first step starts within a stretch of time holding this share of
# the orders (drawn between the two): where orders queue for the same machines, a few at a time can only trade
# places pairwise. 60 s on 400 orders / 25 suppliers, seeds 0 / 1 / 2, with the displacing kind beside it: 37.06 /
# 33.72 / 40.15 M against 37.19 / 33.90 / 40.50 M without either (measured).
SPAN_SHARE = (0.02, 0.06)
# Turns of placing every order afresh before the search (Reinsertion.construct), each in the order the last one
# started them: on 400 / 25 the first turn reached 37.87 M from the dispatch's 43.65 M, the second 37.68 M, a third
# nothing (measured)
CONSTRUCT_TURNS = 2
# Ruin and recreate in a second process beside the search (second_process.py), when the search has two workers
SECOND_PROCESS = True

# A makespan LNS step's limit in CP-SAT's deterministic time (see max_sub_work): about what 0.5 s of a quiet core
# gives, the wall limit it replaces (neighbourhoods of 30 operations on Mk10 that closed took 0.003-0.06, measured).
MAKESPAN_STEP_WORK = 0.05
# Without the LP relaxation: a step's LP was re-solved about 1,500 times in its 0.05 of work and tells a
# disjunctive makespan little; without it Mk10 took 68 steps instead of 60 in 20 CPU s (single thread, from the
# greedy plan: 206 against 210, measured)
MAKESPAN_STEP_PARAMS = {**FAST_PRESOLVE, "linearization_level": 0}
# After each stalled turn the next starts from neighbourhoods this much larger, with this much more work a step
# (at most MAKESPAN_MAX_ESCALATION times): a turn restarted at the same size met the same local optimum (Mk06 sat at
# 59 through two more turns of 27 steps each, measured)
MAKESPAN_ESCALATE_SIZE = 1.5
MAKESPAN_ESCALATE_WORK = 2.0
MAKESPAN_MAX_ESCALATION = 3

LNS_MODEL_OPTIONS = ModelOptions(redundant="none")  # neighbourhoods are small; the cumulatives cost more

Neighbourhood = Callable[[random.Random, int], set[str]]  # (rng, size in operations) -> operations to free
# ruin and recreate's kinds: (rng, unused) -> (operations to free, the order to put back first or None)
RecreateKind = Callable[[random.Random, int], tuple[set[str], str | None]]


class LargeNeighbourhoodSearch:
    def __init__(
        self,
        index: ProblemIndex,
        incumbent: Plan,
        *,
        horizon: int,
        limits: Limits,
        started: float,
        hold: str = "pin",
        options: ModelOptions = LNS_MODEL_OPTIONS,
        start_size: int = 30,
        max_sub_time_s: float = 2.0,
        max_sub_work: float | None = None,
        max_candidates: int | None = None,
        stall_s: float | None = None,
        solver_params: dict | None = FAST_PRESOLVE,
        makespan_tiebreak: bool = True,
    ) -> None:
        self.index = index
        self.problem = index.problem
        self.incumbent = incumbent
        self.horizon = horizon
        self.limits = limits
        self.clock = limits.timer  # deadlines, steps' limits and reported times (wall, or CPU for benchmarks)
        self.started = started
        self.hold = hold
        self.options = options
        self.start_size = self.size = float(start_size)
        self.max_sub_time_s = max_sub_time_s
        # with a work limit, a solver step stops after that much of CP-SAT's deterministic time instead of after
        # max_sub_time_s of wall time: a step does the same search whatever share of a core it gets, so a loaded
        # machine slows the search down without shrinking every neighbourhood to nothing
        self.max_sub_work = max_sub_work
        self.max_candidates = max_candidates  # per freed operation, in `pin` mode (None: all)
        self.stall_s = stall_s  # leave a neighbourhood once it stops improving (no proof needed)
        self.solver_params = solver_params
        self.makespan_tiebreak = makespan_tiebreak
        self.stats = LnsStats()
        self._lock = threading.Lock()
        self._stall_s: float | None = None
        self._stall_clock: Callable[[], float] = time.perf_counter
        self._last_improvement = time.perf_counter()
        self._progress: deque[tuple[float, float]] = deque()  # improvements not yet reported to on_progress
        self._caller = threading.current_thread()
        self.free_ops = [op.id for op in self.problem.operations if op.fixed is None]
        self.free_orders = sorted({self.index.ops[o].order_id for o in self.free_ops})
        self._free_op_set, self._free_order_set = set(self.free_ops), set(self.free_orders)
        self._bookings_cache: dict[str, list] = {}
        self._recreate_lock = threading.Lock()
        self._excess_cache: tuple[Plan, dict[str, float]] | None = None
        self._ops_per_order = max(1, round(len(self.free_ops) / max(1, len(self.free_orders))))
        self._cheapest_production = [  # (free operation, its order, its cheapest production)
            (o, self.index.ops[o].order_id, min(c.cost_minor for c in self.index.ops[o].candidates))
            for o in self.free_ops
        ]
        self._bookings_of: Plan | None = None
        self.partner: Partner | None = None  # the second process's side, while it runs (second_process.py)
        self.neighbourhoods: list[Neighbourhood | RecreateKind] = [
            self._random_orders,
            self._costly_orders,
            self._resource_window,
        ]
        if hold == "sequence":
            self.neighbourhoods += [self._time_window, self._machines]
        # what binds in a marketplace: late orders and the ones they queue behind, a site's outbound legs
        self.adaptive = hold == "pin" and not self.problem.weights.makespan_only
        if self.adaptive:
            self.neighbourhoods += [self._late_orders, self._site_outbound]
        # ruin and recreate: a few orders out and back in at their best places, no solver (reinsert.py)
        self.reinsertion = (
            Reinsertion(index, horizon, candidates=RECREATE_CANDIDATES)
            if self.adaptive and Reinsertion.applies(index)
            else None
        )
        self._recreate_kinds: list[RecreateKind] = []
        if self.reinsertion is not None and self.reinsertion.routes:
            self._recreate_kinds = [
                self._recreate_random,
                self._recreate_costly,
                self._recreate_late,
                self._recreate_window,
                self._recreate_site,
                self._recreate_displace,
                self._recreate_span,
            ]
            self.neighbourhoods += self._recreate_kinds
        if self.problem.weights.makespan_only:
            # the critical block (a stretch of the critical path and what runs beside it on the machines it could
            # use) improved more often than any other kind; in place of the second critical-path turn it gave
            # 203/208 against 206/209 on Mk10 (single thread, 20 CPU s from the greedy plan, seeds 1/2, measured)
            self.neighbourhoods = [
                self._critical_path,
                self._critical_block,
                self._time_window,
                self._random_orders,
            ]
        self._yield = {kind.__name__: 1.0 for kind in self.neighbourhoods}  # recent gain per second, per kind
        # its recent gain and seconds, forgetting (see _record)
        self._gain = {kind.__name__: 0.0 for kind in self.neighbourhoods}
        self._seconds = {kind.__name__: 0.0 for kind in self.neighbourhoods}
        self._step_s = {
            kind.__name__: 0.1 for kind in self.neighbourhoods
        }  # recent seconds per step, per kind

    # ---------------------------------------------------------------------------------------------- loop

    def run(
        self,
        deadline: float,
        stop_at: float | None = None,
        threads: int = 1,
        stall_s: float | None = None,
        stall_clock: Callable[[], float] = time.perf_counter,
    ) -> Plan:
        """Improve until `deadline` (a time on the limits' clock), until the objective reaches `stop_at`, or (with
        `stall_s`) until no neighbourhood has improved the incumbent for that long on `stall_clock`.

        With several threads each runs its own neighbourhoods on one CP-SAT worker and they share the incumbent
        (CP-SAT releases the GIL while it searches, so the threads use separate cores); with ruin and recreate
        among the kinds, one thread whose solver steps get the other workers, and a forked second process running
        ruin and recreate on the core it leaves (second_process.py), the two handing each other better plans.
        """
        self._stall_s, self._stall_clock = stall_s, stall_clock
        self._last_improvement = stall_clock()
        if self._recreate_kinds:
            self._construct(deadline)
        if self._recreate_kinds and threads > 1:
            # ruin and recreate is pure Python and holds the interpreter, so a second search thread only takes
            # turns with it: one thread, whose solver steps get every worker, reached better plans than one
            # ruin-and-recreate thread beside one solver thread in three of three side-by-side runs (400 orders /
            # 25 suppliers, 30-60 s, loaded machine). A second process does use the other core.
            workers, threads = threads, 1
            if SECOND_PROCESS and deadline - self.clock() >= MIN_REMAINING_S:
                self.partner = fork_partner(self, stop_at)
            if self.partner is not None:
                workers -= 1  # the solver steps leave the second process its core
                if self.limits.clock == CPU_CLOCK:  # the budget counts the second process's CPU too
                    own, partner = self.clock, self.partner
                    self.clock = lambda: own() + partner.cpu_s / self.limits.workers
        else:
            workers = self.limits.workers
        if threads <= 1:
            try:
                self._loop(deadline, stop_at, random.Random(self.limits.seed), workers)
            finally:
                if self.partner is not None:
                    self.partner.finish(self)
                    self.stats.from_second_process = self.partner.plans_taken
            self._report_progress()
            return self.incumbent
        pool = [
            threading.Thread(
                target=self._loop,
                args=(deadline, stop_at, random.Random(self.limits.seed + 7919 * i), 1),
            )
            for i in range(threads)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            while thread.is_alive():
                thread.join(0.2)
                self._report_progress()  # from the caller's thread: callers may write to a database
        self._report_progress()
        return self.incumbent

    def _construct(self, deadline: float) -> None:
        """Every order placed afresh at its cheapest place, in the order the plan starts them
        (Reinsertion.construct), while that makes the plan cheaper: the dispatch places work by time alone, and
        on 1,000 orders / 80 suppliers ruin and recreate from it had not reached in 60 s what this builds in 10."""
        assert self.reinsertion is not None
        for _ in range(CONSTRUCT_TURNS):
            with self._recreate_lock:
                built = self.reinsertion.construct(self.incumbent, lambda: self.clock() > deadline)
            if built is None or (built.objective or 0) >= (self.incumbent.objective or 0):
                return
            self.incumbent = built
            self.stats.improvements += 1
            self._progress.append((self.clock() - self.started, float(built.objective or 0)))
            self._report_progress()

    def adopt(self, plan: Plan) -> bool:
        """Take a plan found elsewhere (the second process) when it is better than the incumbent."""
        with self._lock:
            if self._key(plan, self.incumbent) >= self._key(self.incumbent, self.incumbent):
                return False
            self.incumbent = plan
            self.stats.improvements += 1
            self._last_improvement = self._stall_clock()
            self._progress.append((self.clock() - self.started, float(plan.objective or 0)))
        if threading.current_thread() is self._caller:
            self._report_progress()
        return True

    def _report_progress(self) -> None:
        if self.limits.on_progress is None:
            self._progress.clear()
            return
        while self._progress:
            elapsed, objective = self._progress.popleft()
            self.limits.on_progress(elapsed, objective, math.nan)

    def _loop(
        self,
        deadline: float,
        stop_at: float | None,
        rng: random.Random,
        workers: int,
    ) -> None:
        size = float(self.start_size)
        iteration = 0
        while True:
            if self.partner is not None and not self.partner.exchange(self):
                if self.partner.pid is None:
                    return  # (the second process) the search is over
                self.partner.finish(self)  # (the first) the second process is gone: go on alone
                self.stats.from_second_process, self.partner = self.partner.plans_taken, None
            remaining = deadline - self.clock()
            if remaining < 0.05 or not self.free_ops:
                return
            plan = self.incumbent
            if gap_closed(plan.objective, stop_at):
                return
            if self._stall_s is not None and self._stall_clock() - self._last_improvement > self._stall_s:
                return
            kind = self._pick(rng, iteration)
            iteration += 1
            recreate = kind in self._recreate_kinds
            lead = None
            if recreate:
                chosen, lead = kind(rng, 0)
            else:
                chosen = kind(rng, max(2, round(size)))
            if not chosen:
                continue
            budget = remaining if self.max_sub_work is not None else min(remaining, self.max_sub_time_s)
            if recreate:
                result = self._recreate(plan, chosen, rng, lead)
            else:
                result = self._solve_neighbourhood(plan, chosen, budget, rng.randrange(1 << 30), workers, rng)
            with self._lock:
                self.stats.iterations += 1
                tally = self.stats.by_kind.setdefault(kind.__name__, [0, 0])
                tally[0] += 1
                current = self.incumbent
                gain = 0.0
                if result.plan is not None:
                    gain = max(0.0, float((plan.objective or 0) - (result.plan.objective or 0)))
                self._record(kind.__name__, gain, max(0.001, result.seconds), first=tally[0] == 1)
                answer = result.plan
                if answer is not None and current is not plan and gain > 0:
                    # another thread improved the plan meanwhile: carry this neighbourhood's change over to it
                    answer = self._graft(current, answer, chosen) or answer
                if answer is not None and self._key(answer, current) < self._key(current, current):
                    self.incumbent = answer
                    if self.partner is not None:
                        self.partner.moved(self.index.ops[o].order_id for o in chosen)
                    self.stats.improvements += 1
                    self._last_improvement = self._stall_clock()
                    tally[1] += 1
                    self._progress.append((self.clock() - self.started, float(answer.objective or 0)))
                    if threading.current_thread() is self._caller:
                        self._report_progress()
            if recreate:
                continue
            # grow the neighbourhood while CP-SAT closes it (solves or refutes it) easily, shrink it when it cannot
            closed = result.status in ("optimal", "infeasible")
            if closed and self._easy(result, budget):
                size = min(size * 1.15, len(self.free_ops))
            elif not closed:
                size = max(4.0, size / 1.15)
            self.size = size

    def _record(self, name: str, gain: float, seconds: float, *, first: bool) -> None:
        """A step of kind `name` gained this much in this many seconds (on the limits' clock): its yield is its
        gain over its seconds, forgetting at the rate of YIELD_MEMORY_S of its own time. A kind's first step sets
        its figures."""
        keep = 0.0 if first else math.exp(-seconds / YIELD_MEMORY_S)
        self._gain[name] = keep * self._gain[name] + gain
        self._seconds[name] = keep * self._seconds[name] + seconds
        self._yield[name] = self._gain[name] / self._seconds[name]
        memory = 1.0 if first else STEP_MEMORY
        self._step_s[name] = (1 - memory) * self._step_s[name] + memory * seconds

    def _easy(self, result: RunResult, budget: float) -> bool:
        """The step closed its neighbourhood in less than half its limit (of work when it has one)."""
        if self.max_sub_work is not None:
            return result.work < 0.5 * self.max_sub_work
        return result.seconds < 0.5 * budget

    def _graft(self, current: Plan, answer: Plan, chosen: set[str]) -> Plan | None:
        """`current` with the chosen operations placed as in `answer` (solved from an older incumbent), or None
        when that does not fit: a grafted operation overlaps current work beyond its resource's capacity, or a
        precedence crosses the neighbourhood's edge. Only whole orders are freed in `pin` mode, so everything
        else the answer decided (legs, completions) belongs to the grafted orders."""
        if self.hold != "pin":
            return None
        index = self.index
        for op_id in chosen:
            if any(p not in chosen for p in index.ops[op_id].predecessors) or any(
                s not in chosen for s in index.successors[op_id]
            ):
                return None
        bookings = self._bookings_in(current)
        for op_id in chosen:
            mine = answer.assignments[op_id]
            capacity = index.resources[mine.resource_id].capacity
            overlapping = [
                (max(a.start, mine.start), min(a.end, mine.end))
                for a in bookings.get(mine.resource_id, ())
                if a.start < mine.end and mine.start < a.end and a.operation_id not in chosen
            ]
            overlapping += [
                (max(answer.assignments[o].start, mine.start), min(answer.assignments[o].end, mine.end))
                for o in chosen
                if o != op_id
                and answer.assignments[o].resource_id == mine.resource_id
                and answer.assignments[o].start < mine.end
                and mine.start < answer.assignments[o].end
            ]
            if _peak_load(overlapping) >= capacity:
                return None
        moved = {o: (answer.assignments[o].resource_id, answer.assignments[o].start) for o in chosen}
        carriers = carrier_choice(leg for leg in answer.legs if leg.from_operation in chosen)
        return plan_moved(index, current, moved, carriers, method=answer.method)

    def _bookings_in(self, plan: Plan) -> dict[str, list]:
        if plan is self.incumbent:
            return self._bookings
        grouped: dict[str, list] = defaultdict(list)
        for a in plan.assignments.values():
            grouped[a.resource_id].append(a)
        return grouped

    def _pick(self, rng: random.Random, iteration: int) -> Neighbourhood:
        """Round robin, or (marketplace) a roulette over the kinds by their recent gain per second, each kept
        at a floor share so a kind that stopped paying can come back when the plan changes. The shares are of
        time, not of steps: a kind's chance is its share over its recent seconds per step (a solver step takes
        tens of times as long as a ruin-and-recreate step)."""
        kinds = self.neighbourhoods
        if not self.adaptive:
            return kinds[iteration % len(kinds)]
        untried = [kind for kind in kinds if kind.__name__ not in self.stats.by_kind]
        if untried:  # every kind once before the roulette judges it
            return untried[0]
        yields = [self._yield[kind.__name__] for kind in kinds]
        floor = YIELD_FLOOR * max(max(yields), 1e-9)
        weights = [max(y, floor) / self._step_s[kind.__name__] for y, kind in zip(yields, kinds, strict=True)]
        return rng.choices(kinds, weights=weights)[0]

    def _recreate(
        self, plan: Plan, chosen: set[str], rng: random.Random, lead: str | None = None
    ) -> RunResult:
        assert self.reinsertion is not None
        started = self.clock()
        orders = list(dict.fromkeys(self.index.ops[o].order_id for o in chosen))
        with self._recreate_lock:  # its timelines are kept between steps; one thread at a time
            better = self.reinsertion.recreate(plan, orders, rng, lead)
        return RunResult("feasible" if better else "unknown", better, None, self.clock() - started)

    # ruin and recreate: one to RECREATE_MAX_ORDERS orders chosen as the solver neighbourhoods choose them
    def _recreate_size(self, rng: random.Random) -> int:
        return 1 + (rng.randint(1, RECREATE_MAX_ORDERS) - 1) * self._ops_per_order

    def _recreate_random(self, rng: random.Random, _: int) -> tuple[set[str], None]:
        return self._random_orders(rng, self._recreate_size(rng)), None

    def _recreate_costly(self, rng: random.Random, _: int) -> tuple[set[str], None]:
        return self._costly_orders(rng, self._recreate_size(rng)), None

    def _recreate_late(self, rng: random.Random, _: int) -> tuple[set[str], None]:
        return self._late_orders(rng, self._recreate_size(rng)), None

    def _recreate_window(self, rng: random.Random, _: int) -> tuple[set[str], None]:
        return self._resource_window(rng, self._recreate_size(rng)), None

    def _recreate_site(self, rng: random.Random, _: int) -> tuple[set[str], None]:
        return self._site_outbound(rng, self._recreate_size(rng)), None

    def _recreate_span(self, rng: random.Random, _: int) -> tuple[set[str], str | None]:
        """Every order whose first step starts within a stretch of time holding a few per cent of the orders."""
        plan, index = self.incumbent, self.index
        firsts = sorted(
            (min(plan.assignments[o].start for o in index.ops_of_order[order_id]), order_id)
            for order_id in self.free_orders
        )
        count = max(2, round(len(firsts) * rng.uniform(*SPAN_SHARE)))
        at = rng.randrange(max(1, len(firsts) - count + 1))
        orders = [order_id for _, order_id in firsts[at : at + count]]
        return self._ops_of_orders(orders, len(orders) * self._ops_per_order), None

    def _recreate_displace(self, rng: random.Random, _: int) -> tuple[set[str], str | None]:
        """A costly order and the orders booked, near its time, on a resource where one of its steps would cost
        less (production and the cheapest legs to its neighbours' sites): the orders it would have to displace.
        The costly order goes back first, so it may take their place and they find others."""
        plan, index = self.incumbent, self.index
        excess = self._excess_of(plan)
        orders = self.free_orders
        pivot = rng.choices(orders, weights=[excess[o] + 1.0 for o in orders])[0]
        moves: list[tuple[float, str, str]] = []  # (saving, operation, resource)
        for op_id in index.ops_of_order[pivot]:
            mine = plan.assignments[op_id]
            prices = placement_prices(index, plan, op_id)
            here = prices[mine.resource_id]
            moves += [(here - price, op_id, r) for r, price in prices.items() if price < here]
        if not moves:
            return self._ops_of_orders([pivot], 1), pivot
        _, op_id, resource_id = rng.choices(moves, weights=[m[0] for m in moves])[0]
        start = plan.assignments[op_id].start
        near = sorted(self._bookings.get(resource_id, ()), key=lambda a: abs(a.start - start))
        wanted = [pivot]
        count = rng.randint(2, RECREATE_MAX_ORDERS)
        for a in near:
            if len(wanted) >= count:
                break
            order_id = index.ops[a.operation_id].order_id
            if order_id not in wanted and order_id in self._free_order_set:
                wanted.append(order_id)
        return self._ops_of_orders(wanted, len(wanted) * self._ops_per_order), pivot

    def _solve_neighbourhood(
        self, plan: Plan, chosen: set[str], budget: float, seed: int, workers: int, rng: random.Random
    ) -> RunResult:
        held = [op_id for op_id in self.free_ops if op_id not in chosen]
        pins: dict[str, Pin] = {}
        restrict: dict[str, Collection[str]] = {}
        sequence: list[tuple[str, str]] = []
        if self.hold == "pin":
            pins = {o: Pin(plan.assignments[o].resource_id, plan.assignments[o].start) for o in held}
            if self.max_candidates:
                restrict = {o: shortlist(self.index, plan, o, self.max_candidates, rng) for o in chosen}
        else:
            restrict = {o: (plan.assignments[o].resource_id,) for o in held}
            by_resource: dict[str, list[str]] = defaultdict(list)
            for o in sorted(held, key=lambda o: (plan.assignments[o].start, plan.assignments[o].end)):
                by_resource[plan.assignments[o].resource_id].append(o)
            for ops in by_resource.values():
                if self.index.resources[plan.assignments[ops[0]].resource_id].capacity == 1:
                    sequence += list(itertools.pairwise(ops))
        options = self.options
        if self.problem.weights.makespan_only:
            if self.makespan_tiebreak:
                options = ModelOptions(
                    options.redundant, options.makespan_lb, plan.objective, _tail_floor(plan)
                )
            else:  # demand a strictly shorter makespan: a neighbourhood without one is refuted quickly
                options = ModelOptions(options.redundant, options.makespan_lb, (plan.objective or 1) - 1)
        mm = MatchingModel(
            self.index,
            horizon=self._horizon_for(plan),
            pins=pins,
            restrict=restrict,
            sequence_arcs=sequence,
            options=options,
            incumbent=plan,
        )
        mm.add_hint(plan)
        return run_model(
            mm,
            time_limit_s=budget,
            clock=self.clock,
            deterministic_limit=self.max_sub_work,
            workers=workers,
            seed=seed,
            method="cp-sat-lns",
            stall_s=self.stall_s,
            extra_params=self.solver_params,
            base=plan,
        )

    def _key(self, plan: Plan, reference: Plan) -> tuple[int, int]:
        """Objective first; for makespan with the tie-break, then the orders' overrun of the reference's tail
        floor (how much work still ends near the end), so equal-makespan plans can still improve."""
        if not (self.makespan_tiebreak and self.problem.weights.makespan_only):
            return plan.objective or 0, 0
        floor = _tail_floor(reference)
        return plan.objective or 0, sum(max(0, done - floor) for done in plan.completion.values())

    def _horizon_for(self, plan: Plan) -> int:
        if self.problem.weights.makespan_only:
            return max(a.end for a in plan.assignments.values())
        return self.horizon

    # ---------------------------------------------------------------------------------------------- neighbourhoods

    def _ops_of_orders(self, orders: list[str], size: int) -> set[str]:
        chosen: set[str] = set()
        for order_id in orders:
            if len(chosen) >= size:
                break
            chosen.update(o for o in self.index.ops_of_order[order_id] if self.index.ops[o].fixed is None)
        return chosen

    def _random_orders(self, rng: random.Random, size: int) -> set[str]:
        orders = list(self.free_orders)
        rng.shuffle(orders)
        return self._ops_of_orders(orders, size)

    def _costly_orders(self, rng: random.Random, size: int) -> set[str]:
        """Orders sampled by what they cost beyond their cheapest possible production, lateness included."""
        excess = self._excess_of(self.incumbent)
        orders = self.free_orders
        keys = {o: rng.random() ** (1.0 / (1.0 + excess[o])) for o in orders}  # weighted, without replacement
        return self._ops_of_orders(heapq.nlargest(size, orders, key=keys.__getitem__), size)

    def _excess_of(self, plan: Plan) -> dict[str, float]:
        """Per order, what it costs beyond its cheapest possible production, lateness included (kept for the
        plan it was computed for: ruin-and-recreate steps ask for it every few milliseconds)."""
        cached = self._excess_cache
        if cached is not None and cached[0] is plan:
            return cached[1]
        problem = self.problem
        weights = problem.weights
        excess: dict[str, float] = defaultdict(float)
        assignments = plan.assignments
        for op_id, order_id, cheapest in self._cheapest_production:
            excess[order_id] += weights.cost * (assignments[op_id].cost_minor - cheapest)
        for leg in plan.legs:
            excess[leg.order_id] += weights.cost * leg.cost_minor
        for order in problem.orders:
            if order.id in plan.completion:
                excess[order.id] += (
                    weights.lateness * order.lateness_weight * max(0, plan.completion[order.id] - order.due)
                )
                if weights.makespan:
                    excess[order.id] += (
                        weights.makespan * plan.completion[order.id] / max(1, len(problem.orders))
                    )
        self._excess_cache = (plan, excess)
        return excess

    def _resource_window(self, rng: random.Random, size: int) -> set[str]:
        """Orders around one booking: the operations nearest in time on the same resource, and their orders."""
        plan = self.incumbent
        pivot = plan.assignments[rng.choice(self.free_ops)]
        near = sorted(
            (a for a in plan.assignments.values() if a.resource_id == pivot.resource_id),
            key=lambda a: abs(a.start - pivot.start),
        )
        orders: list[str] = []
        for a in near:
            order_id = self.index.ops[a.operation_id].order_id
            if order_id not in orders:
                orders.append(order_id)
        others = [o for o in self.free_orders if o not in orders]
        rng.shuffle(others)
        return self._ops_of_orders(orders + others, size)

    def _late_orders(self, rng: random.Random, size: int) -> set[str]:
        """A late order (sampled by what its lateness costs) and the orders booked just before its operations on
        the same resources: the queue it waits in. Random orders when none is late."""
        plan, index = self.incumbent, self.index
        late = {
            o.id: o.lateness_weight * (plan.completion[o.id] - o.due)
            for o in self.problem.orders
            if o.id in plan.completion and plan.completion[o.id] > o.due and o.id in self._free_order_set
        }
        if not late:
            return self._random_orders(rng, size)
        orders = list(late)
        pivot = rng.choices(orders, weights=[late[o] for o in orders])[0]
        wanted = [pivot]
        queue: list[tuple[int, str]] = []
        for op_id in index.ops_of_order[pivot]:
            mine = plan.assignments[op_id]
            for other in self._bookings[mine.resource_id]:
                if other.end <= mine.start and other.operation_id in self._free_op_set:
                    queue.append((mine.start - other.end, index.ops[other.operation_id].order_id))
        queue.sort()
        wanted += [order_id for _, order_id in queue if order_id != pivot]
        return self._ops_of_orders(list(dict.fromkeys(wanted)), size)

    def _site_outbound(self, rng: random.Random, size: int) -> set[str]:
        """Orders whose parts leave one site (sampled by what the legs cost): moving several together can
        regroup the site's work or send it elsewhere."""
        plan = self.incumbent
        by_site: dict[str, list[str]] = defaultdict(list)
        spend: dict[str, float] = defaultdict(float)
        for leg in plan.legs:
            if leg.order_id in self._free_order_set:
                by_site[leg.from_site].append(leg.order_id)
                spend[leg.from_site] += leg.cost_minor
        if not by_site:
            return self._random_orders(rng, size)
        sites = list(by_site)
        site = rng.choices(sites, weights=[spend[s] + 1 for s in sites])[0]
        orders = list(dict.fromkeys(by_site[site]))
        rng.shuffle(orders)
        return self._ops_of_orders(orders, size)

    @property
    def _bookings(self) -> dict[str, list]:
        """The incumbent's assignments per resource (rebuilt when the incumbent changes)."""
        plan = self.incumbent
        if self._bookings_of is not plan:
            grouped: dict[str, list] = defaultdict(list)
            for a in plan.assignments.values():
                grouped[a.resource_id].append(a)
            self._bookings_cache, self._bookings_of = grouped, plan
        return self._bookings_cache

    def critical_path(self, rng: random.Random) -> list[str]:
        """Operations of the incumbent that chain, without idle time, from time zero (or a release) to the
        makespan through routing and machine-sequence predecessors."""
        plan = self.incumbent
        by_resource: dict[str, list[str]] = defaultdict(list)
        for a in sorted(plan.assignments.values(), key=lambda a: a.start):
            by_resource[a.resource_id].append(a.operation_id)
        machine_pred: dict[str, str] = {}
        for ops in by_resource.values():
            for before, after in itertools.pairwise(ops):
                machine_pred[after] = before
        last = max(plan.assignments.values(), key=lambda a: a.end).operation_id
        path = [last]
        while True:
            start = plan.assignments[path[-1]].start
            preds = list(self.index.ops[path[-1]].predecessors)
            if path[-1] in machine_pred:
                preds.append(machine_pred[path[-1]])
            tight = [p for p in preds if plan.assignments[p].end == start]
            if not tight:
                break
            path.append(rng.choice(tight))
        path.reverse()
        return path

    def _critical_path(self, rng: random.Random, size: int) -> set[str]:
        """A stretch of the critical path, the operations next to it in its jobs, and random company."""
        path = [o for o in self.critical_path(rng) if self.index.ops[o].fixed is None]
        if not path:
            return self._random_orders(rng, size)
        length = max(1, min(len(path), size // 3))
        first = rng.randrange(len(path) - length + 1)
        chosen = set(path[first : first + length])
        for op_id in list(chosen):
            chosen.update(p for p in self.index.ops[op_id].predecessors if self.index.ops[p].fixed is None)
            chosen.update(self.index.successors[op_id])
        others = [o for o in self.free_ops if o not in chosen]
        chosen.update(rng.sample(others, min(len(others), max(0, size - len(chosen)))))
        return chosen

    def _critical_block(self, rng: random.Random, size: int) -> set[str]:
        """A stretch of the critical path and the operations running at the same time on the machines those
        critical operations could use: the ones a better plan would have to swap or move."""
        plan = self.incumbent
        path = [o for o in self.critical_path(rng) if self.index.ops[o].fixed is None]
        if not path:
            return self._random_orders(rng, size)
        length = max(1, min(len(path), size // 4))
        first = rng.randrange(len(path) - length + 1)
        chosen = set(path[first : first + length])
        machines = {c.resource_id for o in chosen for c in self.index.ops[o].candidates}
        lo = min(plan.assignments[o].start for o in chosen)
        hi = max(plan.assignments[o].end for o in chosen)
        middle = (lo + hi) / 2
        around = sorted(
            (
                a
                for a in plan.assignments.values()
                if a.resource_id in machines and a.operation_id not in chosen
            ),
            key=lambda a: abs((a.start + a.end) / 2 - middle),
        )
        for a in around:
            if len(chosen) >= size:
                break
            if self.index.ops[a.operation_id].fixed is None:
                chosen.add(a.operation_id)
        return chosen

    def _time_window(self, rng: random.Random, size: int) -> set[str]:
        plan = self.incumbent
        ops = sorted(self.free_ops, key=lambda o: plan.assignments[o].start)
        first = rng.randrange(max(1, len(ops) - size + 1))
        return set(ops[first : first + size])

    def _machines(self, rng: random.Random, size: int) -> set[str]:
        plan = self.incumbent
        by_resource: dict[str, list[str]] = defaultdict(list)
        for o in self.free_ops:
            by_resource[plan.assignments[o].resource_id].append(o)
        resources = list(by_resource)
        rng.shuffle(resources)
        chosen: set[str] = set()
        for r in resources:
            if len(chosen) >= size:
                break
            chosen.update(by_resource[r])
        return chosen


def _peak_load(intervals: list[tuple[int, int]]) -> int:
    """Most intervals open at once (half-open intervals)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    peak = level = 0
    for _, delta in events:
        level += delta
        peak = max(peak, level)
    return peak


def _tail_floor(plan: Plan) -> int:
    """Completions above this count as "near the end": the last 2 % of the makespan (at least one minute)."""
    makespan = plan.makespan
    return makespan - max(1, round(0.02 * makespan))


def improve(
    index: ProblemIndex,
    incumbent: Plan,
    *,
    horizon: int,
    limits: Limits,
    started: float,
    deadline: float,
    hold: str = "pin",
    stop_at: float | None = None,
    threads: int = 1,
    stall_s: float | None = None,
    stall_clock: Callable[[], float] = time.perf_counter,
    escalation: int = 0,
) -> tuple[Plan, LnsStats]:
    """`escalation` (makespan): how many earlier turns of this search stalled. A stall means no neighbourhood of
    the sizes the steps' work can settle holds a better plan: each escalation starts from larger neighbourhoods
    and gives each step more work."""
    if index.problem.weights.makespan_only:
        # demanding a strictly shorter makespan stalls where many jobs end together (Mk08 stuck at the greedy's
        # 529 in a 60 s run); the tail tie-break found 523 there, measured
        level = min(escalation, MAKESPAN_MAX_ESCALATION)
        free = sum(1 for op in index.problem.operations if op.fixed is None)
        settings = {
            "start_size": min(free, round(30 * MAKESPAN_ESCALATE_SIZE**level)),
            "max_sub_work": MAKESPAN_STEP_WORK * MAKESPAN_ESCALATE_WORK**level,
            "makespan_tiebreak": True,
            "solver_params": MAKESPAN_STEP_PARAMS,
        }
    else:
        # marketplace scale: one or two orders at a time, each step among its few most promising candidates;
        # measured on 200 orders x 5 steps / 40 suppliers: all candidates -> presolve alone outlasts the budget
        settings = {"start_size": 5, "max_sub_time_s": 0.5, "max_candidates": 4}
    search = LargeNeighbourhoodSearch(
        index, incumbent, horizon=horizon, limits=limits, started=started, hold=hold, **settings
    )
    plan = search.run(deadline, stop_at=stop_at, threads=threads, stall_s=stall_s, stall_clock=stall_clock)
    return (plan if plan.status == FEASIBLE else replace(plan, status=FEASIBLE)), search.stats
