"""Ruin and recreate without a solver: take a few orders out of a plan and put each back at its best place given
everything else, by dynamic programming over its routing.

With the rest of the plan held, one order's best placement is exact and cheap: along its routing, each step on
each candidate resource keeps the Pareto front of (ready time, cost so far); a later ready time never lets a step
start sooner (the earliest slot on a timeline only moves later), so nothing off the front can win. Each front
entry knows the carriers it took, so the plan gets exactly the legs the search priced.

It applies where an order's objective is its own business: cost and lateness (no makespan term), every routing
an in-tree (each step feeds at most one other step of its order; two parts may join), no precedence across
orders and no fixed work in a moved order. `Reinsertion.applies` says whether a problem qualifies; the LNS then
uses it as one more kind of step, much cheaper than a CP-SAT neighbourhood of one or two orders.
"""

from __future__ import annotations

import math
import operator
import random
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from .assemble import carrier_choice, plan_moved
from .domain import DELIVERY, Operation, Plan
from .indexing import ProblemIndex
from .shortlist import shortlist
from .timeline import Timeline


@dataclass(frozen=True, slots=True)
class _Step:
    id: str
    preds: tuple[str, ...]  # within the order
    release: int
    options: tuple[tuple[str, str, int, int], ...]  # (resource, site, duration, weighted production cost)
    after: int  # the least weighted production the steps after this one (to the customer) still cost
    cheapest: int  # the least weighted production of this step
    tail: int  # the least time from this step's start to the customer
    shortest: int  # the step's shortest duration
    cheapest_at: dict[str, int]  # per site, the least weighted production of this step there


@dataclass(frozen=True, slots=True)
class _Route:
    steps: tuple[_Step, ...]  # topological
    sink: str
    due: int
    late_weight: int  # weights.lateness · the order's lateness weight
    delivery: str | None
    deadline: int | None
    least: int  # the least weighted production of all its steps: what the order costs at the very least


@dataclass(frozen=True, slots=True)
class _LegArrays:
    """The carriers worth taking between every two sites where some step can run, fastest first, as one array:
    row `to + size · from`, then carrier, then (minutes, weighted price, served); a site to itself is served by
    no carrier (None) at no time or cost."""

    number: dict[str, int]
    size: int
    rows: np.ndarray  # int64 (size · size, carriers, 3)
    carrier: list[list[list[str | None]]]  # [from][to][k]
    longest: int  # the longest leg's minutes
    dearest: int  # the dearest leg's weighted price

    @classmethod
    def build(cls, index: ProblemIndex, cost_weight: int) -> _LegArrays:
        sites = sorted(
            {index.site_of[c.resource_id] for op in index.problem.operations for c in op.candidates}
        )
        fronts = {(a, b): index.routes(a, b) for a in sites for b in sites if a != b}
        width = max([1] + [len(front) for front in fronts.values()])
        n = len(sites)
        rows = np.zeros((n * n, width, 3), dtype=np.int64)
        carrier: list[list[list[str | None]]] = [[[None] * width for _ in sites] for _ in sites]
        for i, a in enumerate(sites):
            rows[i + n * i, 0, 2] = 1
            for j, b in enumerate(sites):
                for k, offer in enumerate(fronts.get((a, b), ())):
                    rows[j + n * i, k] = (offer.duration, cost_weight * offer.cost_minor, 1)
                    carrier[i][j][k] = offer.carrier_id
        longest, dearest = int(rows[:, :, 0].max(initial=0)), int(rows[:, :, 1].max(initial=0))
        return cls({site: i for i, site in enumerate(sites)}, n, rows, carrier, longest, dearest)


# A placement's budget prunes most partial placements: a construction (Reinsertion.construct) first looks for one
# at most these many times the order's cheapest production, then without a budget
CONSTRUCT_BUDGETS = (1.2, 1.5, 2.5)

# Sorts after every usable option's key (see Reinsertion._key_shift)
_LAST = np.iinfo(np.int64).max


# A front entry: (ready or end time, weighted cost so far, site, resource or None, start, inbound choices), where
# the inbound choices are, per predecessor, (its entry, the carrier id or None when both share a site).
_Entry = tuple


class Reinsertion:
    def __init__(self, index: ProblemIndex, horizon: int, candidates: int | None = None) -> None:
        """`candidates`: how many candidates per step a placement looks at (see `shortlist`); None: all."""
        self.index = index
        self.candidates = candidates
        self.horizon = horizon
        self.weights = index.problem.weights
        self.routes: dict[str, _Route] = {}
        if not self.applies(index):
            return
        for order in index.problem.orders:
            route = self._route(order.id)
            if route is not None:
                self.routes[order.id] = route
        self._timelines: dict[str, Timeline] = {}
        self._timelines_of: Plan | None = None
        self._leg_table: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        self._leg_arrays = _LegArrays.build(index, self.weights.cost)
        self._key_shift = self._composite_key_shift()

    def _composite_key_shift(self) -> int:
        """A power of two above any cost so far a placement can reach, so that ready · shift + cost orders the
        options by time, then cost; 0 when such keys could overflow 63 bits (then two keys are sorted)."""
        legs = self._leg_arrays
        most = max(
            [0]
            + [
                sum(
                    max(option[3] for option in step.options) + legs.dearest * len(step.preds)
                    for step in r.steps
                )
                for r in self.routes.values()
            ]
        )
        shift = 1 << int(most).bit_length()
        latest = self.horizon + max(legs.longest, 0) + 1  # options arriving after the horizon are kept too
        return shift if latest * shift < 1 << 62 else 0

    @staticmethod
    def applies(index: ProblemIndex) -> bool:
        weights = index.problem.weights
        if weights.makespan or weights.makespan_only:
            return False
        return all(index.ops[arc.pred].order_id == index.ops[arc.succ].order_id for arc in index.arcs)

    def _route(self, order_id: str) -> _Route | None:
        index = self.index
        op_ids = index.ops_of_order[order_id]
        ops = [index.ops[o] for o in op_ids]
        if not ops or any(op.fixed is not None for op in ops):
            return None
        if any(len(index.successors[o]) > 1 for o in op_ids):
            return None  # not an in-tree: one part feeding two steps would need a joint choice
        sinks = index.sinks.get(order_id, [])
        if len(sinks) != 1:
            return None
        position = index.topological_position
        ordered = sorted(ops, key=lambda op: position[op.id])
        cheapest = {op.id: self.weights.cost * min(c.cost_minor for c in op.candidates) for op in ops}
        after: dict[str, int] = {}
        for op in reversed(ordered):  # in an in-tree each step has at most one successor
            later = index.successors[op.id]
            after[op.id] = (after[later[0]] + cheapest[later[0]]) if later else 0
        steps = tuple(
            _Step(
                op.id,
                tuple(op.predecessors),
                op.release,
                tuple(
                    (
                        c.resource_id,
                        index.site_of[c.resource_id],
                        c.duration,
                        self.weights.cost * c.cost_minor,
                    )
                    for c in op.candidates
                ),
                after[op.id],
                cheapest[op.id],
                index.tails[op.id],
                index.min_duration(op),
                _cheapest_per_site(index, op, self.weights.cost),
            )
            for op in ordered
        )
        order = index.orders[order_id]
        return _Route(
            steps,
            sinks[0],
            order.due,
            self.weights.lateness * order.lateness_weight,
            order.delivery_site,
            order.deadline,
            sum(cheapest.values()),
        )

    # ------------------------------------------------------------------------------------------- one order

    def order_value(self, plan: Plan, order_id: str) -> int:
        """What the order adds to the plan's objective: its production, its legs, its lateness."""
        index, weights = self.index, self.weights
        production = sum(plan.assignments[o].cost_minor for o in index.ops_of_order[order_id])
        legs = self._leg_cost.get(order_id, 0)
        order = index.orders[order_id]
        late = max(0, plan.completion[order_id] - order.due)
        return weights.cost * (production + legs) + weights.lateness * order.lateness_weight * late

    def best_placement(
        self,
        order_id: str,
        timelines: dict[str, Timeline],
        budget: float = math.inf,
        allowed: dict[str, set[str]] | None = None,
    ) -> tuple[float, dict[str, tuple[str, int, int]], dict[tuple[str, str], str]] | None:
        """(value, op -> (resource, start, end), (pred, succ or DELIVERY) -> carrier) of the order's cheapest
        placement on these timelines, legs and lateness included, its steps fitting together; None when it fits
        nowhere or costs `budget` or more (partial placements whose cost and the least the rest can cost reach
        it are dropped on the way)."""
        route = self.routes[order_id]
        horizon, due, late_weight = self.horizon, route.due, route.late_weight
        fronts: dict[str, list[_Entry]] = {}
        for step in route.steps:
            entries: list[_Entry] = []
            add = entries.append
            limit = budget - step.after
            keep = allowed.get(step.id) if allowed is not None else None
            rest = step.tail - step.shortest  # the least time from this step's end to the customer
            options = [
                option for option in step.options if option[3] < limit and (keep is None or option[0] in keep)
            ]
            if step.preds:
                arrivals_at = self._arrivals(step, {o[1] for o in options}, fronts, limit, route)
            for resource_id, site, duration, cost in options:
                arrivals = arrivals_at.get(site) if step.preds else [(step.release, 0, ())]
                if not arrivals:
                    continue
                earliest_start = timelines[resource_id].earliest_start
                last_start = -math.inf
                for ready, spent, inbound in arrivals:  # earliest first, cost falling
                    spent += cost
                    if spent >= limit:
                        continue
                    if ready <= last_start:
                        # the slot found for an earlier arrival is still the earliest one: as soon, and cheaper
                        # (this arrival's cost is lower), so it takes the place of the entry made for it
                        entries[-1] = (entries[-1][0], spent, site, resource_id, last_start, inbound)
                        continue
                    start = earliest_start(ready, duration)
                    if start is None:
                        break  # nothing fits before the horizon, nor will it for a later arrival
                    end = start + duration
                    if end > horizon:
                        break
                    # lateness the end makes certain: what cannot come in under the budget is left out
                    late = end + rest - due
                    if late > 0 and spent + late_weight * late >= limit:
                        continue
                    last_start = start
                    add((end, spent, site, resource_id, start, inbound))
            if not entries:
                return None
            fronts[step.id] = _per_site_front(entries)
        finishes = []
        for entry in fronts[route.sink]:
            end, spent, site = entry[0], entry[1], entry[2]
            for done, price, carrier in self._deliveries(site, end, route.delivery):
                if route.deadline is not None and done > route.deadline:
                    continue
                value = spent + price + route.late_weight * max(0, done - route.due)
                if value < budget:
                    finishes.append((value, entry, carrier))
        # Each branch of the tree was placed on the timelines without the order's own other steps, so two parallel
        # parts may have taken one machine at once: the cheapest placement whose steps also fit together.
        if not finishes:
            return None
        cheapest = min(finishes, key=operator.itemgetter(0))  # almost always fits: no sort on the hot path
        for value, entry, carrier in (cheapest, *sorted(finishes, key=operator.itemgetter(0))):
            schedule, carriers = self._unwound(route, entry, carrier)
            if _fit_together(schedule, timelines):
                return value, schedule, carriers
        return None

    def _unwound(
        self, route: _Route, entry: _Entry, carrier: str | None
    ) -> tuple[dict[str, tuple[str, int, int]], dict[tuple[str, str], str]]:
        """The placement a front entry of the order's last step stands for: every step's (resource, start, end),
        and the carrier of every leg."""
        schedule: dict[str, tuple[str, int, int]] = {}
        carriers: dict[tuple[str, str], str] = {}
        if carrier is not None:
            carriers[(route.sink, DELIVERY)] = carrier
        stack = [(route.sink, entry)]
        while stack:
            op_id, (end, _, _, resource_id, start, inbound) = stack.pop()
            schedule[op_id] = (resource_id, start, end)
            for pred, (pred_entry, leg_carrier) in zip(
                self.index.ops[op_id].predecessors, inbound, strict=True
            ):
                if leg_carrier is not None:
                    carriers[(pred, op_id)] = leg_carrier
                stack.append((pred, pred_entry))
        return schedule, carriers

    def _arrivals(
        self, step: _Step, sites: set[str], fronts: dict[str, list[_Entry]], limit: float, route: _Route
    ) -> dict[str, list]:
        """Per site, (ready, cost so far, inbound choices) there, Pareto-minimal, earliest first (cost falling);
        an option is kept only when it, the lateness arriving then makes certain and the site's cheapest
        production cost less than `limit` (what is left for this step and the ones before)."""
        if not sites:
            return {}
        late_after = step.tail - route.due  # arriving at t makes the order at least t + late_after late
        targets = sorted(sites)
        rooms = np.array([limit - step.cheapest_at[site] for site in targets], dtype=np.float64)
        per_pred = [
            self._pred_options(fronts[pred], targets, rooms, late_after, route.late_weight)
            for pred in step.preds
        ]
        release = step.release
        arrivals: dict[str, list] = {}
        for j, site in enumerate(targets):
            if len(per_pred) == 1:  # the usual chain
                options = per_pred[0][j]
                if not options:
                    arrivals[site] = []
                elif options[0][0] >= release:
                    arrivals[site] = [(t, c, (choice,)) for t, c, choice in options]
                else:
                    arrivals[site] = _pareto([(max(t, release), c, (choice,)) for t, c, choice in options])
                continue
            combined = [(release, 0, ())]
            for options_per_site in per_pred:
                options = options_per_site[j]
                if not options:
                    combined = []
                    break
                combined = _pareto(
                    [(max(t0, t), c0 + c, (*ch0, ch)) for t0, c0, ch0 in combined for t, c, ch in options]
                )
            arrivals[site] = combined
        return arrivals

    def _pred_options(
        self, front: list[_Entry], targets: list[str], rooms: np.ndarray, late_after: int, late_weight: int
    ) -> list[list]:
        """Per target site, the predecessor's part there: (ready, cost so far, (its entry, carrier or None)) for
        every entry of its front and every carrier worth taking, Pareto-minimal, earliest first (ties in the
        order entry, then carrier). All sites and carriers at once in arrays: as a Python loop over them this
        was half of a ruin-and-recreate step's time (400 orders / 25 suppliers, measured)."""
        legs = self._leg_arrays
        number = legs.number
        origin_numbers = [number[entry[2]] for entry in front]
        column_numbers = [number[site] for site in targets]
        ends_spent = np.array([(entry[0], entry[1]) for entry in front], dtype=np.int64)
        pairs = np.array(column_numbers)[:, None] + legs.size * np.array(origin_numbers)
        table = legs.rows.take(pairs, axis=0)  # (sites, entries, carriers, duration / price / served)
        n_sites = len(targets)
        ready = (ends_spent[:, 0, None] + table[..., 0]).reshape(n_sites, -1)
        cost = (ends_spent[:, 1, None] + table[..., 1]).reshape(n_sites, -1)
        certain = ready + late_after  # the lateness arriving then makes certain, priced, plus the cost
        np.maximum(certain, 0, out=certain)
        certain *= late_weight
        certain += cost
        usable = (certain < rooms[:, None]) & (table[..., 2].reshape(n_sites, -1) > 0)
        if self._key_shift:  # one integer key sorts faster than two
            key = ready * self._key_shift + cost
            key[~usable] = _LAST
            order = key.argsort(axis=-1, kind="stable")
        else:
            order = np.lexsort((cost, ready, ~usable), axis=-1)
        by_row = np.arange(n_sites)[:, None]
        sorted_cost = cost[by_row, order]
        kept = usable[by_row, order]
        cheapest_before = np.minimum.accumulate(sorted_cost, axis=-1)
        kept[:, 1:] &= sorted_cost[:, 1:] < cheapest_before[:, :-1]
        rows, at = np.nonzero(kept)
        options = order[rows, at]
        carriers, n_carriers = legs.carrier, legs.rows.shape[2]
        per_site: list[list] = [[] for _ in targets]
        for row, t, c, option in zip(
            rows.tolist(),
            ready[rows, options].tolist(),
            cost[rows, options].tolist(),
            options.tolist(),
            strict=True,
        ):
            i, k = divmod(option, n_carriers)
            per_site[row].append((t, c, (front[i], carriers[origin_numbers[i]][column_numbers[row]][k])))
        return per_site

    def _deliveries(self, site: str, end: int, delivery: str | None) -> list[tuple[int, float, str | None]]:
        if delivery is None or delivery == site:
            return [(end, 0, None)]
        return [(end + duration, price, carrier) for duration, price, carrier in self._legs(site, delivery)]

    def _legs(self, from_site: str, to_site: str) -> list[tuple[int, int, str]]:
        """(duration, weighted price, carrier) of the carriers worth taking between two sites, fastest first."""
        legs = self._leg_table.get((from_site, to_site))
        if legs is None:
            legs = self._leg_table[(from_site, to_site)] = [
                (o.duration, self.weights.cost * o.cost_minor, o.carrier_id)
                for o in self.index.routes(from_site, to_site)
            ]
        return legs

    # ------------------------------------------------------------------------------------------- ruin and recreate

    def recreate(
        self, plan: Plan, orders: list[str], rng: random.Random, lead: str | None = None
    ) -> Plan | None:
        """The plan with these orders taken out and put back one after another at their best places (`lead`
        first, the others in a random order or most urgent first), or None when that is no cheaper than `plan`."""
        orders = [o for o in orders if o in self.routes]
        if not orders:
            return None
        moving = {op_id for o in orders for op_id in self.index.ops_of_order[o]}
        timelines = self._timelines_without(plan, moving)
        if rng.random() < 0.5:
            rng.shuffle(orders)
        else:
            orders.sort(key=self._urgency)
        if lead in orders:  # the order the step was chosen for goes back first
            orders.remove(lead)
            orders.insert(0, lead)
        before = sum(self.order_value(plan, o) for o in orders)  # after _timelines_without: it refreshes
        after = 0.0
        placed_at: dict[str, tuple[str, int]] = {}
        carriers: dict[tuple[str, str], str] = {}
        # the orders still to place cost at least their cheapest production: the budget of each placement
        still = sum(self.routes[o].least for o in orders)
        for order_id in orders:
            still -= self.routes[order_id].least
            allowed = None
            if self.candidates is not None:  # the few most promising given where the plan has the neighbours
                allowed = {
                    step.id: shortlist(self.index, plan, step.id, self.candidates, rng)
                    for step in self.routes[order_id].steps
                }
            placed = self.best_placement(order_id, timelines, budget=before - after - still, allowed=allowed)
            if placed is None:
                return None
            value, where, legs = placed
            after += value
            if after + still >= before:
                return None
            _book(timelines, where, placed_at)
            carriers.update(legs)
        # most steps find nothing cheaper and return above: the whole plan's schedule only for the others
        result = plan_moved(self.index, plan, placed_at, carriers, method="reinsert")
        return result if (result.objective or 0) < (plan.objective or 0) else None

    def construct(self, plan: Plan, out_of_time: Callable[[], bool] = lambda: False) -> Plan | None:
        """Every order placed afresh in the order `plan` starts them, each at its cheapest place given the ones
        before it (and `plan`'s work of orders it cannot move): a plan priced as ruin and recreate prices, where
        the dispatch rules place work by time alone. None when an order fits nowhere, or when `out_of_time` says
        so before the last order is placed (a thousand orders take seconds)."""
        moving = {op_id for o in self.routes for op_id in self.index.ops_of_order[o]}
        timelines = self._timelines_without(plan, moving)
        placed_at: dict[str, tuple[str, int]] = {}
        carriers: dict[tuple[str, str], str] = {}
        first_start = {
            order_id: min(plan.assignments[op_id].start for op_id in self.index.ops_of_order[order_id])
            for order_id in self.routes
        }
        for order_id in sorted(self.routes, key=first_start.__getitem__):
            if out_of_time():
                return None
            least = self.routes[order_id].least
            for budget in (*(least * factor for factor in CONSTRUCT_BUDGETS), math.inf):
                placed = self.best_placement(order_id, timelines, budget=budget)
                if placed is not None:
                    break
            if placed is None:
                return None
            _, where, legs = placed
            _book(timelines, where, placed_at)
            carriers.update(legs)
        return plan_moved(self.index, plan, placed_at, carriers, method="reinsert")

    def replay(self, plan: Plan, source: Plan, orders: Collection[str]) -> Plan | None:
        """`plan` with these orders where `source` has them (steps, times and carriers), or None when one of their
        steps does not fit there. Their steps keep their times and legs, so only the machines can clash: checked
        on `plan`'s timelines without them."""
        orders = [o for o in orders if o in self.routes]
        moving = {op_id for o in orders for op_id in self.index.ops_of_order[o]}
        if not moving:
            return None
        timelines = self._timelines_without(plan, moving)
        where = {
            o: (source.assignments[o].resource_id, source.assignments[o].start, source.assignments[o].end)
            for o in moving
        }
        if not _fit_together(where, timelines):
            return None
        wanted = set(orders)
        carriers = carrier_choice(leg for leg in source.legs if leg.order_id in wanted)
        return plan_moved(
            self.index,
            plan,
            {o: (r, start) for o, (r, start, _) in where.items()},
            carriers,
            method="reinsert",
        )

    def _urgency(self, order_id: str) -> int:
        """The latest start of the order's first step that still meets its due time: smaller is more urgent."""
        return self.routes[order_id].due - self.index.tails[self.routes[order_id].steps[0].id]

    def _timelines_without(self, plan: Plan, moving: set[str]) -> dict[str, Timeline]:
        """Every resource's timeline with the plan's work except the moving operations (copied on first booking).
        The moving operations are taken off copies of the plan's timelines: the plan is valid, so that is exact
        (Timeline.unbook), and it costs a few bookings where rebuilding cost every booking on the resource."""
        if self._timelines_of is not plan:
            self._refresh(plan)
        shared = self._timelines
        own: dict[str, Timeline] = {}
        for op_id in moving:
            a = plan.assignments[op_id]
            timeline = own.get(a.resource_id)
            if timeline is None:
                timeline = own[a.resource_id] = shared[a.resource_id].copy()
            timeline.unbook(a.start, a.end)
        return _CopyOnBook(shared, own)

    def _refresh(self, plan: Plan) -> None:
        """The timelines of `plan`: on the first plan built, then changed where its work differs from the last
        plan's (every old booking taken back before any new one is made, so no two ever overlap)."""
        previous = self._timelines_of
        self._leg_cost: dict[str, int] = defaultdict(int)
        for leg in plan.legs:
            self._leg_cost[leg.order_id] += leg.cost_minor
        timelines = self._timelines
        if previous is None:
            for resource_id in self.index.resources:
                timelines[resource_id] = self.index.calendar(resource_id).copy()
            for a in plan.assignments.values():
                timelines[a.resource_id].book(a.start, a.end)
        else:
            changed = [
                (old, a)
                for op_id, a in plan.assignments.items()
                if (old := previous.assignments[op_id]) is not a and old != a
            ]
            for old, _ in changed:
                timelines[old.resource_id].unbook(old.start, old.end)
            for _, a in changed:
                timelines[a.resource_id].book(a.start, a.end)
        self._timelines_of = plan


class _CopyOnBook(dict):
    """Shared timelines, each copied the first time a booking is made on it (own ones are used as they are)."""

    def __init__(self, shared: dict[str, Timeline], own: dict[str, Timeline]) -> None:
        super().__init__(shared)
        self.update(own)
        self._own = set(own)

    def book_on(self, resource_id: str) -> Timeline:
        if resource_id not in self._own:
            self._own.add(resource_id)
            self[resource_id] = super().__getitem__(resource_id).copy()
        return super().__getitem__(resource_id)


def _per_site_front(entries: list[_Entry]) -> list[_Entry]:
    """The entries no other entry at the same site beats in both end and cost: what comes after a step depends
    only on where and when its part is ready and what it cost so far, so the resource it took no longer matters."""
    if len(entries) < 2:
        return entries
    entries = sorted(entries, key=_SITE_END_COST)
    kept = [entries[0]]
    for entry in entries[1:]:
        last = kept[-1]
        if entry[2] != last[2] or entry[1] < last[1]:
            kept.append(entry)
    return kept


_SITE_END_COST = operator.itemgetter(2, 0, 1)


def _book(
    timelines: _CopyOnBook, where: dict[str, tuple[str, int, int]], placed_at: dict[str, tuple[str, int]]
) -> None:
    """Book a placement (op -> resource, start, end) and note where each operation went."""
    for op_id, (resource_id, start, end) in where.items():
        timelines.book_on(resource_id).book(start, end)
        placed_at[op_id] = (resource_id, start)


def _fit_together(schedule: dict[str, tuple[str, int, int]], timelines: dict[str, Timeline]) -> bool:
    """Whether these steps (op -> resource, start, end) fit on their resources' timelines at exactly their times,
    together: an order's steps each placed without the others, or orders another plan placed."""
    by_resource: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for resource_id, start, end in schedule.values():
        by_resource[resource_id].append((start, end))
    for resource_id, times in by_resource.items():
        if len(times) == 1:
            start, end = times[0]
            if timelines[resource_id].earliest_start(start, end - start) != start:
                return False
            continue
        timeline = timelines[resource_id].copy()
        for start, end in sorted(times):
            if timeline.earliest_start(start, end - start) != start:
                return False
            timeline.book(start, end)
    return True


def _cheapest_per_site(index: ProblemIndex, op: Operation, cost_weight: int) -> dict[str, int]:
    cheapest: dict[str, int] = {}
    for c in op.candidates:
        site = index.site_of[c.resource_id]
        cheapest[site] = min(cheapest.get(site, c.cost_minor), c.cost_minor)
    return {site: cost_weight * cost for site, cost in cheapest.items()}


_TIME_COST = operator.itemgetter(0, 1)


def _pareto(options: list) -> list:
    """(time, cost, payload) options not beaten in both, earliest first."""
    options.sort(key=_TIME_COST)
    kept = []
    for option in options:
        if not kept or option[1] < kept[-1][1]:
            kept.append(option)
    return kept
