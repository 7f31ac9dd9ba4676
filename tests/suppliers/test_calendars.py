"""Calendar arithmetic: weekly hours in the network's time zone → UTC intervals, across DST and exceptions."""

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.suppliers.calendars import (
    Calendar,
    ExceptionSpan,
    WeeklyHours,
    closed_intervals,
    closed_minutes,
    exception_problems,
    open_intervals,
    open_minutes_total,
    weekly_problems,
)

AMS = "Europe/Amsterdam"
ZONE = ZoneInfo(AMS)
EVERY_DAY_8_TO_17 = tuple(WeeklyHours(d, time(8), time(17)) for d in range(7))
SPRING_FORWARD = datetime(2026, 3, 29)  # last Sunday of March 2026: 02:00 CET → 03:00 CEST
FALL_BACK = datetime(2026, 10, 25)  # last Sunday of October 2026: 03:00 CEST → 02:00 CET


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_day(day: datetime) -> tuple[datetime, datetime]:
    start = day.replace(tzinfo=ZONE)
    return start, (day + timedelta(days=1)).replace(tzinfo=ZONE)


def test_dst_change_days_are_really_sunday():
    assert SPRING_FORWARD.weekday() == 6 and FALL_BACK.weekday() == 6
    assert (SPRING_FORWARD + timedelta(days=7)).month == 4
    assert (FALL_BACK + timedelta(days=7)).month == 11


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime(2026, 3, 22), (utc(2026, 3, 22, 7), utc(2026, 3, 22, 16))),  # CET, +01:00
        (SPRING_FORWARD, (utc(2026, 3, 29, 6), utc(2026, 3, 29, 15))),  # already CEST at 08:00
        (datetime(2026, 3, 30), (utc(2026, 3, 30, 6), utc(2026, 3, 30, 15))),  # CEST, +02:00
        (datetime(2026, 10, 18), (utc(2026, 10, 18, 6), utc(2026, 10, 18, 15))),  # CEST
        (FALL_BACK, (utc(2026, 10, 25, 7), utc(2026, 10, 25, 16))),  # already CET at 08:00
        (datetime(2026, 10, 26), (utc(2026, 10, 26, 7), utc(2026, 10, 26, 16))),  # CET
    ],
)
def test_a_day_of_8_to_17_is_nine_hours_with_the_offset_of_that_day(day, expected):
    """08:00–17:00 local is 9 h on every day, DST change days included; only its UTC offset moves."""
    spans = open_intervals(Calendar(AMS, EVERY_DAY_8_TO_17), *local_day(day))
    assert spans == [expected]
    assert spans[0][1] - spans[0][0] == timedelta(hours=9)


def test_closed_hours_of_the_short_and_long_days_are_23_and_25_hours_minus_opening():
    calendar = Calendar(AMS, EVERY_DAY_8_TO_17)
    short = closed_intervals(calendar, *local_day(SPRING_FORWARD))
    long = closed_intervals(calendar, *local_day(FALL_BACK))
    assert sum((e - s for s, e in short), timedelta()) == timedelta(hours=23 - 9)
    assert sum((e - s for s, e in long), timedelta()) == timedelta(hours=25 - 9)
    # The spring-forward day starts at 23:00 UTC the day before (CET) and ends at 22:00 UTC (CEST).
    assert short[0][0] == utc(2026, 3, 28, 23) and short[-1][1] == utc(2026, 3, 29, 22)


def test_night_shift_across_the_spring_forward_gap_loses_the_skipped_hour():
    """Sat 22:00–24:00 + Sun 00:00–06:00 local: 8 wall-clock hours, 7 real ones that night."""
    calendar = Calendar(AMS, (WeeklyHours(5, time(22), time(0)), WeeklyHours(6, time(0), time(6))))
    start = datetime(2026, 3, 28, 12, tzinfo=ZONE)
    spans = open_intervals(calendar, start, start + timedelta(days=1))
    assert spans == [(utc(2026, 3, 28, 21), utc(2026, 3, 29, 4))]


def test_skipped_wall_times_move_forward_by_the_gap_and_the_repeated_hour_counts_twice():
    """02:15–02:45 does not exist on the spring-forward night: it is read as 03:15–03:45 summer time."""
    gap = Calendar(AMS, (WeeklyHours(6, time(2, 15), time(2, 45)),))
    assert open_intervals(gap, *local_day(SPRING_FORWARD)) == [
        (utc(2026, 3, 29, 1, 15), utc(2026, 3, 29, 1, 45))
    ]
    into_gap = Calendar(AMS, (WeeklyHours(6, time(1), time(2, 30)),))
    assert open_intervals(into_gap, *local_day(SPRING_FORWARD)) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1, 30))
    ]
    repeated = Calendar(AMS, (WeeklyHours(6, time(1), time(4)),))
    spans = open_intervals(repeated, *local_day(FALL_BACK))
    assert spans == [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))]  # 4 real hours for 3 on the clock


def test_midnight_close_means_end_of_day_and_round_the_clock_merges():
    calendar = Calendar("UTC", tuple(WeeklyHours(d, time(0), time(0)) for d in range(7)))
    start = utc(2026, 5, 4)
    assert open_intervals(calendar, start, start + timedelta(days=3)) == [(start, start + timedelta(days=3))]
    assert closed_intervals(calendar, start, start + timedelta(days=3)) == []


def test_several_intervals_per_day_and_weekends_closed():
    calendar = Calendar(
        AMS,
        tuple(
            h
            for d in range(5)
            for h in (WeeklyHours(d, time(8), time(12)), WeeklyHours(d, time(12, 30), time(17)))
        ),
    )
    monday = datetime(2026, 6, 1, tzinfo=ZONE)  # CEST
    spans = open_intervals(calendar, monday, monday + timedelta(days=7))
    assert len(spans) == 10
    assert spans[0] == (utc(2026, 6, 1, 6), utc(2026, 6, 1, 10))
    assert spans[1] == (utc(2026, 6, 1, 10, 30), utc(2026, 6, 1, 15))
    assert open_minutes_total(calendar, monday, monday + timedelta(days=7)) == 5 * 510


def test_exceptions_close_and_open():
    maintenance = ExceptionSpan(datetime(2026, 6, 3, 10, tzinfo=ZONE), datetime(2026, 6, 3, 14, tzinfo=ZONE))
    saturday = ExceptionSpan(
        datetime(2026, 6, 6, 9, tzinfo=ZONE), datetime(2026, 6, 6, 13, tzinfo=ZONE), open=True
    )
    weekly = tuple(WeeklyHours(d, time(8), time(17)) for d in range(5))
    calendar = Calendar(AMS, weekly, (maintenance, saturday))
    wednesday = open_intervals(calendar, *local_day(datetime(2026, 6, 3)))
    assert wednesday == [(utc(2026, 6, 3, 6), utc(2026, 6, 3, 8)), (utc(2026, 6, 3, 12), utc(2026, 6, 3, 15))]
    assert open_intervals(calendar, *local_day(datetime(2026, 6, 6))) == [
        (utc(2026, 6, 6, 7), utc(2026, 6, 6, 11))
    ]


def test_a_holiday_spanning_days_closes_them_all():
    holiday = ExceptionSpan(datetime(2026, 12, 24, 12, tzinfo=ZONE), datetime(2026, 12, 28, 0, tzinfo=ZONE))
    calendar = Calendar(AMS, EVERY_DAY_8_TO_17, (holiday,))
    spans = open_intervals(calendar, datetime(2026, 12, 24, tzinfo=ZONE), datetime(2026, 12, 29, tzinfo=ZONE))
    assert spans == [
        (utc(2026, 12, 24, 7), utc(2026, 12, 24, 11)),
        (utc(2026, 12, 28, 7), utc(2026, 12, 28, 16)),
    ]


def test_closed_minutes_from_an_origin_feed_the_matching_engine():
    """The solver's `Resource.closed`: minutes from the origin, covering everything outside opening hours."""
    calendar = Calendar(AMS, tuple(WeeklyHours(d, time(8), time(17)) for d in range(5)))
    origin = datetime(2026, 3, 27, tzinfo=ZONE)  # Friday 00:00 CET, the weekend before the change
    closed = closed_minutes(calendar, origin, origin + timedelta(days=4))
    # Fri 00:00–08:00 closed; Fri 17:00 until Mon 08:00 (CEST) closed: 63 h wall clock, 62 h real.
    assert closed[0] == (0, 8 * 60)
    assert closed[1] == (17 * 60, 17 * 60 + 62 * 60)
    # The end of the horizon (Tue 00:00 CEST = 95 h after origin) closes the last gap.
    assert closed[-1] == ((17 + 62 + 9) * 60, 95 * 60)


def test_closed_minutes_round_outwards():
    calendar = Calendar("UTC", (WeeklyHours(0, time(8), time(17)),))
    origin = datetime(2026, 6, 1, 0, 0, 30, tzinfo=UTC)  # half a minute past midnight, a Monday
    closed = closed_minutes(calendar, origin, origin + timedelta(hours=24))
    assert closed[0] == (0, 480)  # 07:59:30 from origin → rounded up to 480
    assert closed[1] == (1019, 1440)  # 16:59:30 → rounded down to 1019


@pytest.mark.parametrize(
    ("weekly", "fragment"),
    [
        ((WeeklyHours(0, time(17), time(8)),), "closes before it opens"),
        ((WeeklyHours(0, time(8), time(8)),), "closes before it opens"),
        ((WeeklyHours(0, time(8), time(12)), WeeklyHours(0, time(11), time(15))), "overlaps"),
        ((WeeklyHours(7, time(8), time(12)),), "does not exist"),
    ],
)
def test_inverted_empty_or_overlapping_weekly_hours_are_rejected(weekly, fragment):
    problems = weekly_problems(weekly)
    assert problems and fragment in problems[0]


def test_touching_intervals_and_different_days_are_fine():
    assert (
        weekly_problems(
            (
                WeeklyHours(0, time(8), time(12)),
                WeeklyHours(0, time(12), time(0)),
                WeeklyHours(1, time(8), time(12)),
            )
        )
        == []
    )


def test_exception_validation():
    a = ExceptionSpan(utc(2026, 6, 1, 8), utc(2026, 6, 1, 12))
    assert exception_problems([a, ExceptionSpan(utc(2026, 6, 1, 12), utc(2026, 6, 1, 14))]) == []
    assert "overlaps" in exception_problems([a, ExceptionSpan(utc(2026, 6, 1, 11), utc(2026, 6, 1, 14))])[0]
    assert (
        "ends before it starts"
        in exception_problems([ExceptionSpan(utc(2026, 6, 1, 12), utc(2026, 6, 1, 8))])[0]
    )
    assert (
        "time zone"
        in exception_problems([ExceptionSpan(datetime(2026, 6, 1, 8), datetime(2026, 6, 1, 9))])[0]
    )


def test_naive_horizons_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        open_intervals(Calendar(AMS, EVERY_DAY_8_TO_17), datetime(2026, 1, 1), datetime(2026, 1, 2))


hours = st.tuples(st.integers(0, 6), st.integers(0, 47), st.integers(1, 48)).map(
    lambda t: (t[0], t[1], min(48, t[1] + t[2]))
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(hours, max_size=6),
    st.integers(0, 400),
    st.integers(1, 24 * 9),
)
def test_open_and_closed_partition_the_horizon(raw, start_offset_h, length_h):
    """Property: open and closed intervals never overlap and together cover the horizon exactly."""
    weekly = []
    for day, a, b in raw:
        opens = time(a // 2, 30 * (a % 2))
        closes = time(0) if b == 48 else time(b // 2, 30 * (b % 2))
        candidate = WeeklyHours(day, opens, closes)
        if not weekly_problems([*weekly, candidate]):
            weekly.append(candidate)
    calendar = Calendar(AMS, tuple(weekly))
    start = datetime(2026, 3, 20, tzinfo=ZONE) + timedelta(hours=start_offset_h)
    end = start + timedelta(hours=length_h)
    opened = open_intervals(calendar, start, end)
    closed = closed_intervals(calendar, start, end)
    merged = sorted(opened + closed)
    assert merged[0][0] == start.astimezone(UTC) and merged[-1][1] == end.astimezone(UTC)
    for (_, previous_end), (next_start, _) in itertools.pairwise(merged):
        assert previous_end == next_start
