"""The plan of an order as a Gantt chart: geometry only (rows, bars, arrows, ticks); a template draws the SVG.

One row per asset owner (in the order their first job starts) and a last row for the customer. Work items are
bars on their owner's row; transport legs are arrows from the row they leave to the row they reach. Pure
functions over plain values, so the chart is testable without a database or a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WIDTH = 860
LABEL_WIDTH = 190
RIGHT_MARGIN = 40  # room for the last day's label and a marker's label at the plot's right edge
MARKER_LABEL_GAP = 48  # markers closer than this have their labels on separate lines
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
    kind: str  # "now", "eta", "promised"
    line: int = 0  # which line under the plot its label sits on, so near markers' labels do not overlap


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
) -> Gantt | None:
    """The chart's geometry, or None when there is no plan yet."""
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
    if eta:
        times.append(eta)
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
        width=WIDTH, height=int(TOP + ROW_HEIGHT * len(labels) + BOTTOM + 12), label_width=LABEL_WIDTH
    )
    chart.rows = [(label, row_y[label]) for label in labels]
    chart.plot_bottom = TOP + ROW_HEIGHT * len(labels)
    for job in jobs:
        x1, x2 = x(job.start), x(max(job.end, job.start))
        when = f"{job.start.astimezone(tz):%a %d %b %H:%M} – {job.end.astimezone(tz):%a %d %b %H:%M}"
        chart.bars.append(
            Bar(
                x=x1,
                y=row_y[job.owner] - BAR_HEIGHT / 2,
                width=max(x2 - x1, 6.0),
                height=BAR_HEIGHT,
                label=job.label,
                title=f"{job.label} at {job.owner}: {when} ({job.status_label or job.status})",
                status=job.status,
            )
        )
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
                title=f"{move.label or 'Transport'} to {target}: "
                f"{move.start.astimezone(tz):%a %d %b %H:%M} – {move.end.astimezone(tz):%a %d %b %H:%M}",
                status=move.status,
            )
        )
    days = max(1, round(span / 86400))
    step = max(1, -(-days // 10))
    for offset in range(0, days + 1, step):
        moment = start + timedelta(days=offset)
        chart.ticks.append((x(moment), f"{moment:%a %d %b}"))
    if start <= now <= end:
        chart.markers.append(Marker(x=x(now), label="now", kind="now"))
    if eta:
        chart.markers.append(Marker(x=x(eta), label="ETA", kind="eta"))
    if promised_at:
        chart.markers.append(Marker(x=x(promised_at), label="promised", kind="promised"))
    chart.markers = _separate_labels(chart.markers)
    return chart


def _separate_labels(markers: list[Marker]) -> list[Marker]:
    """Left to right, a marker whose label would touch the previous one's goes one line down (two lines used)."""
    placed: list[Marker] = []
    for marker in sorted(markers, key=lambda m: m.x):
        line = 0
        if placed and marker.x - placed[-1].x < MARKER_LABEL_GAP and placed[-1].line == 0:
            line = 1
        placed.append(Marker(x=marker.x, label=marker.label, kind=marker.kind, line=line))
    return placed


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
        jobs=jobs, moves=moves, promised=order.promised_delivery_date, eta=order.eta, now=now, tz=tz
    )
