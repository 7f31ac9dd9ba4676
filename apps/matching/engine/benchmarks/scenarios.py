"""Seeded marketplace scenarios for tests and the network benchmark.

Suppliers sit near Dutch towns; each has a few machines (one process each, its own speed and minute rate) and a
calendar (day shift, two shifts or round the clock, weekends closed). Three carriers serve every pair of sites
with time and price by road distance. Orders follow small routings (a chain, or two parts made in parallel then
joined) and are due a few working days after release; customers sit in the same towns.

Times are minutes from a Monday 00:00; the calendar is expanded to closed intervals up to the horizon.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from apps.core.geodesy import haversine_km

from ..domain import (
    Candidate,
    CarrierOption,
    FixedAssignment,
    Operation,
    Order,
    Problem,
    Resource,
    Site,
    Weights,
)

DAY = 24 * 60
WEEK = 7 * DAY

TOWNS = (
    ("Amsterdam", 52.370, 4.895),
    ("Rotterdam", 51.924, 4.478),
    ("Utrecht", 52.091, 5.122),
    ("Eindhoven", 51.441, 5.470),
    ("Groningen", 53.219, 6.567),
    ("Tilburg", 51.560, 5.091),
    ("Almere", 52.350, 5.265),
    ("Breda", 51.589, 4.776),
    ("Nijmegen", 51.812, 5.837),
    ("Apeldoorn", 52.211, 5.970),
    ("Haarlem", 52.387, 4.646),
    ("Arnhem", 51.985, 5.899),
    ("Enschede", 52.221, 6.894),
    ("Amersfoort", 52.156, 5.387),
    ("Zwolle", 52.517, 6.083),
    ("Leiden", 52.160, 4.497),
    ("Maastricht", 50.851, 5.691),
    ("Dordrecht", 51.813, 4.690),
    ("Den Bosch", 51.698, 5.304),
    ("Delft", 52.012, 4.357),
    ("Deventer", 52.255, 6.163),
    ("Venlo", 51.370, 6.172),
    ("Leeuwarden", 53.201, 5.799),
    ("Alkmaar", 52.632, 4.748),
    ("Helmond", 51.482, 5.661),
    ("Oss", 51.765, 5.518),
    ("Roosendaal", 51.531, 4.465),
    ("Emmen", 52.785, 6.897),
    ("Hoorn", 52.643, 5.060),
    ("Middelburg", 51.499, 3.611),
)

PROCESSES = ("laser_cutting", "cnc_milling", "bending", "welding", "powder_coating", "assembly", "packing")

ROUTINGS = (
    # (process, base minutes low, high) in order; "join" routings make two parts in parallel, then join them
    ("chain", ("laser_cutting", "bending", "welding", "powder_coating", "packing")),
    ("chain", ("cnc_milling", "welding", "powder_coating", "assembly", "packing")),
    ("join", ("laser_cutting", "cnc_milling", "assembly", "powder_coating", "packing")),
)

# carrier: (minutes of handling, km per hour, fixed price, price per km) — minor units (cents)
CARRIERS = (
    ("express", 45, 75.0, 4500, 180),
    ("standard", 6 * 60, 60.0, 1800, 70),
    ("groupage", 20 * 60, 50.0, 900, 35),
)

SHIFTS = {
    "day": ((8 * 60, 17 * 60),),
    "two_shifts": ((6 * 60, 22 * 60),),
    "round_the_clock": ((0, DAY),),
}


ROAD_DETOUR = 1.3  # roads are this much longer than the great circle


def road_km(a: Site, b: Site) -> float:
    """Great-circle distance (the platform's one haversine) times a detour factor for roads."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    return ROAD_DETOUR * haversine_km((a.lat, a.lon), (b.lat, b.lon))


def weekly_closures(shift: str, horizon: int) -> tuple[tuple[int, int], ...]:
    """Closed intervals up to `horizon` for a Monday-to-Friday shift pattern (weekends closed)."""
    opens = SHIFTS[shift]
    closed: list[tuple[int, int]] = []
    cursor = 0
    for day in range(horizon // DAY + 1):
        if day % 7 >= 5:  # Saturday, Sunday
            continue
        for start, end in opens:
            if day * DAY + start > cursor:
                closed.append((cursor, day * DAY + start))
            cursor = day * DAY + end
    if cursor < horizon:
        closed.append((cursor, horizon))
    return tuple((s, min(e, horizon)) for s, e in closed if min(e, horizon) > s)


def generate_scenario(
    *,
    orders: int,
    suppliers: int,
    seed: int = 0,
    resources_per_supplier: int = 3,
    horizon_weeks: int = 4,
    lateness_weight: tuple[int, int] = (20, 80),
) -> Problem:
    rng = random.Random(seed)
    horizon = horizon_weeks * WEEK
    sites: list[Site] = []
    resources: list[Resource] = []
    offers: dict[str, list[tuple[str, float, int]]] = {
        p: [] for p in PROCESSES
    }  # process -> (resource, speed, rate)
    for s in range(suppliers):
        name, lat, lon = TOWNS[s % len(TOWNS)]
        site = Site(
            f"S{s}", f"{name} supplier {s}", lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(-0.12, 0.12)
        )
        sites.append(site)
        shift = rng.choices(list(SHIFTS), weights=(5, 3, 1))[0]
        closed = weekly_closures(shift, horizon)
        processes = rng.sample(PROCESSES, k=min(resources_per_supplier, len(PROCESSES)))
        for k, process in enumerate(processes):
            resource_id = f"S{s}.R{k}"
            resources.append(Resource(resource_id, site.id, capacity=rng.choice((1, 1, 1, 2)), closed=closed))
            offers[process].append((resource_id, rng.uniform(0.7, 1.4), rng.randint(60, 220)))
    for process in PROCESSES:  # every process needs at least one offer
        if not offers[process]:
            r = rng.choice(resources)
            extra = Resource(f"{r.site_id}.{process}", r.site_id, 1, r.closed)
            resources.append(extra)
            offers[process].append((extra.id, 1.0, 150))

    customers = [Site(f"C{t}", f"customer in {name}", lat, lon) for t, (name, lat, lon) in enumerate(TOWNS)]
    all_sites = sites + customers
    carrier_options = _carrier_options(sites, all_sites)

    operations: list[Operation] = []
    order_rows: list[Order] = []
    for n in range(orders):
        order_id = f"O{n}"
        kind, processes = rng.choice(ROUTINGS)
        release = rng.randrange(0, 3) * DAY + 8 * 60 if rng.random() < 0.5 else 0
        ids = [f"{order_id}.{i}" for i in range(len(processes))]
        base_total = 0
        for i, process in enumerate(processes):
            base = rng.randint(30, 240)
            base_total += base
            if kind == "join":
                predecessors = () if i < 2 else ((ids[0], ids[1]) if i == 2 else (ids[i - 1],))
            else:
                predecessors = (ids[i - 1],) if i else ()
            candidates = tuple(
                Candidate(rid, max(1, round(base * speed)), max(1, round(base * speed)) * rate)
                for rid, speed, rate in offers[process]
            )
            operations.append(Operation(ids[i], order_id, process, candidates, predecessors, release))
        customer = rng.choice(customers)
        working_days = rng.randint(3, 8)
        due = release + working_days * DAY + (working_days // 5) * 2 * DAY + base_total
        order_rows.append(Order(order_id, due, rng.randint(*lateness_weight), customer.id))
    return Problem(
        operations=tuple(operations),
        resources=tuple(resources),
        carrier_options=tuple(carrier_options),
        orders=tuple(order_rows),
        weights=Weights(cost=1, lateness=1, makespan=0),
        horizon_hint=horizon,
        sites=tuple(all_sites),
    )


def _carrier_options(origins: list[Site], destinations: list[Site]) -> list[CarrierOption]:
    options = []
    for a in origins:
        for b in destinations:
            if a.id == b.id:
                continue
            km = road_km(a, b)
            for carrier, handling, speed, fixed, per_km in CARRIERS:
                options.append(
                    CarrierOption(
                        carrier, a.id, b.id, handling + math.ceil(km / speed * 60), fixed + round(per_km * km)
                    )
                )
    return options


def commit_schedule(problem: Problem, plan_assignments: dict[str, tuple[str, int, int]]) -> Problem:
    """The same problem with the given operations fixed where a plan put them (resource, start, end)."""
    operations = tuple(
        replace(op, fixed=FixedAssignment(*plan_assignments[op.id])) if op.id in plan_assignments else op
        for op in problem.operations
    )
    return replace(problem, operations=operations)


def quote_scenario(*, committed_orders: int = 100, suppliers: int = 40, seed: int = 0) -> Problem:
    """One new order of five operations against a network whose other orders are committed (fixed)."""
    from ..greedy import dispatch  # the committed schedule is whatever the dispatcher made of the backlog

    backlog = generate_scenario(orders=committed_orders + 1, suppliers=suppliers, seed=seed)
    new_order = backlog.orders[-1].id
    committed = replace(
        backlog,
        operations=tuple(op for op in backlog.operations if op.order_id != new_order),
        orders=backlog.orders[:-1],
    )
    plan = dispatch(committed)
    assert plan is not None, "the backlog must be schedulable"
    fixed = {a.operation_id: (a.resource_id, a.start, a.end) for a in plan.assignments.values()}
    return commit_schedule(backlog, fixed)
