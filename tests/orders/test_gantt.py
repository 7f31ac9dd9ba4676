"""The plan chart's geometry, without a database: rows per workshop plus the customer, bars where jobs are,
arrows for transport, markers for now, ETA and the promised day."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apps.orders.gantt import CUSTOMER_ROW, GanttJob, GanttMove, gantt_build

TZ = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


def _chart():
    jobs = [
        GanttJob(owner="Mill", label="Top", start=T0, end=T0 + timedelta(hours=4), status="done"),
        GanttJob(owner="Smith", label="Legs", start=T0, end=T0 + timedelta(hours=2), status="in_progress"),
        GanttJob(
            owner="Mill",
            label="Assembly",
            start=T0 + timedelta(days=1),
            end=T0 + timedelta(days=1, hours=3),
            status="offered",
        ),
    ]
    moves = [
        GanttMove(
            from_owner="Smith",
            to_owner="Mill",
            start=T0 + timedelta(hours=2),
            end=T0 + timedelta(hours=5),
            status="delivered",
        ),
        GanttMove(
            from_owner="Mill",
            to_owner=None,
            start=T0 + timedelta(days=1, hours=3),
            end=T0 + timedelta(days=2),
            status="planned",
        ),
    ]
    return gantt_build(
        jobs=jobs,
        moves=moves,
        promised=date(2026, 3, 5),
        eta=T0 + timedelta(days=2),
        now=T0 + timedelta(hours=1),
        tz=TZ,
    )


def test_rows_are_workshops_in_order_of_first_job_then_the_customer():
    chart = _chart()
    assert [label for label, _ in chart.rows] == ["Mill", "Smith", CUSTOMER_ROW]


def test_bars_sit_on_their_workshops_row_and_scale_with_time():
    chart = _chart()
    rows = dict(chart.rows)
    top, legs, assembly = chart.bars
    assert top.y + top.height / 2 == rows["Mill"] and legs.y + legs.height / 2 == rows["Smith"]
    assert top.x == legs.x and abs(top.width - 2 * legs.width) < 1
    assert assembly.x > top.x + top.width
    assert all(chart.label_width <= bar.x and bar.x + bar.width <= chart.width for bar in chart.bars)


def test_legs_are_arrows_between_rows_and_the_last_mile_ends_at_the_customer():
    chart = _chart()
    rows = dict(chart.rows)
    to_mill, last_mile = chart.arrows
    assert (to_mill.y1, to_mill.y2) == (rows["Smith"], rows["Mill"])
    assert last_mile.y2 == rows[CUSTOMER_ROW] and "to you" in last_mile.title


def test_markers_for_now_eta_and_promise_in_time_order():
    chart = _chart()
    markers = {marker.kind: marker.x for marker in chart.markers}
    assert markers["now"] < markers["eta"] < markers["promised"]


def test_no_plan_no_chart():
    assert gantt_build(jobs=[], moves=[], promised=None, eta=None, now=T0, tz=TZ) is None


def test_labels_of_near_markers_go_on_separate_lines_and_everything_fits():
    chart = gantt_build(
        jobs=[GanttJob(owner="Mill", label="Top", start=T0, end=T0 + timedelta(hours=4), status="offered")],
        moves=[],
        promised=date(2026, 3, 3),
        eta=datetime(2026, 3, 3, 22, 0, tzinfo=TZ),  # two hours before the end of the promised day
        now=T0,
        tz=TZ,
    )
    markers = {marker.kind: marker for marker in chart.markers}
    assert markers["eta"].line == 0 and markers["promised"].line == 1
    assert markers["now"].line == 0
    assert all(x + 30 <= chart.width for x, _ in chart.ticks)  # the last day's label is not cut off
    assert markers["promised"].x + 25 <= chart.width


def test_every_bar_carries_its_step_name_inside_or_beside_it_without_running_into_the_next_bar():
    chart = _chart()
    for bar in chart.bars:
        assert bar.text and bar.label.startswith(bar.text.rstrip("…"))
        if bar.text_inside:
            assert len(bar.text) * 6.4 <= bar.width
        assert (
            bar.when and "–" in bar.when and ":" in bar.when
        )  # the times, for the hover title and the table
    crowded = gantt_build(
        jobs=[
            GanttJob(
                owner="Mill",
                label="A long first step",
                start=T0,
                end=T0 + timedelta(minutes=20),
                status="offered",
            ),
            GanttJob(
                owner="Mill",
                label="Quality inspection",
                start=T0 + timedelta(minutes=20),
                end=T0 + timedelta(minutes=40),
                status="offered",
            ),
        ],
        moves=[],
        promised=date(2026, 3, 3),
        eta=None,
        now=T0,
        tz=TZ,
    )
    first, second = crowded.bars
    assert first.text and not first.text_inside and first.text_anchor == "end"  # room before it, not after
    assert second.text == "Quality inspection" and second.text_anchor == "start"


def test_eta_and_promise_at_the_same_moment_are_one_marker_and_three_near_markers_use_three_lines():
    same = gantt_build(
        jobs=[GanttJob(owner="Mill", label="Top", start=T0, end=T0 + timedelta(hours=4), status="offered")],
        moves=[],
        promised=date(2026, 3, 3),
        eta=datetime(2026, 3, 3, 23, 59, tzinfo=TZ),
        now=T0,
        tz=TZ,
    )
    merged = [m for m in same.markers if "eta" in m.kind]
    assert len(merged) == 1 and merged[0].label == "ETA · promised"
    assert merged[0].classes == "marker-eta marker-promised"
    near = gantt_build(
        jobs=[GanttJob(owner="Mill", label="Top", start=T0, end=T0 + timedelta(hours=1), status="offered")],
        moves=[],
        promised=date(2026, 3, 2),  # its last minute, 23:59
        eta=T0 + timedelta(hours=15),  # 23:00
        now=T0 + timedelta(hours=14, minutes=30),
        tz=TZ,
    )
    lines = sorted(m.line for m in near.markers)
    assert lines == [0, 1, 2]


def test_a_delivered_order_is_marked_when_it_arrived_not_with_an_eta():
    arrived = T0 + timedelta(days=1, hours=2)
    chart = gantt_build(
        jobs=[GanttJob(owner="Mill", label="Top", start=T0, end=T0 + timedelta(hours=4), status="done")],
        moves=[],
        promised=date(2026, 3, 5),
        eta=T0 + timedelta(days=3),
        now=T0 + timedelta(days=2),
        tz=TZ,
        delivered_at=arrived,
    )
    kinds = {m.kind for m in chart.markers}
    assert "delivered" in kinds and "eta" not in kinds
