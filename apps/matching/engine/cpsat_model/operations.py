"""Per operation: its start, end and duration, one presence literal per candidate resource, and its site.

A free operation has a start variable shared by one optional fixed-size interval per candidate resource, exactly
one of them present, and a main interval spanning the chosen duration; a pinned operation is all constants.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from .busy_time import start_slots
from .state import Expr, Literal, ModelState, OpVars


def build_operations(state: ModelState) -> None:
    model, index, horizon = state.model, state.index, state.horizon
    est = index.earliest_starts
    for op_id, pin in state.pins.items():
        state.pinned_work[pin.resource_id].append((pin.start, index.duration_on(op_id, pin.resource_id)))
    for op in state.problem.operations:
        pin = state.pins.get(op.id)
        if pin is not None:
            duration = index.duration_on(op.id, pin.resource_id)
            state.ops[op.id] = OpVars(
                pin.start,
                pin.start + duration,
                duration,
                {pin.resource_id: True},
                {index.site_of[pin.resource_id]: True},
            )
            offer = index.offers.get((op.id, pin.resource_id))
            state.objective_offset += state.problem.weights.cost * (offer.cost_minor if offer else 0)
            continue
        candidates = op.candidates
        if op.id in state.restrict:
            candidates = tuple(c for c in candidates if c.resource_id in state.restrict[op.id])
        durations = sorted({c.duration for c in candidates})
        lb = max(op.release, est[op.id])
        ub = max(lb, horizon - durations[0])
        slots = {
            c.resource_id: start_slots(state, c.resource_id, c.duration, lb, horizon - c.duration)
            for c in candidates
        }
        if len(candidates) == 1 and slots[candidates[0].resource_id] is not None:
            domain = cp_model.Domain.from_intervals(slots[candidates[0].resource_id] or [[lb, lb]])
            start = model.new_int_var_from_domain(domain, f"s_{op.id}")
            if not slots[candidates[0].resource_id]:
                model.add_bool_or([False])  # no room on its only resource (precheck normally says so first)
        else:
            start = model.new_int_var(lb, ub, f"s_{op.id}")
        if len(durations) == 1:
            duration: Expr = durations[0]
            end: Expr = start + durations[0]
            main = model.new_fixed_size_interval_var(start, durations[0], f"i_{op.id}")
        else:
            duration = model.new_int_var_from_domain(cp_model.Domain.from_values(durations), f"d_{op.id}")
            end = model.new_int_var(lb + durations[0], ub + durations[-1], f"e_{op.id}")
            main = model.new_interval_var(start, duration, end, f"i_{op.id}")
        model.add(end <= horizon)
        presence: dict[str, Literal] = {}
        if len(candidates) == 1:
            only = candidates[0]
            presence[only.resource_id] = True
            state.resource_intervals[only.resource_id].append(main)
        else:
            for c in candidates:
                lit = model.new_bool_var(f"x_{op.id}_{c.resource_id}")
                presence[c.resource_id] = lit
                room = slots[c.resource_id]
                if room == []:
                    model.add(lit == 0)
                elif room is not None:
                    model.add_linear_expression_in_domain(
                        start, cp_model.Domain.from_intervals(room)
                    ).only_enforce_if(lit)
                alt = model.new_optional_fixed_size_interval_var(
                    start, c.duration, lit, f"a_{op.id}_{c.resource_id}"
                )
                state.resource_intervals[c.resource_id].append(alt)
                if len(durations) > 1:
                    model.add(duration == c.duration).only_enforce_if(lit)
            model.add_exactly_one(presence.values())
        state.ops[op.id] = OpVars(
            start, end, duration, presence, _site_literals(state, op.id, presence), main
        )


def _site_literals(state: ModelState, op_id: str, presence: dict[str, Literal]) -> dict[str, Literal]:
    by_site: dict[str, list[Literal]] = defaultdict(list)
    for resource_id, lit in presence.items():
        by_site[state.index.site_of[resource_id]].append(lit)
    if len(by_site) == 1:
        return {next(iter(by_site)): True}
    sites: dict[str, Literal] = {}
    for site, lits in by_site.items():
        if len(lits) == 1:
            sites[site] = lits[0]
        else:
            at_site = state.model.new_bool_var(f"y_{op_id}_{site}")
            state.model.add(at_site == sum(lits))
            sites[site] = at_site
    return sites
