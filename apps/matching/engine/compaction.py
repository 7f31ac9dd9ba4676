"""Left shift: every operation as early as its resource, its predecessors and their legs allow, keeping every
choice (resource, carrier, and the order of work on each resource).

The marketplace search holds the work it does not move where it is: ruin and recreate takes a few orders out and
puts them back, and the orders that waited behind them stay put, so holes build up in front of late orders that
only moving each of them again would close. One left shift closes them all at once.

Operations are placed in the order of their starts, each at the earliest time its timeline (closures, fixed work
and the operations already placed) leaves free after its predecessors' ends plus the legs their carriers take.
Never later than before: every operation placed so far started no later than this one and ended no later than it
did, so the plan's own slot for it is still free. Production and transport cost the same, completions come no
later, so the plan never costs more.
"""

from __future__ import annotations

from .assemble import assemble_plan
from .domain import DELIVERY, Plan
from .indexing import ProblemIndex
from .timeline import Timeline


def left_shift(index: ProblemIndex, plan: Plan) -> Plan | None:
    """The plan with every free operation moved as early as its choices allow, or None when nothing moves or
    the objective does not fall (a shift that only moves work on time helps no one)."""
    problem = index.problem
    timelines: dict[str, Timeline] = {}

    def timeline(resource_id: str) -> Timeline:
        found = timelines.get(resource_id)
        if found is None:
            found = timelines[resource_id] = index.calendar(resource_id).copy()
        return found

    for op in problem.operations:
        if op.fixed is not None:
            timeline(op.fixed.resource_id).book(op.fixed.start, op.fixed.end)
    travel = {
        (leg.from_operation, leg.to_operation): leg.arrival - leg.departure
        for leg in plan.legs
        if leg.to_operation != DELIVERY
    }
    position = index.topological_position
    ends: dict[str, int] = {}
    schedule: dict[str, tuple[str, int]] = {}
    moved = False
    for a in sorted(plan.assignments.values(), key=lambda a: (a.start, position[a.operation_id])):
        op = index.ops[a.operation_id]
        if op.fixed is not None:
            schedule[op.id] = (a.resource_id, a.start)
            ends[op.id] = a.end
            continue
        ready = op.release
        for p in op.predecessors:
            ready = max(ready, ends[p] + travel.get((p, op.id), 0))
        duration = a.end - a.start
        start = timeline(a.resource_id).earliest_start(ready, duration)
        if start is None or start > a.start:  # cannot happen (see the module's note); keep the plan's slot
            start = a.start
        timeline(a.resource_id).book(start, start + duration)
        schedule[op.id] = (a.resource_id, start)
        ends[op.id] = start + duration
        moved |= start < a.start
    if not moved:
        return None
    carriers = {
        (leg.from_operation, leg.to_operation): leg.carrier_id for leg in plan.legs if leg.from_operation
    }
    shifted = assemble_plan(
        index, schedule, carrier_choice=carriers, method=plan.method, base=plan, status=plan.status
    )
    return shifted if (shifted.objective or 0) < (plan.objective or 0) else None
