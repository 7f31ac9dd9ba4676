"""MatchingModel: builds the whole formulation in order and reads the chosen schedule back from a solved run."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ortools.sat.python import cp_model

from ..domain import Plan
from ..indexing import ProblemIndex
from .hints import hint_plan
from .objective import build_objective, build_orders
from .operations import build_operations
from .resources import build_redundant_cumulatives, build_resources
from .state import ModelOptions, ModelState, Pin
from .transport import build_arcs

_DEFAULT_OPTIONS = ModelOptions()


class MatchingModel(ModelState):
    def __init__(
        self,
        index: ProblemIndex,
        *,
        horizon: int,
        pins: Mapping[str, Pin] | None = None,
        restrict: Mapping[str, Collection[str]] | None = None,
        sequence_arcs: Sequence[tuple[str, str]] = (),
        options: ModelOptions = _DEFAULT_OPTIONS,
        incumbent: Plan | None = None,
    ) -> None:
        """`pins` hold operations constant; `restrict` narrows an operation to some of its candidates; `sequence_arcs` are
        extra precedences (an incumbent's machine sequence); `incumbent` supplies the constant completion and
        delivery cost of orders whose operations are all pinned, so those orders need no variables."""
        super().__init__(
            index, horizon=horizon, pins=pins, restrict=restrict, options=options, incumbent=incumbent
        )
        build_operations(self)
        build_resources(self)
        build_redundant_cumulatives(self)
        build_arcs(self)
        for pred, succ in sequence_arcs:
            self.model.add(self.ops[succ].start >= self.ops[pred].end)
        build_orders(self)
        build_objective(self)

    def add_hint(self, plan: Plan) -> None:
        """Hint every decision variable from a complete plan (a partial hint is worth much less to CP-SAT)."""
        hint_plan(self, plan)

    def schedule_from(self, solver: cp_model.CpSolver) -> dict[str, tuple[str, int]]:
        schedule = {}
        for op_id, v in self.ops.items():
            if op_id in self.pins:
                pin = self.pins[op_id]
                schedule[op_id] = (pin.resource_id, pin.start)
                continue
            chosen = next(r for r, lit in v.presence.items() if lit is True or solver.boolean_value(lit))
            schedule[op_id] = (chosen, int(solver.value(v.start)))
        return schedule

    def carriers_from(self, solver: cp_model.CpSolver) -> dict[tuple[str, str], str]:
        choice = {}
        for key, arc in self.arcs.items():
            for carrier, lit in arc.carrier.items():
                if solver.boolean_value(lit):
                    choice[key] = carrier
            for lit, _, _, carrier in arc.options:
                if carrier is not None and (lit is True or solver.boolean_value(lit)):
                    choice[key] = carrier
        return choice
