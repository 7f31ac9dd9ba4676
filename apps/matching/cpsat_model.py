"""The CP-SAT formulation (flexible job shop with transport, calendars and costs).

Per free operation: a start variable shared by one optional fixed-size interval per candidate resource, exactly
one of them present, and a main interval spanning the chosen duration; `NoOverlap` per single-unit resource,
`Cumulative` per multi-unit one, plus redundant cumulatives over groups of interchangeable resources.

Fixed work and operations pinned by the large-neighbourhood search are constants, never variables. On a
single-unit resource they and the calendar's closed hours become holes in the start domain of every operation
that may use it (exact, and far smaller than hundreds of fixed intervals); on a multi-unit resource they are
fixed intervals in its cumulative (closures take the whole capacity).

Transport between the sites of consecutive operations (and to the customer), per precedence arc, in one of two
forms:
- pair form (small arcs: quotes, LNS neighbourhoods): one literal per (site pair, carrier) option, tied to both
  operations' site literals like a transportation problem, so travel time and cost are linear sums (strong LP);
- compact form (arcs with more than PAIR_OPTIONS_LIMIT options): an operation's site is a linear expression of
  its presence literals, so the travel time into site s is `Σ_a T(a, s)·site_a(pred)` — one enforced linear
  constraint per (site of the side with fewer sites, carrier) instead of a literal per pair of sites
  (ARCHITECTURE §8), with a carrier-choice literal per arc only when several carriers are worth choosing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .assemble import duration_on
from .domain import DELIVERY, Plan
from .indexing import ProblemIndex
from .timeline import Timeline

Literal = cp_model.IntVar | bool
Expr = cp_model.LinearExprT


# Above this many (site pair, carrier) options an arc uses the compact form (ARCHITECTURE §8: a literal per pair
# of candidate sites does not scale to a whole marketplace; quotes and LNS neighbourhoods stay far below it).
PAIR_OPTIONS_LIMIT = 1200


@dataclass(frozen=True, slots=True)
class Pin:
    """An operation held constant in this model (work already started, or outside an LNS neighbourhood)."""

    resource_id: str
    start: int


@dataclass
class _OpVars:
    start: Expr
    end: Expr
    duration: Expr
    presence: dict[str, Literal]
    sites: dict[str, Literal]
    main: cp_model.IntervalVar | None = None


@dataclass
class _ArcVars:
    carrier: dict[str, Literal] = field(default_factory=dict)  # compact form: carrier -> literal
    cost: Expr = 0
    # pair form: (literal, from site, to site, carrier or None when both ends share the site)
    options: list[tuple[Literal, str, str, str | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ModelOptions:
    redundant: str = "subset"  # "none" | "identical" | "subset": redundant cumulatives over machine groups
    makespan_lb: int = 0
    makespan_ub: int | None = None
    # under the makespan (lexicographically), minimise Σ max(0, completion - tail_floor) over orders: the LNS's
    # slope on a makespan plateau (fewer and shorter orders at the very end); None: makespan alone
    tail_floor: int | None = None


class MatchingModel:
    def __init__(
        self,
        index: ProblemIndex,
        *,
        horizon: int,
        pins: Mapping[str, Pin] | None = None,
        restrict: Mapping[str, Collection[str]] | None = None,
        sequence_arcs: Sequence[tuple[str, str]] = (),
        options: ModelOptions = ModelOptions(),
        incumbent: Plan | None = None,
    ) -> None:
        """`pins` hold operations constant; `restrict` narrows an operation to some of its candidates; `sequence_arcs` are
        extra precedences (an incumbent's machine sequence); `incumbent` supplies the constant completion and
        delivery cost of orders whose operations are all pinned, so those orders need no variables."""
        self.index = index
        self.problem = index.problem
        self.horizon = horizon
        self.options = options
        self.pins: dict[str, Pin] = dict(pins or {})
        for op in self.problem.operations:
            if op.fixed is not None:
                self.pins[op.id] = Pin(op.fixed.resource_id, op.fixed.start)
        self.restrict = restrict or {}
        self.incumbent = incumbent
        self.model = cp_model.CpModel()
        self.ops: dict[str, _OpVars] = {}
        self.arcs: dict[tuple[str, str], _ArcVars] = {}
        self.completion: dict[str, cp_model.IntVar] = {}
        self.tardiness: dict[str, cp_model.IntVar] = {}
        self.makespan: cp_model.IntVar | None = None
        self.objective_offset = 0
        self._resource_intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        self._pinned_work: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._busy: dict[str, Timeline] = {}
        self._build_operations()
        self._build_resources()
        self._build_redundant_cumulatives()
        self._build_arcs()
        for pred, succ in sequence_arcs:
            self.model.add(self.ops[succ].start >= self.ops[pred].end)
        self._build_orders()
        self._build_objective()

    # ---------------------------------------------------------------------------------------------- operations

    def _build_operations(self) -> None:
        model, index, horizon = self.model, self.index, self.horizon
        est = index.earliest_starts
        for op_id, pin in self.pins.items():
            self._pinned_work[pin.resource_id].append(
                (pin.start, duration_on(index.ops[op_id], pin.resource_id))
            )
        for op in self.problem.operations:
            pin = self.pins.get(op.id)
            if pin is not None:
                duration = duration_on(op, pin.resource_id)
                self.ops[op.id] = _OpVars(
                    pin.start,
                    pin.start + duration,
                    duration,
                    {pin.resource_id: True},
                    {index.site_of[pin.resource_id]: True},
                )
                offer = index.offers.get((op.id, pin.resource_id))
                self.objective_offset += self.problem.weights.cost * (offer.cost_minor if offer else 0)
                continue
            candidates = op.candidates
            if op.id in self.restrict:
                candidates = tuple(c for c in candidates if c.resource_id in self.restrict[op.id])
            durations = sorted({c.duration for c in candidates})
            lb = max(op.release, est[op.id])
            ub = max(lb, horizon - durations[0])
            slots = {
                c.resource_id: self._start_slots(c.resource_id, c.duration, lb, horizon - c.duration)
                for c in candidates
            }
            if len(candidates) == 1 and slots[candidates[0].resource_id] is not None:
                domain = cp_model.Domain.from_intervals(slots[candidates[0].resource_id] or [[lb, lb]])
                start = model.new_int_var_from_domain(domain, f"s_{op.id}")
                if not slots[candidates[0].resource_id]:
                    model.add_bool_or(
                        [False]
                    )  # no room on its only resource (precheck normally says so first)
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
                self._resource_intervals[only.resource_id].append(main)
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
                    self._resource_intervals[c.resource_id].append(alt)
                    if len(durations) > 1:
                        model.add(duration == c.duration).only_enforce_if(lit)
                model.add_exactly_one(presence.values())
            self.ops[op.id] = _OpVars(
                start, end, duration, presence, self._site_literals(op.id, presence), main
            )

    def _encodes_busy_time(self, resource_id: str) -> bool:
        """Single-unit resources carry their closures and fixed work as holes in the start domains of the
        operations that may use them, not as intervals: exact, and far smaller than hundreds of fixed intervals."""
        resource = self.index.resources[resource_id]
        return resource.capacity == 1 and bool(resource.closed or self._pinned_work.get(resource_id))

    def _start_slots(self, resource_id: str, duration: int, lb: int, ub: int) -> list[list[int]] | None:
        """Start times in [lb, ub] at which `duration` minutes fit between the resource's closures and fixed
        work, as intervals; None when the resource has no such busy time (any start will do)."""
        if not self._encodes_busy_time(resource_id):
            return None
        timeline = self._busy.get(resource_id)
        if timeline is None:
            timeline = self.index.calendar(resource_id).copy()
            for start, length in self._pinned_work.get(resource_id, ()):
                timeline.book(start, start + length)
            self._busy[resource_id] = timeline
        slots: list[list[int]] = []
        t = lb
        while t <= ub:
            start = timeline.earliest_start(t, duration)
            if start is None or start > ub:
                break
            gap_end = timeline.next_busy_after(start)
            slots.append([start, min(ub, gap_end - duration)])
            if gap_end >= ub + duration:
                break
            t = gap_end
        return slots

    def _site_literals(self, op_id: str, presence: dict[str, Literal]) -> dict[str, Literal]:
        by_site: dict[str, list[Literal]] = defaultdict(list)
        for resource_id, lit in presence.items():
            by_site[self.index.site_of[resource_id]].append(lit)
        if len(by_site) == 1:
            return {next(iter(by_site)): True}
        sites: dict[str, Literal] = {}
        for site, lits in by_site.items():
            if len(lits) == 1:
                sites[site] = lits[0]
            else:
                at_site = self.model.new_bool_var(f"y_{op_id}_{site}")
                self.model.add(at_site == sum(lits))
                sites[site] = at_site
        return sites

    # ---------------------------------------------------------------------------------------------- resources

    def _build_resources(self) -> None:
        model, horizon = self.model, self.horizon
        for resource in self.problem.resources:
            intervals = list(self._resource_intervals.get(resource.id, []))
            if not intervals:
                continue  # nothing to decide on this resource
            if self._encodes_busy_time(resource.id):  # closures and fixed work are holes in the start domains
                if len(intervals) > 1:
                    model.add_no_overlap(intervals)
                continue
            for start, duration in self._pinned_work.get(resource.id, []):
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

    def _build_redundant_cumulatives(self) -> None:
        """Operations whose candidates all lie in a machine group G can never use more than |G| units at once.

        One cumulative per distinct candidate set of two or more resources, over the main intervals of the free
        operations whose candidate set is that set ("identical") or inside it ("subset").
        """
        mode = self.options.redundant
        if mode == "none":
            return
        free_sets: dict[str, frozenset[str]] = {
            op_id: frozenset(v.presence) for op_id, v in self.ops.items() if op_id not in self.pins
        }
        groups = {s for s in free_sets.values() if len(s) > 1}
        capacity = {r.id: r.capacity for r in self.problem.resources}
        for group in sorted(groups, key=sorted):
            if mode == "identical":
                members = [op_id for op_id, s in free_sets.items() if s == group]
            else:
                members = [op_id for op_id, s in free_sets.items() if s <= group]
            total = sum(capacity[r] for r in group)
            if len(members) <= total:
                continue
            intervals = [self.ops[m].main for m in members]
            self.model.add_cumulative(intervals, [1] * len(intervals), total)

    # ---------------------------------------------------------------------------------------------- transport

    def _link(
        self,
        key: tuple[str, str],
        pred_end: Expr,
        pred_sites: dict[str, Literal],
        succ_start: Expr,
        succ_sites: dict[str, Literal],
    ) -> None:
        """succ_start >= pred_end + travel time between the chosen sites, and the leg's cost."""
        if self._link_pairs(key, pred_end, pred_sites, succ_start, succ_sites):
            return
        model, index = self.model, self.index
        with_cost = self.problem.weights.cost > 0
        model.add(succ_start >= pred_end)
        pairs = [(a, b) for a in pred_sites for b in succ_sites if a != b]
        if not pairs:
            return
        for a, b in pairs:
            if not index.routes(a, b):
                _forbid_both(model, pred_sites[a], succ_sites[b])
        carriers = sorted({o.carrier_id for a, b in pairs for o in index.routes(a, b)})
        if not carriers:
            return
        arc = _ArcVars()
        if len(carriers) > 1:
            arc.carrier = {k: model.new_bool_var(f"c_{key[0]}_{key[1]}_{k}") for k in carriers}
            model.add_exactly_one(arc.carrier.values())
        if with_cost:
            top = max(o.cost_minor for a, b in pairs for o in index.routes(a, b))
            arc.cost = model.new_int_var(0, top, f"tc_{key[0]}_{key[1]}")
        pred_is_guard = len(pred_sites) <= len(succ_sites)
        guard_sites, other_sites = (pred_sites, succ_sites) if pred_is_guard else (succ_sites, pred_sites)
        for guard_site, guard_lit in guard_sites.items():
            for carrier in carriers:
                carrier_lit = arc.carrier.get(carrier, True)
                enforce = [lit for lit in (guard_lit, carrier_lit) if lit is not True]
                travel: list[tuple[int, Literal]] = []
                price: list[tuple[int, Literal]] = []
                for other_site, other_lit in other_sites.items():
                    if other_site == guard_site:
                        continue
                    pair = (guard_site, other_site) if pred_is_guard else (other_site, guard_site)
                    offer = next((o for o in index.routes(*pair) if o.carrier_id == carrier), None)
                    if offer is None:
                        if index.routes(*pair):  # served, but not by this carrier
                            _forbid_all(model, enforce + ([other_lit] if other_lit is not True else []))
                        continue
                    travel.append((offer.duration, other_lit))
                    price.append((offer.cost_minor, other_lit))
                if travel:
                    model.add(succ_start >= pred_end + _weighted(travel)).only_enforce_if(enforce)
                if with_cost and price:
                    model.add(arc.cost >= _weighted(price)).only_enforce_if(enforce)
        self.arcs[key] = arc

    def _link_pairs(
        self,
        key: tuple[str, str],
        pred_end: Expr,
        pred_sites: dict[str, Literal],
        succ_start: Expr,
        succ_sites: dict[str, Literal],
    ) -> bool:
        """The tight form when it is small: one literal per (site pair, carrier) option, tied to both ends' site
        literals like a transportation problem, so travel time and cost are plain linear sums (a strong LP).
        False, having added nothing, when the options exceed PAIR_OPTIONS_LIMIT."""
        index = self.index
        offers: list[tuple[str, str, str | None, int, int]] = []
        for a in pred_sites:
            for b in succ_sites:
                if a == b:
                    offers.append((a, b, None, 0, 0))
                else:
                    offers.extend((a, b, o.carrier_id, o.duration, o.cost_minor) for o in index.routes(a, b))
                if len(offers) > PAIR_OPTIONS_LIMIT:
                    return False
        model = self.model
        arc = _ArcVars()
        if not offers:
            model.add_bool_or([False])  # precheck reports this; keep the model honest if it is reached anyway
            return True
        if len(offers) == 1:
            a, b, carrier, duration, cost = offers[0]
            model.add(succ_start >= pred_end + duration)
            arc.options = [(True, a, b, carrier)]
            arc.cost = cost
            self.arcs[key] = arc
            return True
        lits = [model.new_bool_var(f"z_{key[0]}_{key[1]}_{a}_{b}_{k}") for a, b, k, _, _ in offers]
        for site, lit in pred_sites.items():
            model.add(sum(z for z, (a, _, _, _, _) in zip(lits, offers, strict=True) if a == site) == lit)
        for site, lit in succ_sites.items():
            model.add(sum(z for z, (_, b, _, _, _) in zip(lits, offers, strict=True) if b == site) == lit)
        model.add(succ_start >= pred_end + sum(o[3] * z for z, o in zip(lits, offers, strict=True) if o[3]))
        arc.cost = sum(o[4] * z for z, o in zip(lits, offers, strict=True) if o[4])
        arc.options = [(z, a, b, k) for z, (a, b, k, _, _) in zip(lits, offers, strict=True)]
        self.arcs[key] = arc
        return True

    def _build_arcs(self) -> None:
        for arc in self.index.arcs:
            if arc.pred in self.pins and arc.succ in self.pins:
                self.objective_offset += self.problem.weights.cost * self._pinned_leg_cost(arc.pred, arc.succ)
                continue
            pred, succ = self.ops[arc.pred], self.ops[arc.succ]
            self._link((arc.pred, arc.succ), pred.end, pred.sites, succ.start, succ.sites)

    def _pinned_leg_cost(self, pred: str, succ: str) -> int:
        index = self.index
        a = index.site_of[self.pins[pred].resource_id]
        b = index.site_of[self.pins[succ].resource_id]
        if a == b:
            return 0
        departure = self.ops[pred].end
        arrive_by = self.pins[succ].start
        in_time = [o.cost_minor for o in index.routes(a, b) if departure + o.duration <= arrive_by]  # type: ignore[operator]
        return min(in_time, default=0)

    # ---------------------------------------------------------------------------------------------- orders

    def _build_orders(self) -> None:
        model, index = self.model, self.index
        weights = self.problem.weights
        top = self.horizon + index.max_route_duration
        constant_completions: list[int] = []
        delivery_cost: dict[str, int] = defaultdict(int)
        for leg in self.incumbent.legs if self.incumbent is not None else ():
            if leg.to_operation == DELIVERY:
                delivery_cost[leg.order_id] += leg.cost_minor
        for order in self.problem.orders:
            sinks = index.sinks.get(order.id)
            if not sinks:
                continue
            if self._order_is_constant(order.id):
                assert self.incumbent is not None
                finished = self.incumbent.completion[order.id]
                constant_completions.append(finished)
                self.objective_offset += weights.cost * delivery_cost[order.id]
                self.objective_offset += (
                    weights.lateness * order.lateness_weight * max(0, finished - order.due)
                )
                continue
            done = model.new_int_var(0, top, f"C_{order.id}")
            self.completion[order.id] = done
            for sink in sinks:
                v = self.ops[sink]
                if order.delivery_site is None:
                    model.add(done >= v.end)
                else:
                    self._link((sink, DELIVERY), v.end, v.sites, done, {order.delivery_site: True})
            if order.deadline is not None:
                model.add(done <= order.deadline)
            if weights.lateness and order.lateness_weight:
                late = model.new_int_var(0, max(0, top - order.due), f"T_{order.id}")
                model.add(late >= done - order.due)
                self.tardiness[order.id] = late
        if weights.makespan:
            lb = self.options.makespan_lb
            ub = self.options.makespan_ub if self.options.makespan_ub is not None else top
            lb = max([lb, *constant_completions])
            self.makespan = model.new_int_var(min(lb, ub), max(lb, ub), "makespan")
            if lb > ub:  # asked to beat a makespan already at its lower bound: nothing to find
                model.add_bool_or([False])
            for done in self.completion.values():
                model.add(self.makespan >= done)

    def _order_is_constant(self, order_id: str) -> bool:
        if self.incumbent is None or order_id not in self.incumbent.completion:
            return False
        return all(op_id in self.pins for op_id in self.index.ops_of_order[order_id])

    def _build_objective(self) -> None:
        weights = self.problem.weights
        terms: list[Expr] = []
        if weights.cost:
            for op in self.problem.operations:
                if op.id in self.pins:
                    continue
                for c in op.candidates:
                    lit = self.ops[op.id].presence.get(c.resource_id)
                    if lit is True:
                        self.objective_offset += weights.cost * c.cost_minor
                    elif lit is not None and c.cost_minor:
                        terms.append(weights.cost * c.cost_minor * lit)
            for arc in self.arcs.values():
                if isinstance(arc.cost, int):
                    self.objective_offset += weights.cost * arc.cost
                else:
                    terms.append(weights.cost * arc.cost)
        if weights.lateness:
            orders = self.index.orders
            terms += [weights.lateness * orders[o].lateness_weight * t for o, t in self.tardiness.items()]
        if self.makespan is not None:
            floor = self.options.tail_floor
            if floor is not None:
                top = self.horizon + self.index.max_route_duration
                scale = len(self.completion) * (top - floor + 1) + 1
                terms.append(weights.makespan * scale * self.makespan)
                for order_id, done in self.completion.items():
                    tail = self.model.new_int_var(0, max(0, top - floor), f"tail_{order_id}")
                    self.model.add(tail >= done - floor)
                    terms.append(tail)
            else:
                terms.append(weights.makespan * self.makespan)
        self.model.minimize(sum(terms) + self.objective_offset)

    # ---------------------------------------------------------------------------------------------- hints

    def add_hint(self, plan: Plan) -> None:
        """Hint every decision variable from a complete plan (a partial hint is worth much less to CP-SAT)."""
        model = self.model
        model.clear_hints()
        hinted: set[int] = set()

        def _hint(_: object, var: object, value: int) -> None:
            """Hint each variable once (a site literal may be a presence literal; CP-SAT rejects duplicates)."""
            if isinstance(var, cp_model.IntVar) and var.index not in hinted:
                hinted.add(var.index)
                model.add_hint(var, value)

        site_of = self.index.site_of
        for op_id, v in self.ops.items():
            if op_id in self.pins:
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
        for key, arc in self.arcs.items():
            leg = legs.get(key)
            chosen = leg.carrier_id if leg else next(iter(arc.carrier), None)
            for carrier, lit in arc.carrier.items():
                _hint(model, lit, int(carrier == chosen))
            _hint(model, arc.cost, leg.cost_minor if leg else 0)
            if arc.options:
                ends = self._planned_sites(plan, key)
                if ends is not None:
                    wanted = (*ends, leg.carrier_id if leg else None)
                    for lit, a, b, carrier in arc.options:
                        _hint(model, lit, int((a, b, carrier) == wanted))
        for order_id, var in self.completion.items():
            if order_id in plan.completion:
                _hint(model, var, plan.completion[order_id])
                if order_id in self.tardiness:
                    _hint(
                        model,
                        self.tardiness[order_id],
                        max(0, plan.completion[order_id] - self.index.orders[order_id].due),
                    )
        if self.makespan is not None and plan.completion:
            _hint(model, self.makespan, max(plan.completion.values()))

    def _planned_sites(self, plan: Plan, key: tuple[str, str]) -> tuple[str, str] | None:
        pred, succ = key
        site_of = self.index.site_of
        if pred not in plan.assignments:
            return None
        if succ == DELIVERY:
            delivery = self.index.orders[self.index.ops[pred].order_id].delivery_site
            return (site_of[plan.assignments[pred].resource_id], delivery) if delivery else None
        if succ not in plan.assignments:
            return None
        return site_of[plan.assignments[pred].resource_id], site_of[plan.assignments[succ].resource_id]

    # ---------------------------------------------------------------------------------------------- solution

    def schedule_from(self, solver: cp_model.CpSolver) -> dict[str, tuple[str, int]]:
        schedule = {}
        for op_id, v in self.ops.items():
            if op_id in self.pins:
                pin = self.pins[op_id]
                schedule[op_id] = (pin.resource_id, pin.start)
                continue
            chosen = next(r for r, lit in v.presence.items() if lit is True or solver.boolean_value(lit))
            schedule[op_id] = (chosen, int(solver.value(v.start)))
        return schedule

    def carriers_from(self, solver: cp_model.CpSolver) -> dict[tuple[str, str], str]:
        choice = {}
        for key, arc in self.arcs.items():
            for carrier, lit in arc.carrier.items():
                if solver.boolean_value(lit):
                    choice[key] = carrier
            for lit, _, _, carrier in arc.options:
                if carrier is not None and (lit is True or solver.boolean_value(lit)):
                    choice[key] = carrier
        return choice


def _cost(op, resource_id: str) -> int:
    return next((c.cost_minor for c in op.candidates if c.resource_id == resource_id), 0)


def _weighted(terms: list[tuple[int, Literal]]) -> Expr:
    return sum(coef if lit is True else coef * lit for coef, lit in terms)


def _forbid_both(model: cp_model.CpModel, a: Literal, b: Literal) -> None:
    _forbid_all(model, [lit for lit in (a, b) if lit is not True])


def _forbid_all(model: cp_model.CpModel, lits: list[Literal]) -> None:
    """Not all of these literals may hold; an empty list means the situation is impossible outright."""
    if not lits:
        model.add_bool_or([False])
    else:
        model.add_bool_or([lit.Not() for lit in lits])
