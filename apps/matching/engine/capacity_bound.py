"""A lower bound of the cost-and-lateness objective that counts capacity: a Lagrangian relaxation of every
resource's opening hours before a grid of checkpoints, solved by subgradient steps.

The capacity-free bound (bounds.objective_lower_bound) lets every order take its cheapest route and be on time
whenever the critical path allows; where orders compete for the cheap machines before their due dates it is far
below any plan. Here each order still chooses its route alone (the same dynamic programming over its routing,
production plus cheapest transport), and also how late it will be, from a ladder of levels; being at most L late
gives each of its operations a latest finish (due + L - least time from its end to the customer), so the work it
puts on a resource falls inside that resource's windows [0, D_k] for every checkpoint D_k at or after that latest
finish. Each window holds at most its open minutes times the capacity (minus fixed work), and a price λ per
minute of window turns that into a per-minute charge on every order that uses it.

Valid for every λ ≥ 0 (weak duality): the optimum plan is one of the choices each order may make, it respects
every window, and its lateness costs at least the lower end of its level. So whatever the subgradient reaches is
a bound, never a guess; the best value seen is kept.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .bounds import completion_lower_bounds, earliest_finishes, objective_lower_bound_parts
from .indexing import INFINITY, ProblemIndex

# How late an order may be, in minutes above the least lateness unlimited capacity allows: level 0 is exactly
# that least lateness, level j > 0 covers (LEVELS[j - 1], LEVELS[j]] and is charged LEVELS[j - 1] + 1 (minutes
# are whole), the last level (after LEVELS[-1]) has no limit. Finer levels tighten the bound and cost time
# linearly; fine steps near zero matter most (every minute of slack they give away is free lateness).
LATENESS_LEVELS = (0, 2, 5, 15, 30, 60, 120, 240, 480, 960, 1440, 2880, 5760, 10080, 20160)
CHECKPOINTS = 168  # windows per resource: every 4 hours over a 4-week calendar
DEFAULT_TIME_LIMIT_S = 2.0
MAX_ITERATIONS = 300
# Subgradient steps, tuned on 400 orders / 25 suppliers (seed 0): 80 steps reach 31.37 M with these, 31.29 M
# without the deflection, from 27.16 M capacity-free.
STEP_AIM = 0.1  # aim this share of the way from the best bound to the incumbent
MOMENTUM = 0.5
STALL_ITERATIONS = 4  # halve the step after this many steps without a better bound


@dataclass(frozen=True, slots=True)
class CapacityBound:
    value: float  # max(Lagrangian bound, capacity-free bound); makespan term included
    capacity_free: float
    iterations: int
    wall_s: float


@dataclass
class _Op:
    resources: np.ndarray  # resource index per option
    cost: np.ndarray  # weighted production cost per option
    duration: np.ndarray  # minutes per option
    bucket: np.ndarray  # (levels, options): first checkpoint at or after the latest finish; -1 = infeasible
    preds: list[tuple[int, np.ndarray]]  # (position of predecessor in the order, transport cost matrix)
    fixed: bool


@dataclass
class _Order:
    ops: list[_Op]  # topological
    sinks: list[tuple[int, np.ndarray]]  # (position, weighted delivery cost per option)
    lateness: np.ndarray  # weighted lateness cost per level
    tree: bool  # the routing is an in-tree: exact dynamic programming over it


def capacity_lower_bound(
    index: ProblemIndex,
    *,
    upper: float | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    max_iterations: int = MAX_ITERATIONS,
    clock: Callable[[], float] = time.perf_counter,
) -> CapacityBound:
    """The best Lagrangian bound within the time limit, never below the capacity-free bound.

    `upper` (an incumbent's objective) steers the step size (Polyak's rule); without it the steps aim 5 % above
    the capacity-free bound and move the target up as the bound grows. `time_limit_s` counts `clock`'s seconds."""
    started = clock()
    cost_and_lateness, makespan_part = objective_lower_bound_parts(index)
    capacity_free = float(cost_and_lateness + makespan_part)
    problem = index.problem
    if problem.weights.makespan_only or not any(op.fixed is None for op in problem.operations):
        return CapacityBound(capacity_free, capacity_free, 0, clock() - started)
    deadline = started + time_limit_s
    relaxation = _Relaxation(index, deadline, clock)
    if not relaxation.orders or relaxation.incomplete:
        return CapacityBound(capacity_free, capacity_free, 0, clock() - started)
    prices = np.zeros_like(relaxation.capacity)
    direction = np.zeros_like(prices)
    best = -math.inf
    target = (upper - makespan_part) if upper is not None else None
    step_scale = 1.0
    stale = 0
    iterations = 0
    while iterations < max_iterations and clock() < deadline:
        value, usage = relaxation.evaluate(prices)
        iterations += 1
        if not math.isfinite(value):
            break
        if not math.isfinite(best) or value > best + 1e-6 * max(1.0, abs(best)):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= STALL_ITERATIONS:
                step_scale, stale = step_scale / 2, 0
                if step_scale < 1e-3:
                    break
        if target is not None and best >= target - 0.5:
            break  # the incumbent is proven optimal
        # aim a little above the best bound (Polyak's step with an estimated optimum): the incumbent itself is
        # often far above the optimum and aiming at it overshoots
        aim = best + STEP_AIM * (target - best) if target is not None else best + 0.05 * abs(best) + 1
        subgradient = usage - relaxation.capacity
        # deflect with the previous direction (zig-zags less); a window with no price and room to spare stays put
        direction = subgradient + MOMENTUM * direction
        direction[(prices <= 0) & (direction < 0)] = 0.0
        norm = float(np.dot(direction.ravel(), direction.ravel()))
        if norm <= 0:
            break  # the relaxed choice respects every window: it is optimal for the relaxation
        prices = np.maximum(0.0, prices + step_scale * max(aim - value, 1.0) / norm * direction)
    bound = capacity_free
    if math.isfinite(best):
        # float sums over many orders: shave a hair so rounding never lifts the bound above a true optimum
        bound = max(capacity_free, best + makespan_part - 1e-9 * max(1.0, abs(best)) - 1e-6)
    return CapacityBound(float(bound), capacity_free, iterations, clock() - started)


class _Relaxation:
    """The orders' separate choices under a price per resource window."""

    def __init__(
        self, index: ProblemIndex, deadline: float = math.inf, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        """`deadline`: give up building (leaving `incomplete` set) when that time on `clock` passes."""
        problem = index.problem
        self.incomplete = False
        weights = problem.weights
        self.resource_ids = [r.id for r in problem.resources]
        position = {rid: i for i, rid in enumerate(self.resource_ids)}
        finish = earliest_finishes(index)
        completions = completion_lower_bounds(index, finish)
        horizon = problem.horizon_hint
        last_due = max((o.due for o in problem.orders), default=0)
        end = horizon if horizon is not None else last_due + LATENESS_LEVELS[-1]
        step = max(1, math.ceil(end / CHECKPOINTS))
        self.checkpoints = [*range(step, end, step), end]
        self.capacity = self._capacity(index, position)
        tails = index.tails
        checkpoints = np.array(self.checkpoints, dtype=np.float64)
        levels = len(LATENESS_LEVELS) + 1
        cheapest = index.cheapest_matrix
        site_of_option = np.array(
            [index.site_number[index.site_of[rid]] for rid in self.resource_ids], dtype=np.int64
        )
        by_order: dict[str, list[str]] = {}
        for op_id in index.topological_order or []:
            by_order.setdefault(index.ops[op_id].order_id, []).append(op_id)
        self.orders: list[_Order] = []
        for order in problem.orders:
            if clock() > deadline:
                self.incomplete = True
                return
            op_ids = by_order.get(order.id, [])
            if not op_ids or order.id not in completions:
                continue
            floor = max(0, completions[order.id] - order.due)
            latest_lateness = [floor + step for step in LATENESS_LEVELS] + [INFINITY]
            charged_lateness = [floor, *(late + 1 for late in latest_lateness[:-1])]
            lateness_steps = np.array(latest_lateness, dtype=np.float64)
            members = {o: k for k, o in enumerate(op_ids)}
            tree = all(sum(1 for s in index.successors[o] if s in members) <= 1 for o in op_ids) and all(
                p in members for o in op_ids for p in index.ops[o].predecessors
            )
            ops: list[_Op] = []
            for op_id in op_ids:
                op = index.ops[op_id]
                if op.fixed is not None:
                    price = next(
                        (c.cost_minor for c in op.candidates if c.resource_id == op.fixed.resource_id), 0
                    )
                    options = [(op.fixed.resource_id, price, 0)]
                else:
                    options = [(c.resource_id, c.cost_minor, c.duration) for c in op.candidates]
                resources = np.array([position[r] for r, _, _ in options], dtype=np.int64)
                bucket = np.zeros((levels, len(options)), dtype=np.int64)
                if op.fixed is None:
                    after = tails[op_id] - index.min_duration(op)  # least time from its end to the customer
                    ready = _ready(index, op_id, finish)
                    earliest = np.array(
                        [_earliest_finish(index, r, ready, d) for r, _, d in options], dtype=np.float64
                    )
                    latest = np.minimum(order.due + lateness_steps - after, end)  # the horizon holds
                    k = np.minimum(np.searchsorted(checkpoints, latest), len(checkpoints) - 1)
                    bucket = np.where(earliest[None, :] <= latest[:, None], k[:, None], -1)
                ops.append(
                    _Op(
                        resources,
                        weights.cost * np.array([c for _, c, _ in options], dtype=np.float64),
                        np.array([d for _, _, d in options], dtype=np.float64),
                        bucket,
                        [],
                        op.fixed is not None,
                    )
                )
            if tree:
                for k, op_id in enumerate(op_ids):
                    here = site_of_option[ops[k].resources]
                    for p in index.ops[op_id].predecessors:
                        there = site_of_option[ops[members[p]].resources]
                        ops[k].preds.append(
                            (members[p], _weighted(weights.cost, cheapest[np.ix_(there, here)]))
                        )
            sinks = []
            for sink in index.sinks.get(order.id, []):
                k = members[sink]
                delivery = np.zeros(len(ops[k].resources))
                if order.delivery_site is not None and tree:
                    delivery = cheapest[
                        site_of_option[ops[k].resources], index.site_number[order.delivery_site]
                    ]
                sinks.append((k, _weighted(weights.cost, delivery)))
            lateness = np.array(
                [weights.lateness * order.lateness_weight * late for late in charged_lateness],
                dtype=np.float64,
            )
            self.orders.append(_Order(ops, sinks, lateness, tree))
        shapes: dict[tuple, list[_Order]] = {}
        for o in self.orders:
            shape = (
                o.tree,
                tuple((len(op.resources), op.fixed, tuple(p for p, _ in op.preds)) for op in o.ops),
                tuple(k for k, _ in o.sinks),
            )
            shapes.setdefault(shape, []).append(o)
        self.groups = [_Group(members) for members in shapes.values()]

    def _capacity(self, index: ProblemIndex, position: dict[str, int]) -> np.ndarray:
        """Minutes of work each resource can hold in [0, D_k]: open minutes times units, less fixed work."""
        ends = np.array(self.checkpoints, dtype=np.float64)
        capacity = np.zeros((len(self.resource_ids), len(self.checkpoints)), dtype=np.float64)
        for resource in index.problem.resources:
            closed = np.zeros_like(ends)
            for start, stop in resource.closed:
                closed += np.clip(np.minimum(stop, ends) - start, 0, None)
            capacity[position[resource.id]] = resource.capacity * (ends - closed)
        for op in index.problem.operations:
            if op.fixed is not None:
                fixed = op.fixed
                capacity[position[fixed.resource_id]] -= np.clip(
                    np.minimum(fixed.end, ends) - fixed.start, 0, None
                )
        return capacity

    def evaluate(self, prices: np.ndarray) -> tuple[float, np.ndarray]:
        """The Lagrangian value at these prices and the work each window receives from the orders' choices."""
        # charge per minute for work that must finish by checkpoint k: the prices of windows k, k+1, ...
        charge = np.cumsum(prices[:, ::-1], axis=1)[:, ::-1]
        charge = np.concatenate([charge, np.full((charge.shape[0], 1), np.inf)], axis=1)  # bucket -1
        added = np.zeros_like(prices)  # work whose latest finish falls in each bucket
        total = -float(np.sum(prices * self.capacity))
        for group in self.groups:
            total += group.choose(charge, added)
        return total, np.cumsum(added, axis=1)


class _Group:
    """Orders of the same shape (operations, options per operation, routing), stacked so that one array
    operation prices and routes all of them: a marketplace has few shapes and many orders."""

    def __init__(self, orders: list[_Order]) -> None:
        first = orders[0]
        self.tree = first.tree
        self.fixed = [op.fixed for op in first.ops]
        self.pred_positions = [[p for p, _ in op.preds] for op in first.ops]
        self.sink_positions = [k for k, _ in first.sinks]
        self.resources = [np.stack([o.ops[k].resources for o in orders]) for k in range(len(first.ops))]
        self.cost = [np.stack([o.ops[k].cost for o in orders]) for k in range(len(first.ops))]
        self.duration = [np.stack([o.ops[k].duration for o in orders]) for k in range(len(first.ops))]
        self.bucket = [np.stack([o.ops[k].bucket for o in orders]) for k in range(len(first.ops))]
        self.transport = [
            [np.stack([o.ops[k].preds[n][1] for o in orders]) for n in range(len(first.ops[k].preds))]
            for k in range(len(first.ops))
        ]
        self.delivery = [np.stack([o.sinks[n][1] for o in orders]) for n in range(len(first.sinks))]
        self.lateness = np.stack([o.lateness for o in orders])
        self.rows = np.arange(len(orders))

    def choose(self, charge: np.ndarray, added: np.ndarray) -> float:
        """Each order's cheapest level and route at these prices; adds their work to `added`, returns Σ value."""
        levels = self.lateness.shape[1]
        node = []
        for k in range(len(self.resources)):
            if self.fixed[k]:
                node.append(np.repeat(self.cost[k][:, None, :], levels, axis=1))
            else:
                resources = self.resources[k][:, None, :]
                node.append(
                    self.cost[k][:, None, :]
                    + self.duration[k][:, None, :] * charge[resources, self.bucket[k]]
                )
        per_level = self.lateness.copy()
        came_from: list[list[np.ndarray]] = []
        if self.tree:
            best: list[np.ndarray] = []
            for k in range(len(node)):
                total = node[k].copy()
                froms = []
                for p, matrix in zip(self.pred_positions[k], self.transport[k], strict=True):
                    via = (
                        best[p][:, :, :, None] + matrix[:, None, :, :]
                    )  # (orders, levels, pred option, option)
                    arg = np.argmin(via, axis=2)
                    total += np.take_along_axis(via, arg[:, :, None, :], axis=2)[:, :, 0, :]
                    froms.append(arg)
                best.append(total)
                came_from.append(froms)
            ends = [best[k] + d[:, None, :] for k, d in zip(self.sink_positions, self.delivery, strict=True)]
        else:
            ends = node
            came_from = [[] for _ in node]
        for end in ends:
            per_level += end.min(axis=2)
        level = np.argmin(per_level, axis=1)
        value = per_level[self.rows, level]
        if not np.all(np.isfinite(value)):
            return math.inf
        picks: dict[int, np.ndarray] = {}
        starts = self.sink_positions if self.tree else range(len(node))
        for k, end in zip(starts, ends, strict=True):
            picks[k] = np.argmin(end[self.rows, level], axis=1)
        for k in reversed(range(len(node))):  # topological: a successor's pick decides its predecessors'
            for p, arg in zip(self.pred_positions[k], came_from[k], strict=True):
                picks[p] = arg[self.rows, level, picks[k]]
        for k, pick in picks.items():
            if not self.fixed[k]:
                np.add.at(
                    added,
                    (self.resources[k][self.rows, pick], self.bucket[k][self.rows, level, pick]),
                    self.duration[k][self.rows, pick],
                )
        return float(value.sum())


def _weighted(weight: int, money: np.ndarray) -> np.ndarray:
    """weight × money where a missing carrier (inf) stays impossible even at weight 0."""
    return np.where(np.isinf(money), np.inf, weight * np.where(np.isinf(money), 0.0, money))


def _ready(index: ProblemIndex, op_id: str, finish: dict[str, int]) -> int:
    """Earliest time the operation's inputs can be at any of its sites (fastest transport, unlimited capacity)."""
    op = index.ops[op_id]
    ready = op.release
    for p in op.predecessors:
        travel = index.min_transport_between(index.ops[p], op)
        ready = max(ready, finish[p] + travel)
    return ready


def _earliest_finish(index: ProblemIndex, resource_id: str, ready: int, duration: int) -> float:
    if ready >= INFINITY:
        return math.inf
    start = index.calendar(resource_id).earliest_start(ready, duration)
    return math.inf if start is None else float(start + duration)
