"""How dates and times read for people: one format per locale, in the network's time zone.

Every page and every sentence the platform writes about a moment goes through these functions (the template
filters `when`, `day`, `clock` and `span` in apps/core/templatetags/when.py call them), so a date never appears
in five shapes or as an ISO timestamp. The tenant middleware activates the network's time zone; an aware datetime
is shown in it. Machine-readable values (`<time datetime="…">`, CSV exports, the API) stay ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.utils import dateformat, timezone, translation


@dataclass(frozen=True)
class Formats:
    """Django `date` format strings: a moment, a calendar day, a clock time, a day on a chart's axis."""

    moment: str
    day: str
    clock: str
    short_day: str
    month: str


FORMATS = {"en": Formats(moment="D j M Y, H:i", day="D j M Y", clock="H:i", short_day="j M", month="F Y")}
DEFAULT_LOCALE = "en"


def formats() -> Formats:
    language = (translation.get_language() or DEFAULT_LOCALE).split("-")[0]
    return FORMATS.get(language, FORMATS[DEFAULT_LOCALE])


# The format characters FORMATS may use: wall-clock fields only (names and numbers of days, months, hours), so the
# text of a moment depends on its local wall time, the pattern and the language, never on the zone's name or offset,
# and texts can be kept per wall time (tests/core/test_when.py holds FORMATS to it).
WALL_CLOCK_CHARACTERS = frozenset("DdjlNwzFMmnYyHhGgiAaPs :,.-/")


@lru_cache(maxsize=8192)
def _wall_text(wall: dt.date, pattern: str, language: str) -> str:
    """A page lists the same moments again and again (a plan's times, a chart's axis): Django's `dateformat`
    costs tens of microseconds per call, a look-up here well under one. `wall` is naive (a date or local time)."""
    return dateformat.format(wall, pattern)


def _text(value: dt.date, pattern: str) -> str:
    """`value` (a date, or a datetime already in the zone it is shown in) by one of FORMATS' patterns."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return _wall_text(value, pattern, translation.get_language() or DEFAULT_LOCALE)


def _local(value):
    if isinstance(value, str):
        value = _parse(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _parse(value: str):
    """An ISO string (as JSON fields keep moments) back to a datetime or date; anything else is left alone."""
    try:
        return (
            dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        )
    except ValueError:
        return value


def format_moment(value) -> str:
    """ "Mon 7 Dec 2026, 14:30"; a bare date reads as a day. Empty values are a dash."""
    value = _local(value)
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.datetime):
        return _text(value, formats().moment)
    if isinstance(value, dt.date):
        return _text(value, formats().day)
    return str(value)


def _format_date(value, pattern: str) -> str:
    """A date, or a moment's day in the network's time zone, by `pattern`; empty values are a dash."""
    value = _local(value)
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.date):
        return _text(value, pattern)
    return str(value)


def format_day(value) -> str:
    """ "Mon 7 Dec 2026" (of a date, or of a moment in the network's time zone)."""
    return _format_date(value, formats().day)


def format_short_day(value) -> str:
    """ "7 Dec": a day where the year is plain from the context and room is short (a chart's axis)."""
    return _format_date(value, formats().short_day)


def format_period(value, unit: str) -> str:
    """A reporting period by its start: "December 2026" for a month, "Week of Mon 7 Dec 2026" for a week."""
    if unit == "week" and isinstance(_local(value), dt.date):
        return f"Week of {format_day(value)}"
    return _format_date(value, formats().month if unit == "month" else formats().day)


def format_clock(value) -> str:
    """ "14:30" (of a moment in the network's time zone, or of a time of day)."""
    value = _local(value)
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.datetime):
        return _text(value, formats().clock)
    if isinstance(value, dt.time):
        return dateformat.time_format(value, formats().clock)
    return str(value)


def format_span(start, end) -> str:
    """A window: "Mon 7 Dec 2026, 09:00 – 11:30" within a day, else both moments in full."""
    start, end = _local(start), _local(end)
    if start in (None, ""):
        return "—"
    if end in (None, ""):
        return format_moment(start)
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and start.date() == end.date():
        return f"{format_moment(start)} – {format_clock(end)}"
    return f"{format_moment(start)} – {format_moment(end)}"
