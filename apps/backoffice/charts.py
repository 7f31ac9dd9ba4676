"""Chart geometry for the staff dashboard (the templates draw the SVG): bars and a line, from plain numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 170
ROW = 24


@dataclass(frozen=True)
class HBar:
    label: str
    short_label: str
    value_label: str
    y: float
    width: float
    tone: str = ""


@dataclass
class HBarChart:
    """Horizontal bars: one row per label, scaled to the largest value (or to `scale_max`)."""

    title: str
    width: int = WIDTH
    height: int = 0
    label_width: int = LABEL_WIDTH
    bars: list[HBar] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.value_label}" for bar in self.bars)


def _shorten(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def hbar_chart(
    title: str,
    rows: list[tuple[str, float, str]],
    *,
    scale_max: float | None = None,
    tone_for=None,
    label_width: int = LABEL_WIDTH,
) -> HBarChart:
    """`rows` are (label, value, value label). Labels longer than the label column are shortened (the full
    label stays in the bar's tooltip)."""
    chart = HBarChart(title=title, height=max(1, len(rows)) * ROW + 8, label_width=label_width)
    top = scale_max if scale_max is not None else max((value for _, value, _ in rows), default=0)
    span = WIDTH - label_width - 110
    chars = max(8, label_width // 7)
    for index, (label, value, value_label) in enumerate(rows):
        width = 0.0 if top <= 0 else round(span * min(value, top) / top, 1)
        tone = tone_for(value) if tone_for else ""
        chart.bars.append(
            HBar(
                label=label,
                short_label=_shorten(label, chars),
                value_label=value_label,
                y=4 + index * ROW,
                width=width,
                tone=tone,
            )
        )
    return chart


@dataclass
class LineChart:
    title: str
    width: int = WIDTH
    height: int = 200
    points: str = ""
    area: str = ""
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    dots: list[tuple[float, float, str]] = field(default_factory=list)
    plot_left: int = 70
    plot_right: int = WIDTH - 30
    plot_top: int = 10
    plot_bottom: int = 170

    @property
    def description(self) -> str:
        return "; ".join(title for _, _, title in self.dots if title)


def line_chart(title: str, series: list[tuple[str, float, str]], *, y_format=str) -> LineChart:
    """`series` are (x label, value, point title) in order, e.g. one per day."""
    chart = LineChart(title=title)
    if not series:
        return chart
    top = max(value for _, value, _ in series) or 1
    width = chart.plot_right - chart.plot_left
    height = chart.plot_bottom - chart.plot_top
    step = width / max(len(series) - 1, 1)
    coords = []
    for index, (label, value, point_title) in enumerate(series):
        x = round(chart.plot_left + index * step, 1)
        y = round(chart.plot_bottom - height * value / top, 1)
        coords.append((x, y))
        chart.dots.append((x, y, point_title))
        if index % max(1, len(series) // 6) == 0 or index == len(series) - 1:
            chart.x_ticks.append((x, label))
    chart.points = " ".join(f"{x},{y}" for x, y in coords)
    chart.area = f"{chart.plot_left},{chart.plot_bottom} {chart.points} {coords[-1][0]},{chart.plot_bottom}"
    for fraction in (0, 0.5, 1):
        chart.y_ticks.append((round(chart.plot_bottom - height * fraction, 1), y_format(top * fraction)))
    return chart
