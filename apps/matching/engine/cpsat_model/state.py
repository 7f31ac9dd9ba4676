"""What the model builders share: the caller's inputs, the CP-SAT model and the variables added so far."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..domain import Plan
from ..indexing import ProblemIndex
from ..timeline import Timeline

Literal = cp_model.IntVar | bool
Expr = cp_model.LinearExprT


@dataclass(frozen=True, slots=True)
class Pin:
    """An operation held constant in this model (work already started, or outside an LNS neighbourhood)."""

    resource_id: str
    start: int


@dataclass(frozen=True, slots=True)
class ModelOptions:
    redundant: str = "subset"  # "none" | "identical" | "subset": redundant cumulatives over machine groups
    makespan_lb: int = 0
    makespan_ub: int | None = None
    # under the makespan (lexicographically), minimise Σ max(0, completion - tail_floor) over orders: the LNS's
    # slope on a makespan plateau (fewer and shorter orders at the very end); None: makespan alone
    tail_floor: int | None = None


@dataclass
class OpVars:
    start: Expr
    end: Expr
    duration: Expr
    presence: dict[str, Literal]
    sites: dict[str, Literal]
    main: cp_model.IntervalVar | None = None


@dataclass
class ArcVars:
    carrier: dict[str, Literal] = field(default_factory=dict)  # compact form: carrier -> literal
    cost: Expr = 0
    # pair form: (literal, from site, to site, carrier or None when both ends share the site)
    options: list[tuple[Literal, str, str, str | None]] = field(default_factory=list)


class ModelState:
    """One model under construction; each builder reads the inputs and what earlier builders added."""

    def __init__(
        self,
        index: ProblemIndex,
        *,
        horizon: int,
        pins: Mapping[str, Pin] | None,
        restrict: Mapping[str, Collection[str]] | None,
        options: ModelOptions,
        incumbent: Plan | None,
    ) -> None:
        self.index = index
        self.problem = index.problem
        self.horizon = horizon
        self.options = options
        self.pins: dict[str, Pin] = dict(pins or {})
        for op in self.problem.operations:
            if op.fixed is not None:
                self.pins[op.id] = Pin(op.fixed.resource_id, op.fixed.start)
        self.restrict = restrict or {}
        self.incumbent = incumbent
        self.model = cp_model.CpModel()
        self.ops: dict[str, OpVars] = {}
        self.arcs: dict[tuple[str, str], ArcVars] = {}
        self.completion: dict[str, cp_model.IntVar] = {}
        self.tardiness: dict[str, cp_model.IntVar] = {}
        self.makespan: cp_model.IntVar | None = None
        self.objective_offset = 0
        # resource -> the intervals of free operations that may run on it
        self.resource_intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        # resource -> (start, duration) of the pinned operations on it
        self.pinned_work: dict[str, list[tuple[int, int]]] = defaultdict(list)
        # resource -> its calendar with the pinned work booked (built on first use, single-unit resources only)
        self.busy: dict[str, Timeline] = {}
