"""An independent check of a Plan against its Problem.

Written from the problem statement, not from the solver: it shares no code with the model, the greedy
dispatcher or the plan assembly, so a bug there cannot hide itself here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .domain import DELIVERY, FEASIBLE, OPTIMAL, Plan, Problem


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    subject: str
    detail: str = ""


def validate_plan(problem: Problem, plan: Plan) -> list[Violation]:
    if plan.status not in (OPTIMAL, FEASIBLE):
        if plan.assignments:
            return [Violation("status", plan.status, "a plan without a schedule status carries assignments")]
        if not plan.reasons:
            return [Violation("status", plan.status, "no schedule and no reason given")]
        return []
    found: list[Violation] = []
    found += _assignments(problem, plan)
    if any(v.code in ("missing_assignment", "not_a_candidate") for v in found):
        return found  # the remaining checks need every operation placed on a known resource
    found += _resources(problem, plan)
    found += _transport(problem, plan)
    found += _costs(problem, plan)
    return found


def _assignments(problem: Problem, plan: Plan) -> list[Violation]:
    found = []
    known = {op.id for op in problem.operations}
    for key, a in plan.assignments.items():
        if key not in known:
            found.append(Violation("unknown_operation", key))
        elif a.operation_id != key:
            found.append(Violation("mislabelled_assignment", key, f"labelled {a.operation_id}"))
    for op in problem.operations:
        a = plan.assignments.get(op.id)
        if a is None:
            found.append(Violation("missing_assignment", op.id))
            continue
        if op.fixed is not None:
            if (a.resource_id, a.start, a.end) != (op.fixed.resource_id, op.fixed.start, op.fixed.end):
                found.append(Violation("fixed_moved", op.id, f"{a} vs {op.fixed}"))
            continue
        offer = next((c for c in op.candidates if c.resource_id == a.resource_id), None)
        if offer is None:
            found.append(Violation("not_a_candidate", op.id, a.resource_id))
            continue
        if a.end - a.start != offer.duration:
            found.append(Violation("wrong_duration", op.id, f"{a.end - a.start} != {offer.duration}"))
        if a.cost_minor != offer.cost_minor:
            found.append(Violation("wrong_cost", op.id, f"{a.cost_minor} != {offer.cost_minor}"))
        if a.start < op.release:
            found.append(Violation("before_release", op.id, f"starts {a.start} < release {op.release}"))
        if problem.horizon_hint is not None and a.end > problem.horizon_hint:
            found.append(Violation("after_horizon", op.id, f"ends {a.end} > {problem.horizon_hint}"))
    return found


def _resources(problem: Problem, plan: Plan) -> list[Violation]:
    found = []
    by_resource = defaultdict(list)
    for a in plan.assignments.values():
        by_resource[a.resource_id].append(a)
    for resource in problem.resources:
        work = by_resource.get(resource.id, [])
        for a in work:
            for start, end in resource.closed:
                if a.start < end and start < a.end and a.end > a.start:
                    found.append(
                        Violation("in_closed_hours", a.operation_id, f"{resource.id} closed {start}-{end}")
                    )
        # sweep: ends sort before starts at the same minute (half-open intervals)
        events = sorted(
            [(a.start, 1) for a in work if a.end > a.start] + [(a.end, -1) for a in work if a.end > a.start]
        )
        level = 0
        for time, delta in events:
            level += delta
            if level > resource.capacity:
                found.append(Violation("over_capacity", resource.id, f"{level} jobs at minute {time}"))
                break
    return found


def _transport(problem: Problem, plan: Plan) -> list[Violation]:
    found = []
    site = {r.id: r.site_id for r in problem.resources}
    offers = {(o.carrier_id, o.from_site, o.to_site): o for o in problem.carrier_options}
    ops = {op.id: op for op in problem.operations}
    legs = defaultdict(list)
    for leg in plan.legs:
        legs[(leg.from_operation, leg.to_operation)].append(leg)
    expected: set[tuple[str | None, str]] = set()

    def check_leg(key: tuple[str, str], from_site: str, to_site: str, departure: int) -> int | None:
        """The leg's arrival if it is a real offer leaving on time, else None (after recording why)."""
        expected.add(key)
        found_legs = legs.get(key, [])
        if len(found_legs) != 1:
            found.append(Violation("transport_missing", f"{key[0]}->{key[1]}", f"{len(found_legs)} legs"))
            return None
        leg = found_legs[0]
        offer = offers.get((leg.carrier_id, from_site, to_site))
        if (leg.from_site, leg.to_site) != (from_site, to_site) or offer is None:
            found.append(Violation("transport_invalid", f"{key[0]}->{key[1]}", f"no such offer: {leg}"))
            return None
        if leg.arrival - leg.departure != offer.duration or leg.cost_minor != offer.cost_minor:
            found.append(
                Violation("transport_invalid", f"{key[0]}->{key[1]}", "duration or cost differs from offer")
            )
        if leg.departure < departure:
            found.append(Violation("transport_invalid", f"{key[0]}->{key[1]}", "leaves before the work ends"))
        return leg.arrival

    for op in problem.operations:
        succ = plan.assignments[op.id]
        for p in op.predecessors:
            pred = plan.assignments[p]
            if site[pred.resource_id] == site[succ.resource_id]:
                if succ.start < pred.end:
                    found.append(Violation("precedence", f"{p}->{op.id}", f"{succ.start} < {pred.end}"))
                continue
            arrival = check_leg((p, op.id), site[pred.resource_id], site[succ.resource_id], pred.end)
            if arrival is not None and arrival > succ.start:
                found.append(
                    Violation("precedence", f"{p}->{op.id}", f"arrives {arrival} > start {succ.start}")
                )

    for order in problem.orders:
        members = [op for op in problem.operations if op.order_id == order.id]
        if not members:
            continue
        waited_for = {
            p for op in members for p in op.predecessors if ops.get(p) and ops[p].order_id == order.id
        }
        done = 0
        for op in members:
            if op.id in waited_for:
                continue
            a = plan.assignments[op.id]
            finish = a.end
            if order.delivery_site is not None and site[a.resource_id] != order.delivery_site:
                arrival = check_leg((op.id, DELIVERY), site[a.resource_id], order.delivery_site, a.end)
                finish = arrival if arrival is not None else finish
            done = max(done, finish)
        if plan.completion.get(order.id) != done:
            found.append(
                Violation("completion_wrong", order.id, f"{plan.completion.get(order.id)} != {done}")
            )
        if order.deadline is not None and done > order.deadline:
            found.append(Violation("deadline_missed", order.id, f"{done} > {order.deadline}"))
    for key in legs:
        if key not in expected:
            found.append(Violation("extra_leg", f"{key[0]}->{key[1]}"))
    return found


def _costs(problem: Problem, plan: Plan) -> list[Violation]:
    found = []
    production = sum(a.cost_minor for a in plan.assignments.values())
    transport = sum(leg.cost_minor for leg in plan.legs)
    lateness = sum(o.lateness_weight * max(0, plan.completion.get(o.id, 0) - o.due) for o in problem.orders)
    actual = (plan.costs.production, plan.costs.transport, plan.costs.lateness)
    if actual != (production, transport, lateness):
        found.append(Violation("cost_mismatch", "plan", f"{actual} != {(production, transport, lateness)}"))
    w = problem.weights
    makespan = max([a.end for a in plan.assignments.values()] + list(plan.completion.values()), default=0)
    objective = w.cost * (production + transport) + w.lateness * lateness + w.makespan * makespan
    if plan.objective is not None and plan.objective != objective:
        found.append(Violation("objective_mismatch", "plan", f"{plan.objective} != {objective}"))
    return found
