"""One date and time format per locale, in the network's time zone, for every page and sentence: the functions
in apps/core/when.py and the template filters `when`, `day`, `clock`, `span` and `basis_points` on top of them."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from apps.core.when import (
    FORMATS,
    WALL_CLOCK_CHARACTERS,
    format_clock,
    format_day,
    format_moment,
    format_period,
    format_short_day,
    format_span,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MOMENT = dt.datetime(2026, 12, 7, 13, 30, tzinfo=dt.UTC)  # 14:30 in Amsterdam


def test_a_moment_reads_in_the_active_time_zone_with_weekday_day_month_year_and_clock():
    with timezone.override(AMSTERDAM):
        assert format_moment(MOMENT) == "Mon 7 Dec 2026, 14:30"
        assert format_day(MOMENT) == "Mon 7 Dec 2026"
        assert format_clock(MOMENT) == "14:30"
        assert format_short_day(MOMENT) == "7 Dec"


def test_the_day_of_a_moment_is_the_local_day_not_the_utc_one():
    late_evening_utc = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)
    with timezone.override(AMSTERDAM):
        assert format_day(late_evening_utc) == "Tue 8 Dec 2026"


def test_iso_strings_as_json_fields_keep_them_read_like_moments_and_days():
    with timezone.override(AMSTERDAM):
        assert format_moment("2026-12-07T13:30:00+00:00") == "Mon 7 Dec 2026, 14:30"
        assert format_day("2026-12-07") == "Mon 7 Dec 2026"
    assert format_moment("not a date") == "not a date"


def test_a_reporting_period_reads_by_its_unit():
    month_start = dt.datetime(2026, 11, 1, 0, 0, tzinfo=AMSTERDAM)
    week_start = dt.datetime(2026, 12, 7, 0, 0, tzinfo=AMSTERDAM)
    with timezone.override(AMSTERDAM):
        assert format_period(month_start, "month") == "November 2026"
        assert format_period(week_start, "week") == "Week of Mon 7 Dec 2026"
        rendered = Template('{% load when %}{{ start|period:"month" }}').render(
            Context({"start": month_start})
        )
        assert rendered == "November 2026"
    assert format_period(None, "month") == "—"


def test_missing_values_are_a_dash():
    assert format_moment(None) == format_day("") == format_clock(None) == format_span(None, None) == "—"
    assert format_short_day(None) == "—"


def test_a_window_within_a_day_names_the_day_once():
    end = MOMENT + dt.timedelta(hours=2)
    with timezone.override(AMSTERDAM):
        assert format_span(MOMENT, end) == "Mon 7 Dec 2026, 14:30 – 16:30"
        assert (
            format_span(MOMENT, end + dt.timedelta(days=1)) == "Mon 7 Dec 2026, 14:30 – Tue 8 Dec 2026, 16:30"
        )
        assert format_span(MOMENT, None) == "Mon 7 Dec 2026, 14:30"


def test_the_template_filters_are_the_same_functions():
    template = Template(
        "{% load when money %}{{ m|when }}|{{ m|day }}|{{ m|clock }}|{{ m|span:e }}|{{ bp|basis_points }}|{{ half|basis_points }}"
    )
    with timezone.override(AMSTERDAM):
        text = template.render(
            Context({"m": MOMENT, "e": MOMENT + dt.timedelta(minutes=45), "bp": 2000, "half": 250})
        )
    assert text == "Mon 7 Dec 2026, 14:30|Mon 7 Dec 2026|14:30|Mon 7 Dec 2026, 14:30 – 15:15|20 %|2.5 %"


def test_formats_use_wall_clock_fields_only_so_texts_kept_per_wall_time_are_right_in_every_zone():
    for formats in FORMATS.values():
        for pattern in vars(formats).values():
            assert set(pattern) <= WALL_CLOCK_CHARACTERS, pattern


def test_the_same_instant_reads_in_each_zone_in_turn_and_the_same_wall_time_alike_in_both():
    """Texts are kept per wall time: one instant shown in two zones one after the other, and two instants with
    the same wall time in two zones."""
    tokyo = ZoneInfo("Asia/Tokyo")
    for _ in range(2):
        with timezone.override(AMSTERDAM):
            assert format_moment(MOMENT) == "Mon 7 Dec 2026, 14:30"
        with timezone.override(tokyo):
            assert format_moment(MOMENT) == "Mon 7 Dec 2026, 22:30"
            assert format_moment(dt.datetime(2026, 12, 7, 5, 30, tzinfo=dt.UTC)) == "Mon 7 Dec 2026, 14:30"
