"""The Gantt builder: a pure function from resources, closed intervals and bookings to SVG geometry."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.portal.gantt import Booking, GanttResource, gantt_build
from apps.suppliers.calendars import Calendar, WeeklyHours, closed_intervals

AMS = "Europe/Amsterdam"
ZONE = ZoneInfo(AMS)
START = datetime(2026, 3, 23, tzinfo=ZONE)  # Monday; the week in which summer time starts
END = START + timedelta(days=14)
WEEKDAYS_8_TO_17 = Calendar(AMS, tuple(WeeklyHours(d, time(8), time(17)) for d in range(5)))


def chart(resources, bookings=(), **kwargs):
    closed = {r.id: closed_intervals(WEEKDAYS_8_TO_17, START, END) for r in resources}
    return gantt_build(
        resources=resources, closed=closed, bookings=bookings, start=START, end=END, time_zone=AMS, **kwargs
    )


def test_without_bookings_utilisation_is_honestly_zero():
    result = chart([GanttResource(1, "Mill"), GanttResource(2, "Laser", capacity=2)])
    assert [row.utilisation for row in result.rows] == [0.0, 0.0]
    assert result.overall_utilisation == 0.0
    assert result.rows[0].open_minutes == 10 * 9 * 60  # ten working days of nine hours
    assert len(result.days) == 14 and result.days[5].weekend and not result.days[0].weekend


def test_closed_bars_follow_the_calendar_and_the_short_day_is_narrower():
    result = chart([GanttResource(1, "Mill")])
    row = result.rows[0]
    # Monday 00:00–08:00, the evening/night gaps, the weekends …: one bar per closed stretch
    assert len(row.closed) == 11
    assert row.closed[0].x == result.label_width
    sunday_of_the_change = result.days[6]
    assert sunday_of_the_change.width == pytest.approx(70 * 23 / 24, abs=0.02)
    assert result.days[0].width == pytest.approx(70, abs=0.02)
    assert result.width == pytest.approx(result.label_width + 70 * (14 * 24 - 1) / 24, abs=0.02)


def test_bookings_count_inside_opening_hours_against_capacity():
    monday_9 = datetime(2026, 3, 23, 9, tzinfo=ZONE)
    bookings = [
        Booking(1, monday_9, monday_9 + timedelta(hours=3), "Order 7 · milling"),
        # overlapping booking on a 2-unit cell: second lane; partly in closed time (after 17:00)
        Booking(2, monday_9, monday_9 + timedelta(hours=9), "Order 8 · laser"),
        Booking(2, monday_9 + timedelta(hours=1), monday_9 + timedelta(hours=2), "Order 9 · laser"),
    ]
    result = chart([GanttResource(1, "Mill"), GanttResource(2, "Laser", capacity=2)], bookings)
    mill, laser = result.rows
    assert mill.booked_minutes == 180
    assert mill.utilisation == round(100 * 180 / (10 * 9 * 60), 1)
    assert laser.booked_minutes == 8 * 60 + 60  # 09:00–17:00 counts, 17:00–18:00 is closed
    assert laser.utilisation == round(100 * 540 / (2 * 10 * 9 * 60), 1)
    lanes = {bar.y for bar in laser.bookings}
    assert len(lanes) == 2
    assert "Order 8" in laser.bookings[0].title


def test_now_marker_only_inside_the_horizon():
    inside = chart([GanttResource(1, "Mill")], now=START + timedelta(days=1))
    assert inside.now_x == pytest.approx(inside.label_width + 70, abs=0.02)
    assert chart([GanttResource(1, "Mill")], now=datetime(2020, 1, 1, tzinfo=UTC)).now_x is None


def test_an_empty_horizon_is_refused():
    with pytest.raises(ValueError):
        gantt_build(resources=[], closed={}, bookings=[], start=START, end=START, time_zone=AMS)
