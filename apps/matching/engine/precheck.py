"""Reasons a problem has no plan that can be seen without searching, each naming the operations concerned.

Lateness against `Order.due` is soft and never a reason; only a hard `Order.deadline` can be impossible.
"""

from __future__ import annotations

from collections import Counter

from .bounds import completion_lower_bounds, earliest_finishes
from .domain import (
    FIXED_CONFLICT,
    IMPOSSIBLE_DUE_DATE,
    INVALID_REFERENCE,
    LONGER_THAN_ANY_OPENING,
    NO_CAPABLE_RESOURCE,
    NO_TRANSPORT_ROUTE,
    ROUTING_CYCLE,
    Infeasible,
    Operation,
    Problem,
)
from .indexing import INFINITY, ProblemIndex


def find_infeasibility(problem: Problem, index: ProblemIndex | None = None) -> list[Infeasible]:
    index = index or ProblemIndex(problem)
    reasons = _invalid_references(problem, index)
    if reasons:
        return reasons  # the other checks assume the references resolve
    reasons += _no_capable_resource(problem)
    reasons += _routing_cycles(problem, index)
    if reasons:
        return reasons
    reasons += _longer_than_any_opening(problem, index)
    reasons += _no_transport_route(problem, index)
    reasons += _fixed_conflicts(problem, index)
    if not reasons:
        reasons += _impossible_deadlines(problem, index)
    return reasons


def _invalid_references(problem: Problem, index: ProblemIndex) -> list[Infeasible]:
    reasons: list[Infeasible] = []
    for op_id, count in Counter(op.id for op in problem.operations).items():
        if count > 1:
            reasons.append(
                Infeasible(INVALID_REFERENCE, (op_id,), f"operation id {op_id} appears {count} times")
            )
    sites = {s.id for s in problem.sites} | set(index.site_of.values())
    sites |= {
        o.to_site for o in problem.carrier_options
    }  # a customer's site is known to the carriers serving it
    for op in problem.operations:
        missing = [p for p in op.predecessors if p not in index.ops]
        missing += [c.resource_id for c in op.candidates if c.resource_id not in index.resources]
        if op.fixed is not None and op.fixed.resource_id not in index.resources:
            missing.append(op.fixed.resource_id)
        if op.order_id not in index.orders:
            missing.append(op.order_id)
        if missing:
            reasons.append(Infeasible(INVALID_REFERENCE, (op.id,), f"unknown ids: {', '.join(missing)}"))
        if any(c.duration < 0 for c in op.candidates):
            reasons.append(Infeasible(INVALID_REFERENCE, (op.id,), "negative duration"))
    for order in problem.orders:
        if order.delivery_site is not None and order.delivery_site not in sites:
            reasons.append(
                Infeasible(INVALID_REFERENCE, (), f"unknown delivery site {order.delivery_site}", order.id)
            )
    for resource in problem.resources:
        if resource.capacity < 1:
            reasons.append(Infeasible(INVALID_REFERENCE, (), f"resource {resource.id} has capacity < 1"))
    return reasons


def _no_capable_resource(problem: Problem) -> list[Infeasible]:
    reasons = []
    for op in problem.operations:
        if op.fixed is None and not op.candidates:
            why = "; ".join(f"{r.resource_id}: {r.reason}" for r in op.rejections) or "no resource offers it"
            reasons.append(
                Infeasible(
                    NO_CAPABLE_RESOURCE, (op.id,), f"no resource can do {op.process} ({why})", op.order_id
                )
            )
    return reasons


def _routing_cycles(problem: Problem, index: ProblemIndex) -> list[Infeasible]:
    """Every strongly connected component with more than one operation (or a self-loop) is a cycle."""
    if index.topological_order is not None:
        return []
    reasons = []
    for component in _strongly_connected(problem, index):
        first = index.ops[component[0]]
        if len(component) > 1 or first.id in first.predecessors:
            names = " -> ".join(component)
            reasons.append(
                Infeasible(ROUTING_CYCLE, tuple(component), f"precedence cycle {names}", first.order_id)
            )
    return reasons


def _strongly_connected(problem: Problem, index: ProblemIndex) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that long routings do not hit the recursion limit."""
    counter = 0
    number: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in (op.id for op in problem.operations):
        if root in number:
            continue
        work = [(root, iter(index.successors[root]))]
        number[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in number:
                    number[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(index.successors[succ])))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], number[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == number[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(list(reversed(component)))
    return components


def _fits_somewhere(index: ProblemIndex, op: Operation) -> bool:
    for candidate in op.candidates:
        if index.calendar(candidate.resource_id).earliest_start(op.release, candidate.duration) is not None:
            return True
    return False


def _longer_than_any_opening(problem: Problem, index: ProblemIndex) -> list[Infeasible]:
    reasons = []
    for op in problem.operations:
        if op.fixed is None and op.candidates and not _fits_somewhere(index, op):
            longest = max(c.duration for c in op.candidates)
            reasons.append(
                Infeasible(
                    LONGER_THAN_ANY_OPENING,
                    (op.id,),
                    f"{op.id} ({longest} min at most) fits in no opening of any candidate after its release "
                    f"{op.release} before the horizon {problem.horizon_hint}",
                    op.order_id,
                )
            )
    return reasons


def _no_transport_route(problem: Problem, index: ProblemIndex) -> list[Infeasible]:
    reasons = []
    for arc in index.arcs:
        pred, succ = index.ops[arc.pred], index.ops[arc.succ]
        pred_sites, succ_sites = index.candidate_sites(pred), index.candidate_sites(succ)
        if not (pred_sites & succ_sites) and not any(
            index.connected(a, b) for a in pred_sites for b in succ_sites
        ):
            reasons.append(
                Infeasible(
                    NO_TRANSPORT_ROUTE,
                    (pred.id, succ.id),
                    f"no carrier links any site of {pred.id} to any site of {succ.id}",
                    succ.order_id,
                )
            )
    for order_id, sinks in index.sinks.items():
        order = index.orders[order_id]
        if order.delivery_site is None:
            continue
        for sink in sinks:
            sites = index.candidate_sites(index.ops[sink])
            if not any(index.connected(a, order.delivery_site) for a in sites):
                reasons.append(
                    Infeasible(
                        NO_TRANSPORT_ROUTE,
                        (sink,),
                        f"no carrier delivers from any site of {sink} to {order.delivery_site}",
                        order_id,
                    )
                )
    return reasons


def _fixed_conflicts(problem: Problem, index: ProblemIndex) -> list[Infeasible]:
    reasons = []
    fixed = [op for op in problem.operations if op.fixed is not None]
    by_resource: dict[str, list[Operation]] = {}
    for op in fixed:
        assert op.fixed is not None
        if op.fixed.end < op.fixed.start:
            reasons.append(Infeasible(FIXED_CONFLICT, (op.id,), "fixed end before start", op.order_id))
            continue
        by_resource.setdefault(op.fixed.resource_id, []).append(op)
        resource = index.resources[op.fixed.resource_id]
        if any(s < op.fixed.end and op.fixed.start < e for s, e in resource.closed):
            reasons.append(
                Infeasible(
                    FIXED_CONFLICT, (op.id,), f"fixed work overlaps a closure of {resource.id}", op.order_id
                )
            )
    for resource_id, ops in by_resource.items():
        capacity = index.resources[resource_id].capacity
        events = sorted(
            [(op.fixed.start, 1, op.id) for op in ops if op.fixed]
            + [(op.fixed.end, -1, op.id) for op in ops if op.fixed],
            key=lambda ev: (ev[0], ev[1]),
        )
        level, active = 0, set()
        for _, delta, op_id in events:
            level += delta
            (active.add if delta > 0 else active.discard)(op_id)
            if level > capacity:
                reasons.append(
                    Infeasible(
                        FIXED_CONFLICT, tuple(sorted(active)), f"fixed work exceeds capacity of {resource_id}"
                    )
                )
                break
    for arc in index.arcs:
        pred, succ = index.ops[arc.pred], index.ops[arc.succ]
        if pred.fixed is None or succ.fixed is None:
            continue
        travel = index.fastest(index.site_of[pred.fixed.resource_id], index.site_of[succ.fixed.resource_id])
        if pred.fixed.end + travel > succ.fixed.start:
            reasons.append(
                Infeasible(
                    FIXED_CONFLICT, (pred.id, succ.id), "fixed work breaks precedence or transport time"
                )
            )
    return reasons


def _impossible_deadlines(problem: Problem, index: ProblemIndex) -> list[Infeasible]:
    """Critical path with calendars but infinite capacity, plus the fastest transport; only for hard deadlines."""
    if not any(order.deadline is not None for order in problem.orders):
        return []
    finish = earliest_finishes(index)
    bounds = completion_lower_bounds(index, finish)
    reasons = []
    for order in problem.orders:
        if order.deadline is None or order.id not in bounds or bounds[order.id] <= order.deadline:
            continue
        bound = bounds[order.id]
        critical = tuple(
            s
            for s in index.sinks[order.id]
            if finish[s] + index.min_transport_to(index.ops[s], order.delivery_site) == bound
        )
        reasons.append(
            Infeasible(
                IMPOSSIBLE_DUE_DATE,
                critical,
                f"order {order.id} cannot be delivered before {bound if bound < INFINITY else 'the horizon'} "
                f"even with every resource free (deadline {order.deadline})",
                order.id,
            )
        )
    return reasons
