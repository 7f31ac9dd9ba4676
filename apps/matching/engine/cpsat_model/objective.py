"""Per order: its completion (after the delivery leg), deadline and tardiness; the makespan; and the objective,
cost plus weighted lateness plus makespan, with every constant part folded into one offset."""

from __future__ import annotations

from collections import defaultdict

from ..domain import DELIVERY
from .state import Expr, ModelState
from .transport import link_transport


def build_orders(state: ModelState) -> None:
    model, index = state.model, state.index
    weights = state.problem.weights
    top = state.horizon + index.max_route_duration
    constant_completions: list[int] = []
    delivery_cost: dict[str, int] = defaultdict(int)
    for leg in state.incumbent.legs if state.incumbent is not None else ():
        if leg.to_operation == DELIVERY:
            delivery_cost[leg.order_id] += leg.cost_minor
    for order in state.problem.orders:
        sinks = index.sinks.get(order.id)
        if not sinks:
            continue
        if _order_is_constant(state, order.id):
            assert state.incumbent is not None
            finished = state.incumbent.completion[order.id]
            constant_completions.append(finished)
            state.objective_offset += weights.cost * delivery_cost[order.id]
            state.objective_offset += weights.lateness * order.lateness_weight * max(0, finished - order.due)
            continue
        done = model.new_int_var(0, top, f"C_{order.id}")
        state.completion[order.id] = done
        for sink in sinks:
            v = state.ops[sink]
            if order.delivery_site is None:
                model.add(done >= v.end)
            else:
                link_transport(state, (sink, DELIVERY), v.end, v.sites, done, {order.delivery_site: True})
        if order.deadline is not None:
            model.add(done <= order.deadline)
        if weights.lateness and order.lateness_weight:
            late = model.new_int_var(0, max(0, top - order.due), f"T_{order.id}")
            model.add(late >= done - order.due)
            state.tardiness[order.id] = late
    if weights.makespan:
        lb = state.options.makespan_lb
        ub = state.options.makespan_ub if state.options.makespan_ub is not None else top
        lb = max([lb, *constant_completions])
        state.makespan = model.new_int_var(min(lb, ub), max(lb, ub), "makespan")
        if lb > ub:  # asked to beat a makespan already at its lower bound: nothing to find
            model.add_bool_or([False])
        for done in state.completion.values():
            model.add(state.makespan >= done)


def _order_is_constant(state: ModelState, order_id: str) -> bool:
    if state.incumbent is None or order_id not in state.incumbent.completion:
        return False
    return all(op_id in state.pins for op_id in state.index.ops_of_order[order_id])


def build_objective(state: ModelState) -> None:
    weights = state.problem.weights
    terms: list[Expr] = []
    if weights.cost:
        for op in state.problem.operations:
            if op.id in state.pins:
                continue
            for c in op.candidates:
                lit = state.ops[op.id].presence.get(c.resource_id)
                if lit is True:
                    state.objective_offset += weights.cost * c.cost_minor
                elif lit is not None and c.cost_minor:
                    terms.append(weights.cost * c.cost_minor * lit)
        for arc in state.arcs.values():
            if isinstance(arc.cost, int):
                state.objective_offset += weights.cost * arc.cost
            else:
                terms.append(weights.cost * arc.cost)
    if weights.lateness:
        orders = state.index.orders
        terms += [weights.lateness * orders[o].lateness_weight * t for o, t in state.tardiness.items()]
    if state.makespan is not None:
        floor = state.options.tail_floor
        if floor is not None:
            top = state.horizon + state.index.max_route_duration
            scale = len(state.completion) * (top - floor + 1) + 1
            terms.append(weights.makespan * scale * state.makespan)
            for order_id, done in state.completion.items():
                tail = state.model.new_int_var(0, max(0, top - floor), f"tail_{order_id}")
                state.model.add(tail >= done - floor)
                terms.append(tail)
        else:
            terms.append(weights.makespan * state.makespan)
    state.model.minimize(sum(terms) + state.objective_offset)
