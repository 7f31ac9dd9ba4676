"""Lower bounds that need no search: critical paths through calendars with unlimited capacity, machine-group load,
and the objective bound they imply (reported as the bound of plans the large-neighbourhood search improves)."""

from __future__ import annotations

import math
import weakref

import numpy as np

from .domain import Operation
from .indexing import INFINITY, ProblemIndex


def earliest_finishes(index: ProblemIndex) -> dict[str, int]:
    """Per operation, its earliest finish if every resource were free (calendars and fastest transport kept).
    Computed once per index (the precheck, the bounds and the capacity bound all read it)."""
    cached = _FINISHES.get(index)
    if cached is not None:
        return cached
    problem = index.problem
    fastest = index.fastest_matrix
    number = index.site_number
    sites = {
        op.id: np.array([number[s] for s in index.candidate_sites(op)], dtype=np.int64)
        for op in problem.operations
    }
    finish: dict[str, int] = {}
    for op_id in index.topological_order or []:
        op = index.ops[op_id]
        if op.fixed is not None:
            finish[op_id] = op.fixed.end
            continue
        here = np.array([number[index.site_of[c.resource_id]] for c in op.candidates], dtype=np.int64)
        ready = np.full(len(here), float(op.release))
        for p in op.predecessors:
            there = sites[p]
            travel = fastest[np.ix_(there, here)].min(axis=0) if len(there) else np.zeros(len(here))
            ready = np.maximum(ready, min(finish[p], INFINITY) + travel)
        best = INFINITY
        for candidate, at in zip(op.candidates, ready.tolist(), strict=True):
            if at >= INFINITY:
                continue
            start = index.calendar(candidate.resource_id).earliest_start(int(at), candidate.duration)
            if start is not None:
                best = min(best, start + candidate.duration)
        finish[op_id] = best
    _FINISHES[index] = finish
    return finish


_FINISHES: weakref.WeakKeyDictionary[ProblemIndex, dict[str, int]] = weakref.WeakKeyDictionary()


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
    cheapest, number = index.cheapest_matrix, index.site_number
    # op -> (sites, cheapest cost of its subtree with the op at each of those sites)
    best: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for op in sorted(ops, key=lambda o: index.topological_position[o.id]):
        options: dict[int, float] = {}
        choices = (
            [(op.fixed.resource_id, _cheapest_production(op))]
            if op.fixed
            else [(c.resource_id, c.cost_minor) for c in op.candidates]
        )
        for resource_id, price in choices:
            site = number[index.site_of[resource_id]]
            total = float(price)
            for p in op.predecessors:
                sites, costs = best[p]
                total += float((costs + cheapest[sites, site]).min())
            options[site] = min(options.get(site, math.inf), total)
        best[op.id] = (np.array(list(options), dtype=np.int64), np.array(list(options.values())))
    total = 0.0
    for sink in index.sinks.get(order_id, []):
        sites, costs = best[sink]
        if order.delivery_site is not None:
            costs = costs + cheapest[sites, number[order.delivery_site]]
        total += float(costs.min())
    return round(total) if math.isfinite(total) else production_only


def _cheapest_production(op: Operation) -> int:
    if op.fixed is not None:
        return next((c.cost_minor for c in op.candidates if c.resource_id == op.fixed.resource_id), 0)
    return min(c.cost_minor for c in op.candidates)


def objective_lower_bound(index: ProblemIndex) -> int:
    """Σ per order of its cheapest production and transport, plus the lateness (and makespan) that even
    unlimited capacity cannot avoid; each part is a lower bound of its own term of the objective."""
    cost_and_lateness, makespan = objective_lower_bound_parts(index)
    return cost_and_lateness + makespan


def objective_lower_bound_parts(index: ProblemIndex) -> tuple[int, int]:
    """The capacity-free bound as (weighted cost + lateness part, weighted makespan part)."""
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
    return weights.cost * production + weights.lateness * lateness, weights.makespan * makespan
