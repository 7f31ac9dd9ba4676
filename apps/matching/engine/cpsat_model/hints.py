"""Warm start: a complete plan (greedy, incumbent, earlier quote) as a hint for every decision variable."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..domain import DELIVERY, Plan
from .state import ModelState


def hint_plan(state: ModelState, plan: Plan) -> None:
    """Hint every decision variable from a complete plan (a partial hint is worth much less to CP-SAT)."""
    model = state.model
    model.clear_hints()
    hinted: set[int] = set()

    def _hint(_: object, var: object, value: int) -> None:
        """Hint each variable once (a site literal may be a presence literal; CP-SAT rejects duplicates)."""
        if isinstance(var, cp_model.IntVar) and var.index not in hinted:
            hinted.add(var.index)
            model.add_hint(var, value)

    site_of = state.index.site_of
    for op_id, v in state.ops.items():
        if op_id in state.pins:
            continue
        a = plan.assignments.get(op_id)
        if a is None or a.resource_id not in v.presence:
            continue  # the hint comes from an older problem; let CP-SAT choose
        _hint(model, v.start, a.start)
        _hint(model, v.end, a.end)
        _hint(model, v.duration, a.end - a.start)
        for resource_id, lit in v.presence.items():
            _hint(model, lit, int(resource_id == a.resource_id))
        for site, lit in v.sites.items():
            _hint(model, lit, int(site == site_of[a.resource_id]))
    legs = {(leg.from_operation, leg.to_operation): leg for leg in plan.legs}
    for key, arc in state.arcs.items():
        leg = legs.get(key)
        chosen = leg.carrier_id if leg else next(iter(arc.carrier), None)
        for carrier, lit in arc.carrier.items():
            _hint(model, lit, int(carrier == chosen))
        _hint(model, arc.cost, leg.cost_minor if leg else 0)
        if arc.options:
            ends = _planned_sites(state, plan, key)
            if ends is not None:
                wanted = (*ends, leg.carrier_id if leg else None)
                for lit, a, b, carrier in arc.options:
                    _hint(model, lit, int((a, b, carrier) == wanted))
    for order_id, var in state.completion.items():
        if order_id in plan.completion:
            _hint(model, var, plan.completion[order_id])
            if order_id in state.tardiness:
                _hint(
                    model,
                    state.tardiness[order_id],
                    max(0, plan.completion[order_id] - state.index.orders[order_id].due),
                )
    if state.makespan is not None and plan.completion:
        _hint(model, state.makespan, max(plan.completion.values()))


def _planned_sites(state: ModelState, plan: Plan, key: tuple[str, str]) -> tuple[str, str] | None:
    pred, succ = key
    site_of = state.index.site_of
    if pred not in plan.assignments:
        return None
    if succ == DELIVERY:
        delivery = state.index.orders[state.index.ops[pred].order_id].delivery_site
        return (site_of[plan.assignments[pred].resource_id], delivery) if delivery else None
    if succ not in plan.assignments:
        return None
    return site_of[plan.assignments[pred].resource_id], site_of[plan.assignments[succ].resource_id]
