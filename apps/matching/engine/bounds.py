"""Lower bounds that need no search: critical paths through calendars with unlimited capacity, machine-group load,
and the objective bound they imply (reported as the bound of plans the large-neighbourhood search improves)."""

from __future__ import annotations

import math

from .domain import Operation
from .indexing import INFINITY, ProblemIndex


def earliest_finishes(index: ProblemIndex) -> dict[str, int]:
    """Per operation, its earliest finish if every resource were free (calendars and fastest transport kept)."""
    problem = index.problem
    calendars = {r.id: index.calendar(r.id) for r in problem.resources}
    finish: dict[str, int] = {}
    for op_id in index.topological_order or []:
        op = index.ops[op_id]
        if op.fixed is not None:
            finish[op_id] = op.fixed.end
            continue
        best = INFINITY
        for candidate in op.candidates:
            site = index.site_of[candidate.resource_id]
            ready = op.release
            for p in op.predecessors:
                travel = min((index.fastest(a, site) for a in index.candidate_sites(index.ops[p])), default=0)
                ready = max(ready, finish[p] + travel)
            if ready >= INFINITY:
                continue
            start = calendars[candidate.resource_id].earliest_start(ready, candidate.duration)
            if start is not None:
                best = min(best, start + candidate.duration)
        finish[op_id] = best
    return finish


def completion_lower_bounds(index: ProblemIndex, finish: dict[str, int] | None = None) -> dict[str, int]:
    finish = finish if finish is not None else earliest_finishes(index)
    bounds = {}
    for order in index.problem.orders:
        sinks = index.sinks.get(order.id, [])
        if sinks:
            bounds[order.id] = max(
                finish[s] + index.min_transport_to(index.ops[s], order.delivery_site) for s in sinks
            )
    return bounds


def machine_load_bound(index: ProblemIndex) -> int:
    """max over candidate sets G: (work that can only run on G) / capacity of G, for operations not yet fixed,
    starting no earlier than the earliest of their release times."""
    capacity = {r.id: r.capacity for r in index.problem.resources}
    free = [op for op in index.problem.operations if op.fixed is None]
    sets = {frozenset(c.resource_id for c in op.candidates) for op in free}
    best = 0
    for group in sets:
        members = [op for op in free if {c.resource_id for c in op.candidates} <= group]
        work = sum(index.min_duration(op) for op in members)
        start = min(op.release for op in members)
        best = max(best, start + math.ceil(work / sum(capacity[r] for r in group)))
    return best


def makespan_lower_bound(index: ProblemIndex) -> int:
    completions = completion_lower_bounds(index)
    return max([machine_load_bound(index), *completions.values()])


def order_cost_lower_bound(index: ProblemIndex, order_id: str) -> int:
    """Cheapest production plus transport for one order, ignoring time and capacity.

    Exact dynamic programming over the routing when it is an in-tree (every operation feeds at most one other
    of its order, as chains and "parts, then assembly" routings do); otherwise production alone, since counting
    a shared predecessor twice would overstate the bound."""
    ops = [index.ops[o] for o in index.ops_of_order[order_id]]
    members = {op.id for op in ops}
    feeds = {op.id: [s for s in index.successors[op.id] if s in members] for op in ops}
    production_only = sum(_cheapest_production(op) for op in ops)
    if any(len(s) > 1 for s in feeds.values()) or any(
        p not in members for op in ops for p in op.predecessors
    ):
        return production_only
    order = index.orders[order_id]
    best: dict[
        str, dict[str, int]
    ] = {}  # op -> site -> cheapest cost of its subtree with the op at that site
    for op_id in index.topological_order or []:
        if op_id not in members:
            continue
        op = index.ops[op_id]
        options: dict[str, int] = {}
        choices = (
            [(op.fixed.resource_id, _cheapest_production(op))]
            if op.fixed
            else [(c.resource_id, c.cost_minor) for c in op.candidates]
        )
        for resource_id, price in choices:
            site = index.site_of[resource_id]
            total = price
            for p in op.predecessors:
                total += min(cost + index.cheapest(s, site) for s, cost in best[p].items())
            options[site] = min(options.get(site, INFINITY), total)
        best[op_id] = options
    total = 0
    for sink in index.sinks.get(order_id, []):
        delivery = order.delivery_site
        total += min(
            cost + (index.cheapest(site, delivery) if delivery is not None else 0)
            for site, cost in best[sink].items()
        )
    return min(total, INFINITY) if total < INFINITY else production_only


def _cheapest_production(op: Operation) -> int:
    if op.fixed is not None:
        return next((c.cost_minor for c in op.candidates if c.resource_id == op.fixed.resource_id), 0)
    return min(c.cost_minor for c in op.candidates)


def objective_lower_bound(index: ProblemIndex) -> int:
    """Σ per order of its cheapest production and transport, plus the lateness (and makespan) that even
    unlimited capacity cannot avoid; each part is a lower bound of its own term of the objective."""
    problem = index.problem
    weights = problem.weights
    completions = completion_lower_bounds(index)
    production = sum(order_cost_lower_bound(index, order_id) for order_id in index.ops_of_order)
    lateness = sum(
        o.lateness_weight * max(0, completions[o.id] - o.due) for o in problem.orders if o.id in completions
    )
    makespan = max(completions.values(), default=0)
    if weights.makespan:
        makespan = max(makespan, machine_load_bound(index))
    return weights.cost * production + weights.lateness * lateness + weights.makespan * makespan
