"""Value types of the matching problem and of the plan that answers it.

Pure data: no Django, no OR-Tools. Times are integer minutes from the problem's time origin; money is an integer
amount in the currency's minor unit (the currency itself is the caller's business, one currency per problem).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

Interval = tuple[int, int]  # half-open [start, end) in minutes

DELIVERY: Final = "delivery"  # the `to_operation` of a transport leg that ends at the customer

OPTIMAL: Final = "optimal"
FEASIBLE: Final = "feasible"
INFEASIBLE: Final = "infeasible"
UNKNOWN: Final = "unknown"

WALL_CLOCK: Final = "wall"
CPU_CLOCK: Final = "cpu"

# Why a candidate lost (see explain.py for the precise rules).
CHOSEN: Final = "chosen"
INCAPABLE: Final = "incapable"
CLOSED: Final = "closed"
BUSY: Final = "busy"
DEARER: Final = "dearer"
LATER: Final = "later"
TIE: Final = "tie"

# Infeasibility reason codes.
NO_CAPABLE_RESOURCE: Final = "no_capable_resource"
ROUTING_CYCLE: Final = "routing_cycle"
LONGER_THAN_ANY_OPENING: Final = "longer_than_any_opening"
IMPOSSIBLE_DUE_DATE: Final = "impossible_due_date"
NO_TRANSPORT_ROUTE: Final = "no_transport_route"
FIXED_CONFLICT: Final = "fixed_conflict"
INVALID_REFERENCE: Final = "invalid_reference"
SOLVER_PROVED_INFEASIBLE: Final = "solver_proved_infeasible"
NO_SOLUTION_IN_TIME: Final = "no_solution_in_time"

_EMPTY: Mapping = MappingProxyType({})


# --------------------------------------------------------------------------------------------------- the problem


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resource able to run an operation, with that resource's processing time and price for it."""

    resource_id: str
    duration: int
    cost_minor: int = 0


@dataclass(frozen=True, slots=True)
class Rejection:
    """A resource the problem builder ruled out before solving; `reason` reads "incapable: <why>"."""

    resource_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class FixedAssignment:
    """Work already started (or otherwise frozen): it stays on this resource at exactly these times."""

    resource_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    order_id: str
    process: str
    candidates: tuple[Candidate, ...]
    predecessors: tuple[str, ...] = ()
    release: int = 0
    fixed: FixedAssignment | None = None
    rejections: tuple[Rejection, ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """A machine or work cell. `closed` are the hours it cannot work, already expanded from its calendar."""

    id: str
    site_id: str
    capacity: int = 1
    closed: tuple[Interval, ...] = ()


@dataclass(frozen=True, slots=True)
class CarrierOption:
    """One carrier's offer for moving a part from one site to another (several carriers may serve a pair)."""

    carrier_id: str
    from_site: str
    to_site: str
    duration: int
    cost_minor: int


@dataclass(frozen=True, slots=True)
class Order:
    """`due` is soft (lateness costs `lateness_weight` per minute); `deadline`, when given, is hard.

    `delivery_site` None means the order ends at its last operations (benchmarks, internal work).
    """

    id: str
    due: int
    lateness_weight: int = 0
    delivery_site: str | None = None
    deadline: int | None = None


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective = cost * (production + transport) + lateness * Σ lateness_weight·tardiness + makespan * makespan."""

    cost: int = 1
    lateness: int = 1
    makespan: int = 0

    @property
    def makespan_only(self) -> bool:
        return self.cost == 0 and self.lateness == 0 and self.makespan > 0


@dataclass(frozen=True, slots=True)
class Problem:
    operations: tuple[Operation, ...]
    resources: tuple[Resource, ...]
    carrier_options: tuple[CarrierOption, ...] = ()
    orders: tuple[Order, ...] = ()
    weights: Weights = Weights()
    horizon_hint: int | None = None  # end of the known calendar; nothing may run at or after it
    sites: tuple[Site, ...] = ()


ProgressCallback = Callable[[float, float, float], None]  # (elapsed_s, objective, best_bound)


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard to try. `strategy` is "auto" (picked by problem size), "quote", "monolithic", "lns" or "greedy".

    `on_progress(elapsed_s, objective, bound)` hears of every better plan (bound is NaN when unknown);
    `hint` is a plan to start from (e.g. the current plan for a re-plan; it may be outdated); `bound`: when the
    search gave no bound, compute the search-free one (a tenth of a greedy quote's CPU; quotes record none).

    `clock` says what `time_limit_s` counts: WALL_CLOCK (the product: seconds of wall time, whatever share of the
    cores the search gets) or CPU_CLOCK, the process's CPU seconds over `workers`: what a quiet machine's wall clock
    shows for a search that keeps every worker busy. CPU_CLOCK is for benchmarks (a process solving one problem at
    a time): on a machine shared with others a wall-clock budget buys a share of a core that moves with the load,
    a CPU budget buys the same search whatever the load, so two versions of the engine compare."""

    time_limit_s: float = 10.0
    workers: int = 1
    seed: int = 0
    hint: Plan | None = None
    relative_gap: float | None = None
    on_progress: ProgressCallback | None = None
    explain: bool = True
    strategy: str = "auto"
    log: bool = False
    bound: bool = True
    clock: str = WALL_CLOCK

    @property
    def timer(self) -> Callable[[], float]:
        """Seconds on the clock `time_limit_s` counts (see `clock`); only differences mean anything."""
        return cpu_timer(self.workers) if self.clock == CPU_CLOCK else time.perf_counter

    @property
    def stall_timer(self) -> Callable[[], float]:
        """The clock a search's stall is judged on, whatever clock the budget counts: CPU seconds (cpu_timer), so a
        loaded machine, giving the search a small share of a core, does not end every turn after little work."""
        return cpu_timer(self.workers)


def cpu_timer(workers: int) -> Callable[[], float]:
    """The process's CPU seconds over `workers`: what a quiet machine's wall clock shows for a search keeping
    every worker busy, which a loaded machine does not stretch as it stretches wall time."""
    workers = max(1, workers)
    return lambda: time.process_time() / workers


# --------------------------------------------------------------------------------------------------- the plan


def gap_closed(objective: float | None, bound: float | None) -> bool:
    """Objectives are integers, so a bound of 522.3 already proves 523 optimal."""
    if objective is None or bound is None:
        return False
    return objective <= math.ceil(bound - 1e-9)


@dataclass(frozen=True, slots=True)
class Assignment:
    operation_id: str
    resource_id: str
    start: int
    end: int
    cost_minor: int


@dataclass(frozen=True, slots=True)
class TransportLeg:
    """A part moving between sites. `from_operation` None means it leaves a site without an operation there
    (not produced by the solver today, kept for callers that ship raw material); `to_operation` is an operation
    id or DELIVERY."""

    order_id: str
    from_operation: str | None
    from_site: str
    to_operation: str
    to_site: str
    carrier_id: str
    departure: int
    arrival: int
    cost_minor: int


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Unweighted components; `lateness` is Σ lateness_weight·tardiness in minor units."""

    production: int = 0
    transport: int = 0
    lateness: int = 0


@dataclass(frozen=True, slots=True)
class CandidateVerdict:
    """One candidate as the explanation saw it.

    `cost_minor` is production plus the cheapest transport into and out of the candidate's site given where the
    plan put the neighbouring operations; `ready` is when the operation's output could reach its successors (or
    the customer) using the fastest carriers, with calendars and the plan's other bookings respected
    (None: no room before the horizon).
    """

    resource_id: str
    verdict: str
    cost_minor: int | None = None
    finish: int | None = None
    ready: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    operation_id: str
    chosen_resource_id: str
    candidates: tuple[CandidateVerdict, ...]

    def verdict_for(self, resource_id: str) -> CandidateVerdict:
        return next(c for c in self.candidates if c.resource_id == resource_id)


@dataclass(frozen=True, slots=True)
class Infeasible:
    """Why no plan exists: a reason code, the operations (and order) it concerns, and a sentence for humans."""

    code: str
    operation_ids: tuple[str, ...] = ()
    detail: str = ""
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    status: str
    assignments: Mapping[str, Assignment] = field(default_factory=lambda: _EMPTY)
    legs: tuple[TransportLeg, ...] = ()
    costs: CostBreakdown = CostBreakdown()
    completion: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    objective: int | None = None
    best_bound: float | None = None
    gap: float | None = None
    wall_s: float = 0.0
    explanations: Mapping[str, Explanation] = field(default_factory=lambda: _EMPTY)
    reasons: tuple[Infeasible, ...] = ()
    method: str = ""

    @property
    def has_schedule(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE) and bool(self.assignments)

    @property
    def makespan(self) -> int:
        ends = [a.end for a in self.assignments.values()] + list(self.completion.values())
        return max(ends, default=0)

    def lateness_minutes(self, problem: Problem) -> int:
        due = {o.id: o.due for o in problem.orders}
        return sum(max(0, done - due[oid]) for oid, done in self.completion.items() if oid in due)
