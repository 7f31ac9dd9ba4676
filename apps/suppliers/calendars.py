"""Resource calendars as time: weekly hours + dated exceptions → UTC open and closed intervals.

Pure functions over small value types (no database). Weekly hours are wall-clock times in the network's time
zone, so they are expanded day by day with zoneinfo: an 08:00–17:00 day is 9 hours on the days daylight-saving
time starts or ends too, only its UTC offset differs before and after the change. Wall-clock times that do not
exist (02:30 on the spring-forward night) or happen twice (02:30 on the fall-back night) are read with the
offset in force before the change (fold=0): a skipped time moves forward by the gap (02:30 → 03:30 summer
time) and a repeated one means its first occurrence.

The matching engine consumes `closed_minutes`: closed intervals as integer minutes from an origin, rounded
outwards so a resource is never scheduled in a partly closed minute.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Span = tuple[datetime, datetime]  # half-open [start, end), timezone-aware


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Open on `weekday` (0 = Monday) from `opens` to `closes` local time; `closes` 00:00 = end of the day."""

    weekday: int
    opens: time
    closes: time

    def minutes(self) -> tuple[int, int]:
        """(start, end) as minutes after local midnight; end 1440 for a midnight close."""
        start = self.opens.hour * 60 + self.opens.minute
        end = 24 * 60 if self.closes == MIDNIGHT else self.closes.hour * 60 + self.closes.minute
        return start, end


@dataclass(frozen=True, slots=True)
class ExceptionSpan:
    """A dated change: `open` True adds opening time, False closes (maintenance, holidays)."""

    starts_at: datetime
    ends_at: datetime
    open: bool = False


@dataclass(frozen=True, slots=True)
class Calendar:
    time_zone: str
    weekly: tuple[WeeklyHours, ...] = ()
    exceptions: tuple[ExceptionSpan, ...] = ()


# --- validation ---------------------------------------------------------------------------------------------


def weekly_problems(weekly: Iterable[WeeklyHours]) -> list[str]:
    """Human-readable reasons the weekly hours are invalid (inverted, empty or overlapping); [] when fine."""
    problems: list[str] = []
    by_day: dict[int, list[WeeklyHours]] = {}
    for hours in weekly:
        if not 0 <= hours.weekday <= 6:
            problems.append(f"Weekday {hours.weekday} does not exist (0 = Monday … 6 = Sunday).")
            continue
        start, end = hours.minutes()
        if end <= start:
            problems.append(
                f"{WEEKDAYS[hours.weekday]} {hours.opens:%H:%M}–{hours.closes:%H:%M} closes before it opens."
            )
            continue
        by_day.setdefault(hours.weekday, []).append(hours)
    for weekday, intervals in sorted(by_day.items()):
        ordered = sorted(intervals, key=lambda h: h.minutes())
        for before, after in itertools.pairwise(ordered):
            if after.minutes()[0] < before.minutes()[1]:
                problems.append(
                    f"{WEEKDAYS[weekday]} {before.opens:%H:%M}–{before.closes:%H:%M} overlaps "
                    f"{after.opens:%H:%M}–{after.closes:%H:%M}."
                )
    return problems


def exception_problems(exceptions: Iterable[ExceptionSpan]) -> list[str]:
    """Reasons the exceptions are invalid (naive, inverted or overlapping one another); [] when fine."""
    problems: list[str] = []
    valid: list[ExceptionSpan] = []
    for span in exceptions:
        if span.starts_at.tzinfo is None or span.ends_at.tzinfo is None:
            problems.append("Exception times need a time zone.")
        elif span.ends_at <= span.starts_at:
            problems.append(f"The exception starting {span.starts_at.isoformat()} ends before it starts.")
        else:
            valid.append(span)
    valid.sort(key=lambda s: s.starts_at)
    for before, after in itertools.pairwise(valid):
        if after.starts_at < before.ends_at:
            problems.append(
                f"The exception {after.starts_at.isoformat()} – {after.ends_at.isoformat()} overlaps "
                f"{before.starts_at.isoformat()} – {before.ends_at.isoformat()}."
            )
    return problems


# --- interval arithmetic ------------------------------------------------------------------------------------


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of spans; touching spans become one."""
    result: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(spans: Sequence[Span], holes: Iterable[Span]) -> list[Span]:
    """`spans` minus `holes`; both may be unsorted, the result is sorted and merged."""
    result = merge(spans)
    for hole_start, hole_end in merge(holes):
        next_result: list[Span] = []
        for start, end in result:
            if hole_end <= start or end <= hole_start:
                next_result.append((start, end))
                continue
            if start < hole_start:
                next_result.append((start, hole_start))
            if hole_end < end:
                next_result.append((hole_end, end))
        result = next_result
    return result


def clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware.")


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Local wall-clock `minutes` after midnight of `day` (1440 = next midnight), as a UTC datetime."""
    extra_days, minute_of_day = divmod(minutes, 24 * 60)
    wall = datetime.combine(day + timedelta(days=extra_days), time(minute_of_day // 60, minute_of_day % 60))
    return wall.replace(tzinfo=zone).astimezone(UTC)


def weekly_open_spans(
    weekly: Iterable[WeeklyHours], time_zone: str, start: datetime, end: datetime
) -> list[Span]:
    """The weekly hours expanded to UTC spans covering [start, end), before exceptions."""
    _aware(start, "start")
    _aware(end, "end")
    zone = ZoneInfo(time_zone)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for hours in weekly:
        by_day.setdefault(hours.weekday, []).append(hours.minutes())
    spans: list[Span] = []
    # One day of margin on each side: a local day may begin before `start` in UTC and end after `end`.
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for opens, closes in by_day.get(day.weekday(), ()):
            spans.append((_local(day, opens, zone), _local(day, closes, zone)))
        day += timedelta(days=1)
    return clip(merge(spans), start.astimezone(UTC), end.astimezone(UTC))


def open_intervals(calendar: Calendar, start: datetime, end: datetime) -> list[Span]:
    """UTC spans in [start, end) during which the resource is open: weekly hours, plus extra openings, minus
    closures. A closure wins over an extra opening when both are given for the same time."""
    spans = weekly_open_spans(calendar.weekly, calendar.time_zone, start, end)
    extra = [(e.starts_at.astimezone(UTC), e.ends_at.astimezone(UTC)) for e in calendar.exceptions if e.open]
    closed = [
        (e.starts_at.astimezone(UTC), e.ends_at.astimezone(UTC)) for e in calendar.exceptions if not e.open
    ]
    return clip(subtract(merge([*spans, *extra]), closed), start.astimezone(UTC), end.astimezone(UTC))


def closed_intervals(calendar: Calendar, start: datetime, end: datetime) -> list[Span]:
    """The complement of `open_intervals` within [start, end)."""
    horizon = [(start.astimezone(UTC), end.astimezone(UTC))]
    return subtract(horizon, open_intervals(calendar, start, end))


def to_minutes(
    spans: Iterable[Span], origin: datetime, *, outward: bool = True
) -> tuple[tuple[int, int], ...]:
    """Spans as (start, end) integer minutes from `origin`.

    `outward` rounds starts down and ends up (right for closed time: a partly closed minute is closed);
    otherwise inward (right for open time).
    """
    _aware(origin, "origin")
    result = []
    for start, end in spans:
        a = (start - origin).total_seconds() / 60
        b = (end - origin).total_seconds() / 60
        lo, hi = (math.floor(a), math.ceil(b)) if outward else (math.ceil(a), math.floor(b))
        if hi > lo:
            result.append((lo, hi))
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(result):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def closed_minutes(calendar: Calendar, origin: datetime, end: datetime) -> tuple[tuple[int, int], ...]:
    """Closed intervals over [origin, end) as minutes from `origin`: the matching engine's `Resource.closed`."""
    return to_minutes(closed_intervals(calendar, origin, end), origin, outward=True)


def open_minutes_total(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Open minutes in [start, end) (rounded down)."""
    return int(sum((e - s).total_seconds() for s, e in open_intervals(calendar, start, end)) // 60)
