"""The plan of an order as a Gantt chart: geometry only (rows, bars, arrows, ticks); a template draws the SVG.

One row per asset owner (in the order their first job starts) and a last row for the customer. Work items are
bars on their owner's row; transport legs are arrows from the row they leave to the row they reach. Pure
functions over plain values, so the chart is testable without a database or a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apps.core.when import format_span

WIDTH = 860
LABEL_WIDTH = 190
RIGHT_MARGIN = 40  # room for the last day's label and a marker's label at the plot's right edge
MARKER_LABEL_GAP = 48  # markers closer than this have their labels on separate lines
MARKER_MERGE = 3  # markers closer than this many pixels are one line with both labels ("ETA · promised")
MARKER_LINES = 3  # lines under the plot for marker labels
LABEL_CHAR = 6.4  # a generous width of one character of an 11px bar label, in SVG units
LABEL_PAD = 4
ROW_HEIGHT = 34
BAR_HEIGHT = 20
TOP = 28
BOTTOM = 26
CUSTOMER_ROW = "You"


@dataclass(frozen=True)
class GanttJob:
    owner: str
    label: str
    start: datetime
    end: datetime
    status: str
    status_label: str = ""
    key: str = ""  # the anchor of the job's row in the page's table of times ("job-12")


@dataclass(frozen=True)
class GanttMove:
    from_owner: str | None  # None: leaves from nowhere we know (raw material)
    to_owner: str | None  # None: the customer
    start: datetime
    end: datetime
    status: str
    label: str = ""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str
    status: str
    text: str = ""  # the label drawn on the chart (shortened to the room it has); the title has it whole
    text_x: float = 0.0
    text_inside: bool = True
    text_anchor: str = "start"
    when: str = ""
    key: str = ""


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    title: str
    status: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    kind: str  # "now", "eta", "promised", "delivered"; merged markers: "eta promised"
    line: int = 0  # which line under the plot its label sits on, so near markers' labels do not overlap

    @property
    def classes(self) -> str:
        return " ".join(f"marker-{kind}" for kind in self.kind.split())


@dataclass
class Gantt:
    width: int
    height: int
    label_width: int
    rows: list[tuple[str, float]] = field(default_factory=list)  # (label, y of the row's middle)
    bars: list[Bar] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    plot_top: int = TOP
    plot_bottom: float = 0
    start: datetime | None = None  # the plot's first and last moment: the "now" marker shows between them
    end: datetime | None = None

    @property
    def description(self) -> str:
        owners = [label for label, _ in self.rows if label != CUSTOMER_ROW]
        return f"Plan: {len(self.bars)} jobs at {len(owners)} workshops, {len(self.arrows)} transport legs."


def gantt_build(
    *,
    jobs: list[GanttJob],
    moves: list[GanttMove],
    promised: date | None,
    eta: datetime | None,
    now: datetime,
    tz: ZoneInfo,
    delivered_at: datetime | None = None,
) -> Gantt | None:
    """The chart's geometry, or None when there is no plan yet. Once delivered, the chart marks when the order
    arrived instead of an ETA."""
    if not jobs and not moves:
        return None
    owners: list[str] = []
    for job in sorted(jobs, key=lambda j: j.start):
        if job.owner not in owners:
            owners.append(job.owner)
    for move in moves:
        for owner in (move.from_owner, move.to_owner):
            if owner and owner not in owners:
                owners.append(owner)
    labels = [*owners, CUSTOMER_ROW]
    row_y = {label: TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2 for index, label in enumerate(labels)}
    times = [t for job in jobs for t in (job.start, job.end)] + [t for m in moves for t in (m.start, m.end)]
    if delivered_at or eta:
        times.append(delivered_at or eta)
    # A promised day is kept until its last minute, as the matcher's due time is.
    promised_at = datetime.combine(promised, time(23, 59), tz) if promised else None
    if promised_at:
        times.append(promised_at)
    start = min(times).astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    end = max(times).astimezone(tz)
    end = (end + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    span = max((end - start).total_seconds(), 3600.0)
    plot = WIDTH - LABEL_WIDTH - RIGHT_MARGIN

    def x(moment: datetime) -> float:
        return round(LABEL_WIDTH + plot * (moment - start).total_seconds() / span, 1)

    chart = Gantt(
        width=WIDTH,
        height=int(TOP + ROW_HEIGHT * len(labels) + BOTTOM + 12 * (MARKER_LINES - 1)),
        label_width=LABEL_WIDTH,
        start=start,
        end=end,
    )
    chart.rows = [(label, row_y[label]) for label in labels]
    chart.plot_bottom = TOP + ROW_HEIGHT * len(labels)
    for job in jobs:
        x1, x2 = x(job.start), x(max(job.end, job.start))
        when = _when(job.start, job.end, tz)
        chart.bars.append(
            Bar(
                x=x1,
                y=row_y[job.owner] - BAR_HEIGHT / 2,
                width=max(x2 - x1, 6.0),
                height=BAR_HEIGHT,
                label=job.label,
                title=f"{job.label} at {job.owner}: {when} ({job.status_label or job.status})",
                status=job.status,
                when=when,
                key=job.key,
            )
        )
    chart.bars = _label_bars(chart.bars, right_edge=WIDTH)
    for move in moves:
        y1 = row_y[move.from_owner] if move.from_owner else row_y[labels[0]]
        y2 = row_y[move.to_owner] if move.to_owner else row_y[CUSTOMER_ROW]
        target = move.to_owner or "you"
        chart.arrows.append(
            Arrow(
                x1=x(move.start),
                y1=y1,
                x2=x(move.end),
                y2=y2,
                title=f"{move.label or 'Transport'} to {target}: {_when(move.start, move.end, tz)}",
                status=move.status,
            )
        )
    days = max(1, round(span / 86400))
    step = max(1, -(-days // 10))
    for offset in range(0, days + 1, step):
        moment = start + timedelta(days=offset)
        chart.ticks.append((x(moment), f"{moment:%a} {moment.day} {moment:%b}"))
    if start <= now <= end:
        chart.markers.append(Marker(x=x(now), label="now", kind="now"))
    if delivered_at:
        chart.markers.append(Marker(x=x(delivered_at), label="delivered", kind="delivered"))
    elif eta:
        chart.markers.append(Marker(x=x(eta), label="ETA", kind="eta"))
    if promised_at:
        chart.markers.append(Marker(x=x(promised_at), label="promised", kind="promised"))
    chart.markers = _separate_labels(chart.markers)
    return chart


def _separate_labels(markers: list[Marker]) -> list[Marker]:
    """Markers at (nearly) the same moment become one line with both labels; left to right, each label takes the
    first of the lines under the plot where it touches no label already placed, so none overlap."""
    merged: list[Marker] = []
    for marker in sorted(markers, key=lambda m: m.x):
        if merged and marker.x - merged[-1].x < MARKER_MERGE:
            last = merged.pop()
            marker = Marker(
                x=last.x, label=f"{last.label} · {marker.label}", kind=f"{last.kind} {marker.kind}"
            )
        merged.append(marker)
    placed: list[Marker] = []
    for marker in merged:
        taken = {p.line for p in placed if marker.x - p.x < MARKER_LABEL_GAP}
        line = next((n for n in range(MARKER_LINES) if n not in taken), MARKER_LINES - 1)
        placed.append(Marker(x=marker.x, label=marker.label, kind=marker.kind, line=line))
    return placed


def _when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    return format_span(start.astimezone(tz), end.astimezone(tz))


def _label_bars(bars: list[Bar], *, right_edge: float, left_edge: float = LABEL_WIDTH) -> list[Bar]:
    """Each bar's step name on the chart: inside the bar when it fits, else in the free room after it (up to the
    next bar on the row or the chart's edge) or, when that room is smaller, before it; shortened with an
    ellipsis to the room there is."""
    by_row: dict[float, list[Bar]] = {}
    for bar in bars:
        by_row.setdefault(bar.y, []).append(bar)
    labelled: dict[int, Bar] = {}
    for row in by_row.values():
        row.sort(key=lambda b: b.x)
        for index, bar in enumerate(row):
            if len(bar.label) * LABEL_CHAR <= bar.width - 2 * LABEL_PAD:
                labelled[id(bar)] = replace(bar, text=bar.label, text_x=round(bar.x + LABEL_PAD, 1))
                continue
            after = bar.x + bar.width + LABEL_PAD
            after_room = (row[index + 1].x if index + 1 < len(row) else right_edge) - LABEL_PAD - after
            before = bar.x - LABEL_PAD
            before_room = (
                before - (row[index - 1].x + row[index - 1].width if index else left_edge) - LABEL_PAD
            )
            if after_room >= min(before_room, len(bar.label) * LABEL_CHAR):
                text, text_x, anchor = _shorten(bar.label, after_room), after, "start"
            else:
                text, text_x, anchor = _shorten(bar.label, before_room), before, "end"
            labelled[id(bar)] = replace(
                bar, text=text, text_x=round(text_x, 1), text_inside=False, text_anchor=anchor
            )
    return [labelled[id(bar)] for bar in bars]


def _shorten(label: str, room: float) -> str:
    chars = int(room // LABEL_CHAR)
    if chars >= len(label):
        return label
    return "" if chars < 4 else label[: chars - 1] + "…"


def _span(planned_start, planned_end, actual_start, actual_end) -> tuple[datetime, datetime]:
    """Actual times where known; an unfinished job or trip that started late ends as much later as planned."""
    start = actual_start or planned_start
    duration = (planned_end - planned_start) if planned_end and planned_start else timedelta(0)
    end = actual_end or max(planned_end or start, start + duration)
    return start, max(end, start)


def gantt_for_order(order, *, now: datetime, tz: ZoneInfo) -> Gantt | None:
    """The chart of an order loaded with selectors.order_with_detail (no further queries)."""
    from apps.orders.selectors import order_active_items, order_active_legs

    jobs = []
    for item in order_active_items(order):
        if not item.planned_start:
            continue
        start, end = _span(item.planned_start, item.planned_end, item.actual_start, item.actual_end)
        jobs.append(
            GanttJob(
                owner=item.asset_owner.name if item.asset_owner else "Unassigned",
                label=item.name,
                start=start,
                end=end,
                status=item.status,
                status_label=item.get_status_display(),
                key=f"job-{item.pk}",
            )
        )
    moves = []
    for leg in order_active_legs(order):
        if not (leg.planned_departure and leg.planned_arrival):
            continue
        start, end = _span(leg.planned_departure, leg.planned_arrival, leg.picked_up_at, leg.delivered_at)
        moves.append(
            GanttMove(
                from_owner=leg.from_asset_owner.name if leg.from_asset_owner else None,
                to_owner=None if leg.is_last_mile or not leg.to_asset_owner else leg.to_asset_owner.name,
                start=start,
                end=end,
                status=leg.status,
                label=leg.carrier.name if leg.carrier else "Transport",
            )
        )
    return gantt_build(
        jobs=jobs,
        moves=moves,
        promised=order.promised_delivery_date,
        eta=order.eta,
        now=now,
        tz=tz,
        delivered_at=order.delivered_at,
    )
