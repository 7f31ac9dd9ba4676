"""Resource capacity: `NoOverlap` per single-unit resource, `Cumulative` per multi-unit one, plus redundant
cumulatives over groups of interchangeable resources."""

from __future__ import annotations

from .busy_time import encodes_busy_time
from .state import ModelState


def build_resources(state: ModelState) -> None:
    model, horizon = state.model, state.horizon
    for resource in state.problem.resources:
        intervals = list(state.resource_intervals.get(resource.id, []))
        if not intervals:
            continue  # nothing to decide on this resource
        if encodes_busy_time(state, resource.id):  # closures and fixed work are holes in the start domains
            if len(intervals) > 1:
                model.add_no_overlap(intervals)
            continue
        for start, duration in state.pinned_work.get(resource.id, []):
            intervals.append(model.new_fixed_size_interval_var(start, duration, f"pinned_{resource.id}"))
        demands = [1] * len(intervals)
        for start, end in resource.closed:
            start, end = max(0, start), min(end, horizon)
            if end > start:
                intervals.append(
                    model.new_fixed_size_interval_var(start, end - start, f"closed_{resource.id}")
                )
                demands.append(resource.capacity)
        if resource.capacity == 1:
            model.add_no_overlap(intervals)
        else:
            model.add_cumulative(intervals, demands, resource.capacity)


def build_redundant_cumulatives(state: ModelState) -> None:
    """Operations whose candidates all lie in a machine group G can never use more than |G| units at once.

    One cumulative per distinct candidate set of two or more resources, over the main intervals of the free
    operations whose candidate set is that set ("identical") or inside it ("subset").
    """
    mode = state.options.redundant
    if mode == "none":
        return
    free_sets: dict[str, frozenset[str]] = {
        op_id: frozenset(v.presence) for op_id, v in state.ops.items() if op_id not in state.pins
    }
    groups = {s for s in free_sets.values() if len(s) > 1}
    capacity = {r.id: r.capacity for r in state.problem.resources}
    for group in sorted(groups, key=sorted):
        if mode == "identical":
            members = [op_id for op_id, s in free_sets.items() if s == group]
        else:
            members = [op_id for op_id, s in free_sets.items() if s <= group]
        total = sum(capacity[r] for r in group)
        if len(members) <= total:
            continue
        intervals = [state.ops[m].main for m in members]
        state.model.add_cumulative(intervals, [1] * len(intervals), total)
