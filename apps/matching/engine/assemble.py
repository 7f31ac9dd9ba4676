"""Turn a schedule (operation -> resource and start) into a full Plan: transport legs with their carriers,
completion per order, cost breakdown and objective. Shared by the greedy dispatcher and the CP-SAT solver so
both report plans the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .domain import (
    DELIVERY,
    FEASIBLE,
    Assignment,
    CarrierOption,
    CostBreakdown,
    Operation,
    Plan,
    TransportLeg,
)
from .indexing import ProblemIndex

Schedule = Mapping[str, tuple[str, int]]  # operation id -> (resource id, start)
CarrierChoice = Mapping[tuple[str, str], str]  # (pred op, succ op or DELIVERY) -> carrier id


def carrier_choice(legs: Iterable[TransportLeg]) -> CarrierChoice:
    """The carrier of each of these legs, as assemble_plan takes it: a plan's legs given back to it."""
    return {
        (leg.from_operation, leg.to_operation): leg.carrier_id
        for leg in legs
        if leg.from_operation is not None
    }


def plan_moved(
    index: ProblemIndex, plan: Plan, moved: Schedule, carriers: CarrierChoice, *, method: str
) -> Plan:
    """`plan` with these operations moved (and their orders' legs on these carriers): only the orders they belong
    to, or feed, are assembled again."""
    schedule = {op_id: (a.resource_id, a.start) for op_id, a in plan.assignments.items()} | dict(moved)
    return assemble_plan(index, schedule, carrier_choice=carriers, method=method, base=plan, status=FEASIBLE)


def cost_on(op: Operation, resource_id: str) -> int:
    return next((c.cost_minor for c in op.candidates if c.resource_id == resource_id), 0)


def _pick_route(
    routes: list[CarrierOption], departure: int, latest: int, preferred: str | None
) -> CarrierOption:
    """The solver's carrier if it arrives in time, else the cheapest that does, else the fastest."""
    for option in routes:
        if option.carrier_id == preferred and departure + option.duration <= latest:
            return option
    in_time = [o for o in routes if departure + o.duration <= latest]
    if in_time:
        return min(in_time, key=lambda o: (o.cost_minor, o.duration))
    return routes[0]


def _delivery_routes(
    index: ProblemIndex,
    ends: Mapping[str, tuple[str, int]],
    order_id: str,
    choice: CarrierChoice,
) -> dict[str, CarrierOption | None]:
    """Per sink, the delivery option (None when already at the delivery site).

    The order's lateness depends on the slowest sink, so the options are chosen together: every arrival time is
    tried as the order's completion and each sink then takes its cheapest option arriving by then.
    """
    order = index.orders[order_id]
    weights = index.problem.weights
    per_sink: dict[str, list[CarrierOption]] = {}
    fixed_arrival = 0
    for sink in index.sinks[order_id]:
        site, end = ends[sink]
        if site == order.delivery_site:
            fixed_arrival = max(fixed_arrival, end)
        elif index.routes(site, order.delivery_site):
            per_sink[sink] = index.routes(site, order.delivery_site)
        # a sink with no route at all is left without a leg; the validator reports it
    if not per_sink:
        return {}
    preferred = {sink: choice.get((sink, DELIVERY)) for sink in per_sink}
    if all(p is not None for p in preferred.values()):
        picked = {s: next((o for o in per_sink[s] if o.carrier_id == preferred[s]), None) for s in per_sink}
        if all(p is not None for p in picked.values()):
            return picked  # type: ignore[return-value]
    targets = {fixed_arrival} | {ends[s][1] + o.duration for s, opts in per_sink.items() for o in opts}
    best: tuple[tuple[int, int], dict[str, CarrierOption]] | None = None
    for target in sorted(targets):
        picked = {}
        for sink, options in per_sink.items():
            in_time = [o for o in options if ends[sink][1] + o.duration <= target]
            if not in_time:
                break
            picked[sink] = min(in_time, key=lambda o: (o.cost_minor, o.duration))
        else:
            completion = max([fixed_arrival] + [ends[s][1] + o.duration for s, o in picked.items()])
            tardiness = max(0, completion - order.due)
            score = (
                weights.cost * sum(o.cost_minor for o in picked.values())
                + weights.lateness * order.lateness_weight * tardiness
                + weights.makespan * completion,
                completion,
            )
            if best is None or score < best[0]:
                best = (score, picked)
    assert best is not None  # the largest target always admits every sink's slowest option
    return best[1]


def assemble_plan(
    index: ProblemIndex,
    schedule: Schedule,
    *,
    status: str = FEASIBLE,
    carrier_choice: CarrierChoice | None = None,
    method: str = "",
    best_bound: float | None = None,
    base: Plan | None = None,
) -> Plan:
    """The plan of a schedule. With `base` (a plan of the same problem, e.g. the LNS incumbent), only the orders
    whose operations moved, or feed operations that moved, are re-assembled; the others keep base's legs and
    completion (they depend on nothing else), which saves most of the time at marketplace scale."""
    choice = carrier_choice or {}
    problem = index.problem
    offers = index.offers
    if base is None:
        assignments: dict[str, Assignment] = {}
        moved = problem.operations
    else:
        assignments = dict(base.assignments)
        moved = tuple(
            op
            for op in problem.operations
            if (base.assignments[op.id].resource_id, base.assignments[op.id].start) != schedule[op.id]
        )
    for op in moved:
        resource_id, start = schedule[op.id]
        offer = offers.get((op.id, resource_id))
        if op.fixed is not None and op.fixed.resource_id == resource_id:
            end = start + op.fixed.end - op.fixed.start
        else:
            end = start + offer.duration  # type: ignore[union-attr] - the schedule uses candidates only
        assignments[op.id] = Assignment(op.id, resource_id, start, end, offer.cost_minor if offer else 0)
    ends = {op_id: (index.site_of[a.resource_id], a.end) for op_id, a in assignments.items()}
    if base is None:
        orders = problem.orders
        arcs = index.arcs
        legs: list[TransportLeg] = []
        completion: dict[str, int] = {}
    else:
        touched = {op.order_id for op in moved}
        touched |= {index.ops[s].order_id for op in moved for s in index.successors[op.id]}
        orders = tuple(o for o in problem.orders if o.id in touched)
        arcs = [arc for order_id in touched for arc in index.arcs_into_order.get(order_id, ())]
        legs = [leg for leg in base.legs if leg.order_id not in touched]
        completion = dict(base.completion)

    for arc in arcs:
        from_site, departure = ends[arc.pred]
        to_site = ends[arc.succ][0]
        if from_site == to_site:
            continue
        routes = index.routes(from_site, to_site)
        if not routes:
            continue  # an impossible pairing; the validator reports the missing leg
        option = _pick_route(routes, departure, assignments[arc.succ].start, choice.get((arc.pred, arc.succ)))
        legs.append(
            TransportLeg(
                index.ops[arc.succ].order_id,
                arc.pred,
                from_site,
                arc.succ,
                to_site,
                option.carrier_id,
                departure,
                departure + option.duration,
                option.cost_minor,
            )
        )

    for order in orders:
        sinks = index.sinks.get(order.id, [])
        if not sinks:
            continue
        done = max(ends[s][1] for s in sinks)
        if order.delivery_site is not None:
            for sink, option in _delivery_routes(index, ends, order.id, choice).items():
                if option is None:
                    continue
                site, departure = ends[sink]
                legs.append(
                    TransportLeg(
                        order.id,
                        sink,
                        site,
                        DELIVERY,
                        order.delivery_site,
                        option.carrier_id,
                        departure,
                        departure + option.duration,
                        option.cost_minor,
                    )
                )
                done = max(done, departure + option.duration)
        completion[order.id] = done

    costs = CostBreakdown(
        production=sum(a.cost_minor for a in assignments.values()),
        transport=sum(leg.cost_minor for leg in legs),
        lateness=sum(
            o.lateness_weight * max(0, completion[o.id] - o.due) for o in problem.orders if o.id in completion
        ),
    )
    objective = objective_value(index, costs, completion, assignments)
    gap = None
    if best_bound is not None:
        gap = max(0.0, (objective - best_bound) / max(1, abs(objective)))
    return Plan(
        status=status,
        assignments=assignments,
        legs=tuple(legs),
        costs=costs,
        completion=completion,
        objective=objective,
        best_bound=best_bound,
        gap=gap,
        method=method,
    )


def objective_value(
    index: ProblemIndex,
    costs: CostBreakdown,
    completion: Mapping[str, int],
    assignments: Mapping[str, Assignment],
) -> int:
    weights = index.problem.weights
    makespan = max(list(completion.values()) + [a.end for a in assignments.values()], default=0)
    return (
        weights.cost * (costs.production + costs.transport)
        + weights.lateness * costs.lateness
        + weights.makespan * makespan
    )
