"""problem_build: candidates and rejections per step, pins, sites, orders; see the package docstring."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from apps.matching.engine.domain import (
    Candidate,
    FixedAssignment,
    Operation,
    Order,
    Problem,
    Rejection,
    Resource,
    Site,
    Weights,
)
from apps.matching.problem.network import (
    carrier_options,
    closed_minutes,
    committed_blocks,
    committed_load,
    resources_of,
)
from apps.matching.problem.values import (
    NETWORK_ORDER,
    PIN_PREFIX,
    BuiltProblem,
    OrderInput,
    ResourceInfo,
    SiteInfo,
    StepInput,
    minutes_from,
    minutes_up_from,
    owner_site,
)
from apps.suppliers.costing import processing_cost_minor
from apps.suppliers.models import Resource as ResourceRow
from apps.suppliers.status import ParticipantStatus, ResourceStatus


def problem_build(
    *,
    orders: Sequence[OrderInput],
    origin: datetime,
    horizon_days: int,
    currency: str,
    time_zone: str,
    weights: Weights,
    exclude_order_pks: Iterable[int] = (),
    reads: dict | None = None,
) -> BuiltProblem:
    """The Problem for `orders` against the committed network.

    `exclude_order_pks`: orders whose work items are not committed load (the orders being planned: their own
    work enters through their pins). `reads`: a dict shared by several builds against the same network moment
    (a quote's variants): resources, calendars and committed load are read from the database once for all.
    """
    memo = reads if reads is not None else {}
    horizon_end = origin + timedelta(days=horizon_days)
    horizon = int((horizon_end - origin).total_seconds() // 60)
    steps = {s.op_id: s for o in orders for s in o.steps}
    pinned_pks = {pin.resource_pk for o in orders for pin in o.pins.values()}

    processes = frozenset(s.process for s in steps.values())
    key = ("resources", processes, frozenset(pinned_pks))
    if key not in memo:
        memo[key] = resources_of(set(processes), pinned_pks)
    rows, calendar_keys = memo[key]
    infos = {str(r.pk): _info(r) for r in rows}
    process_resources: dict[str, list[ResourceInfo]] = defaultdict(list)
    for r in rows:
        process_resources[r.process].append(infos[str(r.pk)])

    offers = _offers(steps.values(), rows, pinned_pks, currency)
    used = offers.used_resources
    sites, delivery_of = _sites(used.values(), orders)
    closed = {
        rid: (
            ((0, horizon),)  # a resource that is down stays a candidate, closed throughout
            if row.status == ResourceStatus.DOWN
            else closed_minutes(calendar_keys[row.pk], time_zone, origin, horizon_end)
        )
        for rid, row in used.items()
    }
    fixed_ops = _committed_work(
        used, closed, orders, set(exclude_order_pks), origin, horizon_end, horizon, memo
    )

    offered = {c.resource_id for cs in offers.candidates.values() for c in cs}
    resources = [
        Resource(rid, owner_site(row.asset_owner_id), row.capacity, closed[rid])
        for rid, row in used.items()
        if rid in offered or fixed_ops.get(rid)
    ]
    operations, pin_resources = _order_operations(orders, offers, {r.id for r in resources}, origin)
    for pin_resource, pinned_rid in pin_resources:
        resources.append(pin_resource)
        infos[pin_resource.id] = infos[pinned_rid]
    network_ops = [op for ops in fixed_ops.values() for op in ops]
    operations.extend(network_ops)

    problem_orders = [
        Order(
            o.key,
            minutes_from(o.due, origin) if o.due is not None else 0,
            o.lateness_weight,
            delivery_of.get(o.key),
        )
        for o in orders
    ]
    if network_ops:  # the synthetic order that holds committed work; it cannot be late
        problem_orders.append(Order(NETWORK_ORDER, horizon, 0, None))

    weights_kg = {o.key: max((s.weight_kg for s in o.steps), default=Decimal(0)) for o in orders}
    options, carrier_names, distances = carrier_options(
        operations,
        resources,
        delivery_of,
        sites,
        currency,
        max(weights_kg.values(), default=Decimal(0)),
        memo=memo,
    )
    problem = Problem(
        operations=tuple(operations),
        resources=tuple(resources),
        carrier_options=tuple(options),
        orders=tuple(problem_orders),
        weights=weights,
        horizon_hint=horizon,
        sites=tuple(Site(s.id, s.name, s.point[0], s.point[1]) for s in sites.values()),
    )
    return BuiltProblem(
        problem=problem,
        origin=origin,
        horizon_end=horizon_end,
        currency=currency,
        time_zone=time_zone,
        steps=steps,
        orders={o.key: o for o in orders},
        resources=infos,
        sites=sites,
        carriers=carrier_names,
        distances=distances,
        weights_kg=weights_kg,
        rejections_by_kind=dict(offers.rejections_by_kind),
        process_resources=dict(process_resources),
    )


@dataclass
class _Offers:
    """Who may take each step: candidates (duration and cost on that resource) and rejections with the reason;
    `used_resources` are the resources that are a candidate somewhere or hold a pin, in the order met."""

    candidates: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    rejections: dict[str, list[Rejection]] = field(default_factory=lambda: defaultdict(list))
    rejections_by_kind: dict[str, list[tuple[str, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    used_resources: dict[str, ResourceRow] = field(default_factory=dict)


def _offers(
    steps: Iterable[StepInput], rows: Sequence[ResourceRow], pinned_pks: set[int], currency: str
) -> _Offers:
    offers = _Offers()
    for step in steps:
        for row in rows:
            if row.process != step.process:
                continue
            kind, text = _incapable(row, step, currency)
            if not kind and row.pk in step.declined_by:
                kind, text = "declined", f"{row.asset_owner.name} declined this job"
            elif not kind and row.asset_owner_id in step.declined_by_owners:
                kind, text = "declined", f"{row.asset_owner.name} declined this job (on another machine)"
            rid = str(row.pk)
            if kind:
                offers.rejections[step.op_id].append(Rejection(rid, f"incapable: {text}"))
                offers.rejections_by_kind[step.op_id].append((rid, kind, text))
                continue
            minutes = max(1, math.ceil(step.reference_minutes / Decimal(row.speed_factor)))
            cost = processing_cost_minor(
                minutes=minutes,
                setup_cost_minor=row.setup_cost_minor,
                cost_per_minute_minor=row.cost_per_minute_minor,
                minimum_charge_minor=row.minimum_charge_minor,
            )
            offers.candidates[step.op_id].append(Candidate(rid, minutes, cost))
            offers.used_resources[rid] = row
    for row in rows:
        if row.pk in pinned_pks:
            offers.used_resources.setdefault(str(row.pk), row)
    return offers


def _sites(
    used_resources: Iterable[ResourceRow], orders: Sequence[OrderInput]
) -> tuple[dict[str, SiteInfo], dict[str, str]]:
    """One site per asset owner in use, then one delivery site per order that has an address; and the delivery
    site of each such order."""
    sites: dict[str, SiteInfo] = {}
    for row in used_resources:
        owner = row.asset_owner
        sites.setdefault(
            owner_site(owner.pk), SiteInfo(owner_site(owner.pk), owner.name, owner.coordinates, owner.pk)
        )
    delivery_of: dict[str, str] = {}
    for order in orders:
        if order.delivery is not None:
            site_id = f"to:{order.key}"
            sites[site_id] = SiteInfo(site_id, "Customer", order.delivery, None)
            delivery_of[order.key] = site_id
    return sites, delivery_of


def _committed_work(
    used_resources: dict[str, ResourceRow],
    closed: dict[str, tuple[tuple[int, int], ...]],
    orders: Sequence[OrderInput],
    exclude_order_pks: set[int],
    origin: datetime,
    horizon_end: datetime,
    horizon: int,
    memo: dict,
) -> dict[str, list[Operation]]:
    """Per resource in use, the work already booked on it as fixed operations: other orders' work items (not
    those of `exclude_order_pks`) and the pins of the orders being planned, clipped to its openings."""
    pks = tuple(sorted(row.pk for row in used_resources.values()))
    key = ("committed", pks, frozenset(exclude_order_pks), origin, horizon_end)
    if key not in memo:
        memo[key] = committed_load(list(pks), origin, horizon_end, exclude_order_pks)
    pins = tuple((pin.resource_pk, pin.start, pin.end) for order in orders for pin in order.pins.values())
    blocks_key = ("blocks", key, tuple(used_resources), pins, horizon)
    if blocks_key not in memo:  # a quote's split variant books the same resources
        bookings = defaultdict(list, {pk: list(spans) for pk, spans in memo[key].items()})
        for resource_pk, start, end in pins:
            bookings[resource_pk].append((start, end))
        memo[blocks_key] = committed_blocks(used_resources, bookings, closed, origin, horizon)
    return {rid: list(ops) for rid, ops in memo[blocks_key].items()}


def _order_operations(
    orders: Sequence[OrderInput], offers: _Offers, resource_ids: set[str], origin: datetime
) -> tuple[list[Operation], list[tuple[Resource, str]]]:
    """The operations of the orders being planned (history left out), and the private resource of each pinned
    one ("pin:<op>", at its real resource's site) with the id of that real resource."""
    operations: list[Operation] = []
    pin_resources: list[tuple[Resource, str]] = []
    history = _history(orders)
    for order in orders:
        for step in order.steps:
            if step.op_id in history:
                continue
            pin = order.pins.get(step.op_id)
            predecessors = tuple(p for p in step.predecessors if p not in history)
            rejections = tuple(offers.rejections[step.op_id])
            if pin is not None:
                pin_id = PIN_PREFIX + step.op_id
                owner_pk = offers.used_resources[str(pin.resource_pk)].asset_owner_id
                pin_resources.append((Resource(pin_id, owner_site(owner_pk), 1, ()), str(pin.resource_pk)))
                start = max(0, minutes_from(pin.start, origin))
                end = max(start, minutes_up_from(pin.end, origin))
                fixed = FixedAssignment(pin_id, start, end)
                operations.append(
                    Operation(step.op_id, order.key, step.process, (), predecessors, 0, fixed, rejections)
                )
                continue
            release = max(0, minutes_from(step.release, origin)) if step.release else 0
            candidates = tuple(c for c in offers.candidates[step.op_id] if c.resource_id in resource_ids)
            operations.append(
                Operation(
                    step.op_id, order.key, step.process, candidates, predecessors, release, None, rejections
                )
            )
    return operations, pin_resources


def _history(orders: Sequence[OrderInput]) -> set[str]:
    """Started steps whose successors have all started too: nothing is left to plan around them (the part has
    moved on), so they leave the problem rather than pin transport that already happened."""
    history: set[str] = set()
    for order in orders:
        started = {op_id for op_id, pin in order.pins.items() if pin.started}
        successors: dict[str, list[str]] = defaultdict(list)
        for step in order.steps:
            for p in step.predecessors:
                successors[p].append(step.op_id)
        history |= {op for op in started if successors[op] and all(s in started for s in successors[op])}
    return history


def _info(row: ResourceRow) -> ResourceInfo:
    owner = row.asset_owner
    return ResourceInfo(
        pk=row.pk,
        name=row.name,
        process=row.process,
        owner_pk=owner.pk,
        owner_name=owner.name,
        max_mm=(row.max_length_mm, row.max_width_mm, row.max_height_mm),
        materials=tuple(row.materials or ()),
        eligible=owner.eligible,
    )


def normalise_material(material: str) -> str:
    return " ".join(material.replace("_", " ").lower().split())


def fits(dimensions_mm: tuple[float, float, float], limits_mm: tuple[int, int, int]) -> bool:
    """Turned the best way, each side within the resource's limits."""
    sides = sorted(dimensions_mm, reverse=True)
    limits = sorted(limits_mm, reverse=True)
    return all(side <= limit for side, limit in zip(sides, limits, strict=True))


def _incapable(row: ResourceRow, step: StepInput, currency: str) -> tuple[str, str]:
    """('', '') when the resource may take the step, else (kind, why) with kind one of owner/currency/material/size."""
    owner = row.asset_owner
    if owner.status != ParticipantStatus.APPROVED:
        return "owner", f"{owner.name} is {owner.get_status_display().lower()}"
    if not owner.onboarded:
        return "owner", f"{owner.name} cannot receive payouts yet"
    if row.currency != currency:
        return "currency", f"priced in {row.currency}, the network uses {currency}"
    if step.material and row.materials:
        accepted = {normalise_material(m) for m in row.materials}
        if normalise_material(step.material) not in accepted:
            return "material", f"does not work {step.material} (works {', '.join(row.materials)})"
    limits = (row.max_length_mm, row.max_width_mm, row.max_height_mm)
    if not fits(step.dimensions_mm, limits):
        part = " × ".join(f"{d:g}" for d in step.dimensions_mm)
        bed = " × ".join(str(d) for d in limits)
        return "size", f"too small for {part} mm (takes at most {bed} mm)"
    return "", ""
