"""The network's side of a problem, read from the database: resources with calendars, committed load as
fixed bookings, carriers' offers between sites. Calendar expansions and leg prices are cached in-process."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db.models import Q

from apps.core.geodesy import Point, haversine_km
from apps.matching.engine.domain import (
    CarrierOption,
    FixedAssignment,
    Operation,
    Resource,
)
from apps.matching.problem.values import NETWORK_ORDER, SiteInfo, minutes_from, minutes_up_from
from apps.orders.models import WorkItem
from apps.orders.status import WORK_ITEM_HOLDING
from apps.suppliers import calendars
from apps.suppliers.models import CalendarException, OpeningHours
from apps.suppliers.models import Resource as ResourceRow
from apps.suppliers.selectors import carrier_list_eligible
from apps.suppliers.transport import LegQuote, RateTerms, TooHeavy, leg_quote


def resources_of(processes: set[str], pinned_pks: set[int]) -> tuple[list[ResourceRow], dict[int, tuple]]:
    """Every resource of the processes asked for (eligible or not: the others become rejections) and the pinned
    ones with their owners, and per resource its calendar as plain tuples (hours, exceptions): three queries,
    no model instance per opening interval."""
    rows = list(
        ResourceRow.objects.filter(Q(process__in=processes) | Q(pk__in=pinned_pks))
        .select_related("asset_owner")
        .order_by("id")
    )
    ids = [row.pk for row in rows]
    hours: dict[int, list[tuple]] = defaultdict(list)
    for resource_id, *interval in (
        OpeningHours.objects.filter(resource_id__in=ids)
        .order_by("resource_id", "weekday", "opens")
        .values_list("resource_id", "weekday", "opens", "closes")
    ):
        hours[resource_id].append(tuple(interval))
    exceptions: dict[int, list[tuple]] = defaultdict(list)
    for resource_id, *span in (
        CalendarException.objects.filter(resource_id__in=ids)
        .order_by("resource_id", "starts_at")
        .values_list("resource_id", "starts_at", "ends_at", "kind")
    ):
        exceptions[resource_id].append(tuple(span))
    return rows, {pk: (tuple(hours[pk]), tuple(exceptions[pk])) for pk in ids}


@lru_cache(maxsize=4096)
def _closed_spans(key: tuple, time_zone: str, day: datetime, days: int) -> tuple[calendars.Span, ...]:
    """Closed UTC spans of a calendar over [day, day + days + 1), cached per calendar content and day: quotes
    ask for the same calendars many times a minute."""
    hours, exceptions = key
    calendar = calendars.Calendar(
        time_zone=time_zone,
        weekly=tuple(calendars.WeeklyHours(weekday=w, opens=o, closes=c) for w, o, c in hours),
        exceptions=tuple(
            calendars.ExceptionSpan(starts_at=s, ends_at=e, open=k == "open") for s, e, k in exceptions
        ),
    )
    return tuple(calendars.closed_intervals(calendar, day, day + timedelta(days=days + 1)))


@lru_cache(maxsize=4096)
def closed_minutes(
    key: tuple, time_zone: str, origin: datetime, end: datetime
) -> tuple[tuple[int, int], ...]:
    """The calendar's closed minutes over [origin, end); cached too, as the origin only moves once a minute."""
    day = origin.replace(hour=0, minute=0, second=0, microsecond=0)
    days = (end - day).days + 1
    spans = _closed_spans(key, time_zone, day, days)
    return calendars.to_minutes(calendars.clip(spans, origin, end), origin, outward=True)


def committed_load(
    resource_pks: list[int], origin: datetime, horizon_end: datetime, exclude_order_pks: set[int]
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Work items of other orders still holding these resources after `origin`."""
    load: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    items = (
        WorkItem.objects.filter(
            resource_id__in=resource_pks,
            status__in=WORK_ITEM_HOLDING,
            planned_end__gt=origin,
            planned_start__lt=horizon_end,
        )
        .exclude(order_id__in=exclude_order_pks)
        .values_list("resource_id", "planned_start", "planned_end")
    )
    for resource_pk, start, end in items:
        load[resource_pk].append((start, end))
    return load


def committed_blocks(
    rows: Mapping[str, ResourceRow],
    bookings: Mapping[int, list[tuple[datetime, datetime]]],
    closed: Mapping[str, tuple[tuple[int, int], ...]],
    origin: datetime,
    horizon: int,
) -> dict[str, list[Operation]]:
    """Committed load as fixed operations of the network order: per resource, the load profile clipped to the
    horizon, to calendar openings and to the capacity (never more units than the resource has)."""
    result: dict[str, list[Operation]] = {}
    for rid, row in rows.items():
        spans = bookings.get(row.pk)
        if not spans:
            continue
        events: list[tuple[int, int]] = []
        for start, end in spans:
            a = max(0, minutes_from(start, origin))
            b = min(horizon, minutes_up_from(end, origin))
            if b > a:
                events += [(a, 1), (b, -1)]
        for a, b in closed.get(rid, ()):  # a closure caps the level at 0
            events += [(a, 1_000_000), (b, -1_000_000)]
        events.sort()
        ops: list[Operation] = []
        level, last = 0, None
        for time, delta in events:
            if last is not None and time > last:
                units = min(level, row.capacity) if level < 1_000_000 else 0
                if units:
                    ops.extend(
                        Operation(
                            f"busy:{rid}:{len(ops) + k}",
                            NETWORK_ORDER,
                            row.process,
                            (),
                            fixed=FixedAssignment(rid, last, time),
                        )
                        for k in range(units)
                    )
            level += delta
            last = time
        if ops:
            result[rid] = _merge_blocks(rid, ops, row.process)
    return result


def _merge_blocks(rid: str, ops: list[Operation], process: str) -> list[Operation]:
    """Joins touching single-unit segments into longer bookings (fewer intervals for the solver)."""
    merged: list[tuple[int, int]] = []
    for op in sorted(ops, key=lambda o: (o.fixed.start, o.fixed.end)):  # type: ignore[union-attr]
        start, end = op.fixed.start, op.fixed.end  # type: ignore[union-attr]
        for i, (s, e) in enumerate(merged):
            if e == start:
                merged[i] = (s, end)
                break
        else:
            merged.append((start, end))
    return [
        Operation(f"busy:{rid}:{k}", NETWORK_ORDER, process, (), fixed=FixedAssignment(rid, s, e))
        for k, (s, e) in enumerate(merged)
    ]


def carrier_options(
    operations: list[Operation],
    resources: list[Resource],
    delivery_of: Mapping[str, str],
    sites: Mapping[str, SiteInfo],
    currency: str,
    weight_kg: Decimal,
    memo: dict | None = None,
) -> tuple[list[CarrierOption], dict[str, str], dict[tuple[str, str], float]]:
    """Offers of eligible carriers for every site pair the plan may connect (arcs between candidate sites, last
    operations to the customer), only from carriers whose coverage holds both ends and who can carry the weight.
    `memo`: shared by builds of one network moment (problem_build's `reads`): the carriers are read once, and
    the same site pairs at the same weight are priced once (a quote's split batches connect the same sites)."""
    memo = memo if memo is not None else {}
    site_of = {r.id: r.site_id for r in resources}
    by_id = {op.id: op for op in operations}

    def op_sites(op: Operation) -> set[str]:
        if op.fixed is not None:
            return {site_of[op.fixed.resource_id]}
        return {site_of[c.resource_id] for c in op.candidates if c.resource_id in site_of}

    pairs: set[tuple[str, str]] = set()
    has_successor: set[str] = set()
    for op in operations:
        if op.order_id == NETWORK_ORDER:
            continue
        for p in op.predecessors:
            if p in by_id:
                has_successor.add(p)
                pairs |= {(a, b) for a in op_sites(by_id[p]) for b in op_sites(op) if a != b}
    for op in operations:
        delivery = delivery_of.get(op.order_id)
        if delivery is not None and op.id not in has_successor:
            pairs |= {(a, delivery) for a in op_sites(op) if a != delivery}
    if not pairs:
        return [], {}, {}
    points = tuple(sorted((s, sites[s].point) for s in {x for pair in pairs for x in pair}))
    key = ("carrier_options", frozenset(pairs), points, currency, weight_kg)
    if key not in memo:
        if "carriers" not in memo:
            memo["carriers"] = list(carrier_list_eligible())
        memo[key] = _offers_between(memo["carriers"], pairs, sites, currency, weight_kg)
    options, names, distances = memo[key]
    return list(options), dict(names), dict(distances)


def _offers_between(
    carriers: list,
    pairs: set[tuple[str, str]],
    sites: Mapping[str, SiteInfo],
    currency: str,
    weight_kg: Decimal,
) -> tuple[list[CarrierOption], dict[str, str], dict[tuple[str, str], float]]:
    distances = {(a, b): _km(sites[a].point, sites[b].point) for a, b in pairs}
    options: list[CarrierOption] = []
    names: dict[str, str] = {}
    for carrier in carriers:
        card = carrier.rate_card
        if card.currency != currency:
            continue
        base, radius = carrier.coordinates, float(carrier.coverage_radius_km)
        covered = {s for s in {x for pair in pairs for x in pair} if _km(base, sites[s].point) <= radius}
        terms = RateTerms.of(carrier, card)
        cid = str(carrier.pk)
        for a, b in pairs:
            if a not in covered or b not in covered:
                continue
            quote = _leg(terms, sites[a].point, sites[b].point, weight_kg)
            if quote is None:
                continue
            options.append(CarrierOption(cid, a, b, quote.duration_minutes, quote.price_minor))
            names[cid] = carrier.name
    return options, names, distances


@lru_cache(maxsize=65536)
def _km(a: Point, b: Point) -> float:
    return haversine_km(a, b)


@lru_cache(maxsize=65536)
def _leg(terms: RateTerms, origin: Point, destination: Point, weight_kg: Decimal) -> LegQuote | None:
    """suppliers' leg price and duration, cached: a network's site pairs and rate cards repeat from one quote to
    the next (the key holds the whole rate card, so a changed card is a new entry). A batch heavier than the
    carrier takes at once goes in as many equal trips as it needs, each priced as its own leg, arriving
    together (ten tables are not refused because one van cannot carry them). None: the card carries nothing."""
    trips = max(1, math.ceil(weight_kg / terms.max_weight_kg)) if terms.max_weight_kg > 0 else 1
    try:
        quote = leg_quote(terms=terms, origin=origin, destination=destination, weight_kg=weight_kg / trips)
    except TooHeavy:
        return None
    return replace(quote, price_minor=quote.price_minor * trips) if trips > 1 else quote
