"""A Gantt chart of resources over a horizon, as geometry for a server-rendered SVG. Pure: no database.

Inputs are plain values: the resources, each resource's closed intervals (apps/suppliers/calendars.py) and
the bookings to draw (the supplier's jobs' planned windows, passed by the dashboard view as `Booking`s).

Utilisation of a resource = booked minutes inside its open hours ÷ (open minutes × capacity), over the
horizon. Bookings in closed time are drawn but do not count.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apps.suppliers.calendars import Span, clip, merge, subtract


@dataclass(frozen=True, slots=True)
class GanttResource:
    id: Hashable
    label: str
    capacity: int = 1
    up: bool = True
    href: str = ""


@dataclass(frozen=True, slots=True)
class Booking:
    resource_id: Hashable
    start: datetime
    end: datetime
    label: str
    href: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    label: str = ""
    href: str = ""


@dataclass(frozen=True, slots=True)
class DayColumn:
    x: float
    width: float
    label: str
    weekend: bool


@dataclass(frozen=True, slots=True)
class GanttRow:
    resource: GanttResource
    y: float
    closed: tuple[Bar, ...]
    bookings: tuple[Bar, ...]
    open_minutes: int
    booked_minutes: int
    utilisation: float  # percent, one decimal


@dataclass(frozen=True, slots=True)
class GanttChart:
    start: datetime
    end: datetime
    width: float
    height: float
    label_width: float
    axis_height: float
    row_height: float
    days: tuple[DayColumn, ...]
    rows: tuple[GanttRow, ...]
    now_x: float | None

    @property
    def plot_width(self) -> float:
        return self.width - self.label_width

    @property
    def overall_utilisation(self) -> float:
        capacity_minutes = sum(r.open_minutes * r.resource.capacity for r in self.rows)
        booked = sum(r.booked_minutes for r in self.rows)
        return round(100 * booked / capacity_minutes, 1) if capacity_minutes else 0.0


def _minutes(spans: Sequence[Span]) -> int:
    return int(sum((e - s).total_seconds() for s, e in spans) // 60)


def _lanes(bookings: Sequence[Booking]) -> list[int]:
    """Greedy interval partitioning: overlapping bookings of one resource get different lanes."""
    lane_ends: list[datetime] = []
    result = []
    for booking in bookings:
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= booking.start:
                lane_ends[lane] = booking.end
                result.append(lane)
                break
        else:
            lane_ends.append(booking.end)
            result.append(len(lane_ends) - 1)
    return result


def gantt_build(
    *,
    resources: Sequence[GanttResource],
    closed: Mapping[Hashable, Sequence[Span]],
    bookings: Sequence[Booking],
    start: datetime,
    end: datetime,
    time_zone: str,
    now: datetime | None = None,
    px_per_day: float = 70.0,
    label_width: float = 200.0,
    row_height: float = 34.0,
    axis_height: float = 36.0,
) -> GanttChart:
    """Lays out one row per resource over [start, end); day columns follow the network's local midnights."""
    if end <= start:
        raise ValueError("The horizon must end after it starts.")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = (end - start).total_seconds()
    plot_width = px_per_day * total / 86400
    zone = ZoneInfo(time_zone)

    def x_of(moment: datetime) -> float:
        return round(label_width + plot_width * (moment - start).total_seconds() / total, 2)

    days = []
    day = start.astimezone(zone).date()
    while True:
        day_start = max(datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC), start)
        day_end = min(
            datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(UTC), end
        )
        if day_start >= end:
            break
        days.append(
            DayColumn(
                x=x_of(day_start),
                width=round(x_of(day_end) - x_of(day_start), 2),
                label=f"{day:%a %d}" if day.day != 1 and days else f"{day:%a %d %b}",
                weekend=day.weekday() >= 5,
            )
        )
        day += timedelta(days=1)

    by_resource: dict[Hashable, list[Booking]] = {}
    for booking in sorted(bookings, key=lambda b: (b.start, b.end)):
        by_resource.setdefault(booking.resource_id, []).append(booking)

    rows = []
    for index, resource in enumerate(resources):
        y = axis_height + index * row_height
        closed_spans = merge(clip(closed.get(resource.id, ()), start, end))
        open_spans = subtract([(start, end)], closed_spans)
        closed_bars = tuple(
            Bar(
                x=x_of(s),
                y=y,
                width=round(x_of(e) - x_of(s), 2),
                height=row_height,
                title=f"Closed {s.astimezone(zone):%a %H:%M} – {e.astimezone(zone):%a %H:%M}",
            )
            for s, e in closed_spans
        )
        mine = [b for b in by_resource.get(resource.id, ()) if b.end > start and b.start < end]
        lanes = _lanes(mine)
        lane_count = max([resource.capacity, *(lane + 1 for lane in lanes)])
        lane_height = (row_height - 6) / lane_count
        booking_bars = []
        booked = 0
        for booking, lane in zip(mine, lanes, strict=True):
            s, e = max(booking.start, start), min(booking.end, end)
            booked += _minutes(clip(open_spans, s, e))
            booking_bars.append(
                Bar(
                    x=x_of(s),
                    y=round(y + 3 + lane * lane_height, 2),
                    width=max(1.0, round(x_of(e) - x_of(s), 2)),
                    height=round(lane_height - 1, 2),
                    title=f"{booking.label}: {s.astimezone(zone):%a %H:%M} – {e.astimezone(zone):%a %H:%M}",
                    label=booking.label,
                    href=booking.href,
                )
            )
        open_minutes = _minutes(open_spans)
        capacity_minutes = open_minutes * max(1, resource.capacity)
        utilisation = round(min(100.0, 100 * booked / capacity_minutes), 1) if capacity_minutes else 0.0
        rows.append(
            GanttRow(
                resource=resource,
                y=y,
                closed=closed_bars,
                bookings=tuple(booking_bars),
                open_minutes=open_minutes,
                booked_minutes=booked,
                utilisation=utilisation,
            )
        )
    now_x = x_of(now) if now is not None and start <= now.astimezone(UTC) < end else None
    return GanttChart(
        start=start,
        end=end,
        width=round(label_width + plot_width, 2),
        height=axis_height + max(1, len(rows)) * row_height,
        label_width=label_width,
        axis_height=axis_height,
        row_height=row_height,
        days=tuple(days),
        rows=tuple(rows),
        now_x=now_x,
    )
