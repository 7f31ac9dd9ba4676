"""Look-up tables derived once from a Problem and shared by the precheck, the greedy dispatcher, the CP-SAT model
and the explanation (the validator deliberately keeps its own)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .domain import Candidate, CarrierOption, Operation, Order, Problem, Resource
from .timeline import Timeline

INFINITY = 1 << 60


@dataclass(frozen=True, slots=True)
class Arc:
    """A precedence pred -> succ between operations; transport applies when their sites differ."""

    pred: str
    succ: str


class ProblemIndex:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.ops: dict[str, Operation] = {op.id: op for op in problem.operations}
        self.resources: dict[str, Resource] = {r.id: r for r in problem.resources}
        self.orders: dict[str, Order] = {o.id: o for o in problem.orders}
        self.site_of: dict[str, str] = {r.id: r.site_id for r in problem.resources}
        self.successors: dict[str, list[str]] = defaultdict(list)
        for op in problem.operations:
            for pred in op.predecessors:
                self.successors[pred].append(op.id)
        self.ops_of_order: dict[str, list[str]] = defaultdict(list)
        for op in problem.operations:
            self.ops_of_order[op.order_id].append(op.id)
        self._offers = self._offers_by_pair(problem.carrier_options)
        self._fronts: dict[tuple[str, str], list[CarrierOption]] = {}
        self._cheapest: dict[tuple[str, str], int] = {}
        self._calendars: dict[str, Timeline] = {}
        self._candidate_sites: dict[str, frozenset[str]] = {}

    # ---------------------------------------------------------------------------------------------- structure

    @cached_property
    def arcs(self) -> list[Arc]:
        return [Arc(p, op.id) for op in self.problem.operations for p in op.predecessors if p in self.ops]

    @cached_property
    def arcs_into_order(self) -> dict[str, list[Arc]]:
        """Per order, the arcs ending at its operations (the legs it pays for)."""
        grouped: dict[str, list[Arc]] = defaultdict(list)
        for arc in self.arcs:
            grouped[self.ops[arc.succ].order_id].append(arc)
        return grouped

    @cached_property
    def sinks(self) -> dict[str, list[str]]:
        """Per order, its operations that no operation of the same order waits for (they ship to the customer)."""
        result: dict[str, list[str]] = {}
        for order_id, op_ids in self.ops_of_order.items():
            result[order_id] = [
                oid
                for oid in op_ids
                if not any(self.ops[s].order_id == order_id for s in self.successors[oid])
            ]
        return result

    @cached_property
    def topological_order(self) -> list[str] | None:
        """Kahn's algorithm, ties broken by position in the problem; None when the precedences have a cycle."""
        position = {op.id: i for i, op in enumerate(self.problem.operations)}
        indegree = {oid: sum(1 for p in op.predecessors if p in self.ops) for oid, op in self.ops.items()}
        ready = [position[oid] for oid, d in indegree.items() if d == 0]
        heapq.heapify(ready)
        ordered: list[str] = []
        while ready:
            oid = self.problem.operations[heapq.heappop(ready)].id
            ordered.append(oid)
            for succ in self.successors[oid]:
                indegree[succ] -= 1
                if indegree[succ] == 0:
                    heapq.heappush(ready, position[succ])
        return ordered if len(ordered) == len(self.ops) else None

    @cached_property
    def topological_position(self) -> dict[str, int]:
        return {op_id: i for i, op_id in enumerate(self.topological_order or [])}

    def candidate_sites(self, op: Operation) -> frozenset[str]:
        """The sites the operation may run at (computed once per operation: the precheck, the bounds and the
        transport look-ups ask for them per arc)."""
        sites = self._candidate_sites.get(op.id)
        if sites is None:
            if op.fixed is not None:
                sites = frozenset((self.site_of[op.fixed.resource_id],))
            else:
                sites = frozenset(
                    self.site_of[c.resource_id] for c in op.candidates if c.resource_id in self.site_of
                )
            self._candidate_sites[op.id] = sites
        return sites

    @cached_property
    def offers(self) -> dict[tuple[str, str], Candidate]:
        """(operation, resource) -> that candidate."""
        return {(op.id, c.resource_id): c for op in self.problem.operations for c in op.candidates}

    # ---------------------------------------------------------------------------------------------- calendars

    def calendar(self, resource_id: str) -> Timeline:
        """The resource's closures as a Timeline (shared: copy it before booking anything)."""
        cached = self._calendars.get(resource_id)
        if cached is None:
            r = self.resources[resource_id]
            cached = self._calendars[resource_id] = Timeline(r.capacity, r.closed, self.problem.horizon_hint)
        return cached

    @cached_property
    def committed(self) -> dict[str, Timeline]:
        """Per resource, its closures plus the fixed work on it (shared: copy before booking)."""
        timelines = {r.id: self.calendar(r.id) for r in self.problem.resources}
        for op in self.problem.operations:
            if op.fixed is not None:
                rid = op.fixed.resource_id
                if timelines[rid] is self._calendars[rid]:
                    timelines[rid] = timelines[rid].copy()
                timelines[rid].book(op.fixed.start, op.fixed.end)
        return timelines

    # ---------------------------------------------------------------------------------------------- transport

    @staticmethod
    def _offers_by_pair(options: tuple[CarrierOption, ...]) -> dict[tuple[str, str], list[CarrierOption]]:
        by_pair: dict[tuple[str, str], list[CarrierOption]] = defaultdict(list)
        for option in options:
            if option.from_site != option.to_site:
                by_pair[(option.from_site, option.to_site)].append(option)
        return by_pair

    def routes(self, from_site: str, to_site: str) -> list[CarrierOption]:
        """The carrier options not dominated in both duration and cost, fastest first; empty for the same site
        (no transport needed) or an unserved pair. Computed per pair on first use: a quote touches few pairs."""
        pair = (from_site, to_site)
        front = self._fronts.get(pair)
        if front is None:
            offers = sorted(
                self._offers.get(pair, ()), key=lambda o: (o.duration, o.cost_minor, o.carrier_id)
            )
            front = []
            for offer in offers:
                if not front or offer.cost_minor < front[-1].cost_minor:
                    front.append(offer)
            self._fronts[pair] = front
        return front

    def connected(self, from_site: str, to_site: str) -> bool:
        return from_site == to_site or (from_site, to_site) in self._offers

    def fastest(self, from_site: str, to_site: str) -> int:
        if from_site == to_site:
            return 0
        offers = self.routes(from_site, to_site)
        return offers[0].duration if offers else INFINITY

    def cheapest(self, from_site: str, to_site: str) -> int:
        # kept per pair: ruin and recreate prices every candidate's legs hundreds of thousands of times a minute
        pair = (from_site, to_site)
        price = self._cheapest.get(pair)
        if price is None:
            if from_site == to_site:
                price = 0
            else:
                offers = self.routes(from_site, to_site)
                price = offers[-1].cost_minor if offers else INFINITY
            self._cheapest[pair] = price
        return price

    @cached_property
    def site_number(self) -> dict[str, int]:
        """Every site a resource, a carrier or an order names, numbered for the matrices below."""
        names = {r.site_id for r in self.problem.resources} | {s.id for s in self.problem.sites}
        names |= {o.delivery_site for o in self.problem.orders if o.delivery_site is not None}
        for from_site, to_site in self._offers:
            names |= {from_site, to_site}
        return {name: i for i, name in enumerate(sorted(names))}

    def _site_matrix(self, pick: Callable[[list[CarrierOption]], int]) -> np.ndarray:
        n = len(self.site_number)
        matrix = np.full((n, n), np.inf)
        np.fill_diagonal(matrix, 0.0)
        for a, b in self._offers:
            front = self.routes(a, b)
            if front:
                matrix[self.site_number[a], self.site_number[b]] = pick(front)
        return matrix

    @cached_property
    def fastest_matrix(self) -> np.ndarray:
        """fastest(a, b) for every pair of numbered sites (inf: no carrier), as a float array."""
        return self._site_matrix(lambda front: front[0].duration)

    @cached_property
    def cheapest_matrix(self) -> np.ndarray:
        """cheapest(a, b) for every pair of numbered sites (inf: no carrier), as a float array."""
        return self._site_matrix(lambda front: front[-1].cost_minor)

    @cached_property
    def max_route_duration(self) -> int:
        """Longest offered transport (an upper bound of what any chosen leg takes)."""
        return max((o.duration for offers in self._offers.values() for o in offers), default=0)

    @cached_property
    def carrier_ids(self) -> list[str]:
        return sorted({o.carrier_id for offers in self._offers.values() for o in offers})

    # ---------------------------------------------------------------------------------------------- bounds

    def duration_on(self, op_id: str, resource_id: str) -> int:
        """The operation's minutes on that resource (its fixed span there, if it is fixed work)."""
        op = self.ops[op_id]
        if op.fixed is not None and op.fixed.resource_id == resource_id:
            return op.fixed.end - op.fixed.start
        return self.offers[(op_id, resource_id)].duration

    def min_duration(self, op: Operation) -> int:
        return self._min_durations[op.id]

    @cached_property
    def _min_durations(self) -> dict[str, int]:
        return {
            op.id: op.fixed.end - op.fixed.start
            if op.fixed is not None
            else min((c.duration for c in op.candidates), default=0)
            for op in self.problem.operations
        }

    def max_duration(self, op: Operation) -> int:
        if op.fixed is not None:
            return op.fixed.end - op.fixed.start
        return max((c.duration for c in op.candidates), default=0)

    def min_transport_between(self, pred: Operation, succ: Operation) -> int:
        """Shortest transport any site choice allows between two operations (0 if they can share a site)."""
        pred_sites, succ_sites = self.candidate_sites(pred), self.candidate_sites(succ)
        if pred_sites & succ_sites:
            return 0
        return min((self.fastest(a, b) for a in pred_sites for b in succ_sites), default=INFINITY)

    def min_transport_to(self, op: Operation, site: str | None) -> int:
        if site is None:
            return 0
        return min((self.fastest(a, site) for a in self.candidate_sites(op)), default=INFINITY)

    @cached_property
    def earliest_starts(self) -> dict[str, int]:
        """Critical-path earliest start ignoring capacity and calendars (needs an acyclic problem)."""
        order = self.topological_order or []
        est: dict[str, int] = {}
        for oid in order:
            op = self.ops[oid]
            if op.fixed is not None:
                est[oid] = op.fixed.start
                continue
            start = op.release
            for p in op.predecessors:
                pred = self.ops[p]
                start = max(start, est[p] + self.min_duration(pred) + self.min_transport_between(pred, op))
            est[oid] = start
        return est

    @cached_property
    def tails(self) -> dict[str, int]:
        """Least time from an operation's start to its order's delivery (own duration included)."""
        order = self.topological_order or []
        tail: dict[str, int] = {}
        for oid in reversed(order):
            op = self.ops[oid]
            order_row = self.orders.get(op.order_id)
            best = self.min_duration(op)
            if oid in self.sinks.get(op.order_id, ()) and order_row is not None:
                best += min(self.min_transport_to(op, order_row.delivery_site), INFINITY)
            for s in self.successors[oid]:
                succ = self.ops[s]
                best = max(best, self.min_duration(op) + self.min_transport_between(op, succ) + tail[s])
            tail[oid] = best
        return tail
