"""Server-rendered SVG previews of a configuration: a table's top and side views, a bookshelf's front view, and a
generic box for other templates. Dimension lines follow the values; colours follow the colour parameters.

Every interpolated text is escaped (an engraving is customer input). Invalid values fall back to the
template's defaults one parameter at a time, so the preview keeps following what the customer types.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from django.utils.safestring import SafeString, mark_safe

from apps.catalog.compile import CompileError, formula_env
from apps.catalog.formulas import FormulaError
from apps.catalog.spec import ParameterKind, TemplateSpec
from apps.catalog.validation import clean_value

INK = "#1b1f24"
MUTED = "#5b6470"
WOOD = "#c49a6c"
METAL = "#383e42"
EDGE = "#8a94a3"
ARROWS = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="6" markerHeight="6" '
    f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{MUTED}"/></marker></defs>'
)


def preview_values(spec: TemplateSpec, raw: Mapping[str, object]) -> dict[str, object]:
    """Each parameter's cleaned value, or its default when the raw value is invalid or missing."""
    values: dict[str, object] = {}
    defaults = spec.defaults()
    for parameter in spec.parameters:
        try:
            values[parameter.key] = clean_value(parameter, raw.get(parameter.key))
        except ValueError:
            try:
                values[parameter.key] = clean_value(parameter, defaults.get(parameter.key))
            except ValueError:
                values[parameter.key] = ""
    return values


def preview_svg(spec: TemplateSpec, raw: Mapping[str, object]) -> SafeString:
    values = preview_values(spec, raw)
    try:
        env = formula_env(spec, values)
    except (CompileError, FormulaError, ValueError, TypeError):
        env = {}
    renderer = {"table": _table, "bookshelf": _bookshelf}.get(spec.preview_kind, _generic)
    try:
        return mark_safe(renderer(spec, values, env))  # noqa: S308 - every interpolation is escaped or numeric
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return mark_safe(_generic(spec, values, env))  # noqa: S308


def _num(env: Mapping, *names: str, default: float = 0.0) -> float:
    for name in names:
        value = env.get(name)
        if isinstance(value, float | int) and not isinstance(value, bool):
            return float(value)
    return default


def _max(spec: TemplateSpec, key: str, fallback: float) -> float:
    parameter = spec.parameter(key)
    if parameter and parameter.max_value:
        return float(parameter.max_value)
    return fallback


def _colour(spec: TemplateSpec, values: Mapping, fallback: str, key: str | None = None) -> str:
    for parameter in spec.parameters:
        if parameter.kind == ParameterKind.COLOUR and (key is None or parameter.key == key):
            return escape(str(values.get(parameter.key) or fallback))
    return fallback


def _swatch(spec: TemplateSpec, values: Mapping, fallback: str) -> str:
    """The chosen option's `swatch` attribute of the first choice that has one (e.g. a wood's colour)."""
    for parameter in spec.parameters:
        if parameter.kind == ParameterKind.CHOICE:
            option = parameter.option(str(values.get(parameter.key, "")))
            swatch = dict(option.attributes).get("swatch") if option else None
            if isinstance(swatch, str):
                return escape(swatch)
    return fallback


def _hdim(x1: float, x2: float, y: float, label: str) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="{MUTED}" marker-start="url(#arrow)" '
        f'marker-end="url(#arrow)"/><text x="{(x1 + x2) / 2:.1f}" y="{y + 16:.1f}" text-anchor="middle" '
        f'font-size="12" fill="{INK}">{escape(label)}</text>'
    )


def _vdim(x: float, y1: float, y2: float, label: str) -> str:
    mid = (y1 + y2) / 2
    return (
        f'<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}" stroke="{MUTED}" marker-start="url(#arrow)" '
        f'marker-end="url(#arrow)"/><text x="{x + 14:.1f}" y="{mid:.1f}" font-size="12" fill="{INK}" '
        f'text-anchor="middle" transform="rotate(90 {x + 14:.1f} {mid:.1f})">{escape(label)}</text>'
    )


def _svg(title: str, body: str, width: int = 640, height: int = 300) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="preview-title" class="preview-svg"><title id="preview-title">{escape(title)}</title>'
        f"{ARROWS}{body}</svg>"
    )


def _mm(value: float) -> str:
    return f"{value:g} mm"


def _table(spec: TemplateSpec, values: Mapping, env: Mapping) -> str:
    width, depth, height = _num(env, "width"), _num(env, "depth"), _num(env, "height")
    if not (width and depth and height):
        raise ValueError("a table needs width, depth and height")
    top_colour = _swatch(spec, values, WOOD)
    leg_colour = _colour(spec, values, METAL)
    scale = min(
        250 / _max(spec, "width", width), 170 / max(_max(spec, "depth", depth), _max(spec, "height", height))
    )
    parts = []
    # Top view, left half.
    w, d = width * scale, depth * scale
    x0, y0 = 20 + (250 - w) / 2, 50 + (170 - d) / 2
    leg = max(4.0, 80 * scale)
    parts.append(f'<text x="20" y="28" font-size="14" font-weight="600" fill="{INK}">Top view</text>')
    for lx, ly in (
        (x0 + 6, y0 + 6),
        (x0 + w - 6 - leg, y0 + 6),
        (x0 + 6, y0 + d - 6 - leg),
        (x0 + w - 6 - leg, y0 + d - 6 - leg),
    ):
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="{leg:.1f}" height="{leg:.1f}" fill="{leg_colour}"/>'
        )
    parts.append(
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{d:.1f}" rx="3" fill="{top_colour}" '
        f'fill-opacity="0.92" stroke="{INK}" stroke-width="1.5"/>'
    )
    engraving = str(values.get("engraving") or "")
    if engraving:
        parts.append(
            f'<text x="{x0 + w / 2:.1f}" y="{y0 + d / 2 + 4:.1f}" text-anchor="middle" font-size="11" '
            f'font-style="italic" fill="{INK}" opacity="0.75" class="engraving">{escape(engraving)}</text>'
        )
    parts.append(_hdim(x0, x0 + w, y0 + d + 14, _mm(width)))
    parts.append(_vdim(x0 + w + 12, y0, y0 + d, _mm(depth)))
    # Side view, right half.
    h, thickness = height * scale, max(3.0, 40 * scale)
    sx, floor = 350 + (250 - w) / 2, 50 + 170 - (170 - h) / 2
    parts.append(f'<text x="350" y="28" font-size="14" font-weight="600" fill="{INK}">Side view</text>')
    top_y = floor - h
    bar = max(4.0, 30 * scale)
    style = str(values.get("leg_style", "straight"))
    for lx, outward in ((sx + 8, -1), (sx + w - 8 - bar, 1)):
        y1, y2 = top_y + thickness, floor
        if style == "tapered":
            points = f"{lx:.1f},{y1:.1f} {lx + bar:.1f},{y1:.1f} {lx + bar * 0.7:.1f},{y2:.1f} {lx + bar * 0.3:.1f},{y2:.1f}"
        elif style == "angled":
            shift = outward * h * 0.12
            points = f"{lx:.1f},{y1:.1f} {lx + bar:.1f},{y1:.1f} {lx + bar + shift:.1f},{y2:.1f} {lx + shift:.1f},{y2:.1f}"
        else:
            points = f"{lx:.1f},{y1:.1f} {lx + bar:.1f},{y1:.1f} {lx + bar:.1f},{y2:.1f} {lx:.1f},{y2:.1f}"
        parts.append(f'<polygon points="{points}" fill="{leg_colour}" class="leg"/>')
    parts.append(
        f'<rect x="{sx:.1f}" y="{top_y:.1f}" width="{w:.1f}" height="{thickness:.1f}" fill="{top_colour}" '
        f'stroke="{INK}" stroke-width="1.2"/>'
    )
    parts.append(
        f'<line x1="340" y1="{floor:.1f}" x2="620" y2="{floor:.1f}" stroke="{MUTED}" stroke-dasharray="4 3"/>'
    )
    parts.append(_vdim(sx + w + 14, top_y, floor, _mm(height)))
    parts.append(_hdim(sx, sx + w, floor + 14, _mm(width)))
    title = f"Top and side view of a {width:g} × {depth:g} × {height:g} mm table"
    return _svg(title, "".join(parts), height=300)


def _bookshelf(spec: TemplateSpec, values: Mapping, env: Mapping) -> str:
    width, height, depth = _num(env, "width"), _num(env, "height"), _num(env, "depth")
    shelves = int(_num(env, "shelves", default=0))
    if not (width and height):
        raise ValueError("a bookshelf needs width and height")
    colour = _colour(spec, values, "#ffffff")
    scale = min(360 / _max(spec, "width", width), 250 / _max(spec, "height", height))
    w, h = width * scale, height * scale
    board = max(2.0, 18 * scale)
    x0, y0 = 40 + (360 - w) / 2, 20 + (250 - h)
    parts = [
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}" stroke="{INK}" stroke-width="1.5"/>',
        f'<rect x="{x0 + board:.1f}" y="{y0 + board:.1f}" width="{w - 2 * board:.1f}" height="{h - 2 * board:.1f}" '
        f'fill="#000" fill-opacity="0.08"/>',
    ]
    gap = (h - 2 * board) / (shelves + 1)
    for i in range(1, shelves + 1):
        y = y0 + board + i * gap - board / 2
        parts.append(
            f'<rect x="{x0 + board:.1f}" y="{y:.1f}" width="{w - 2 * board:.1f}" height="{board:.1f}" '
            f'fill="{colour}" stroke="{INK}" stroke-width="0.8" class="shelf"/>'
        )
    parts.append(_hdim(x0, x0 + w, y0 + h + 14, _mm(width)))
    parts.append(_vdim(x0 + w + 14, y0, y0 + h, _mm(height)))
    if depth:
        parts.append(f'<text x="470" y="40" font-size="13" fill="{INK}">Depth {escape(_mm(depth))}</text>')
    parts.append(f'<text x="470" y="60" font-size="13" fill="{INK}">{shelves} shelves</text>')
    title = f"Front view of a {width:g} × {height:g} mm bookshelf with {shelves} shelves"
    return _svg(title, "".join(parts))


def _generic(spec: TemplateSpec, values: Mapping, env: Mapping) -> str:
    width = _num(env, "width", "length")
    depth = _num(env, "depth")
    height = _num(env, "height")
    colour = _colour(spec, values, "#8a94a3")
    if not (width and depth and height):
        body = (
            f'<rect x="170" y="60" width="300" height="180" rx="12" fill="{colour}" fill-opacity="0.2" stroke="{INK}"/>'
            f'<text x="320" y="155" text-anchor="middle" font-size="16" fill="{INK}">{escape(spec.name)}</text>'
        )
        return _svg(f"Preview of {spec.name}", body)
    # A cabinet projection: front face true to scale, depth drawn at 45° and halved.
    scale = min(300 / (width + depth * 0.5), 220 / (height + depth * 0.5))
    w, h, d = width * scale, height * scale, depth * scale * 0.5
    x0 = 320 - (w + d) / 2
    y0 = 40 + d
    front = f"{x0:.1f},{y0:.1f} {x0 + w:.1f},{y0:.1f} {x0 + w:.1f},{y0 + h:.1f} {x0:.1f},{y0 + h:.1f}"
    top = f"{x0:.1f},{y0:.1f} {x0 + d:.1f},{y0 - d:.1f} {x0 + w + d:.1f},{y0 - d:.1f} {x0 + w:.1f},{y0:.1f}"
    side = f"{x0 + w:.1f},{y0:.1f} {x0 + w + d:.1f},{y0 - d:.1f} {x0 + w + d:.1f},{y0 + h - d:.1f} {x0 + w:.1f},{y0 + h:.1f}"
    body = (
        f'<polygon points="{top}" fill="{colour}"/>'
        f'<polygon points="{side}" fill="{colour}"/>'
        f'<polygon points="{side}" fill="#000" fill-opacity="0.25"/>'
        f'<polygon points="{front}" fill="{colour}"/>'
        f'<polygon points="{top}" fill="#fff" fill-opacity="0.25"/>'
        # A mid-grey outline stays visible on black and on white parts alike.
        + "".join(
            f'<polygon points="{p}" fill="none" stroke="{EDGE}" stroke-width="1.2"/>'
            for p in (top, side, front)
        )
        + _hdim(x0, x0 + w, y0 + h + 14, _mm(round(width, 1)))
        + _vdim(x0 - 30, y0, y0 + h, _mm(round(height, 1)))
        + f'<text x="{x0 + w + d + 8:.1f}" y="{y0 - d / 2:.1f}" font-size="12" fill="{INK}">{escape(_mm(round(depth, 1)))} deep</text>'
    )
    return _svg(f"{spec.name}: about {width:.0f} × {depth:.0f} × {height:.0f} mm", body)
