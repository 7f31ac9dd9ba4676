"""2D profiles for sheet cutting (DXF): chain the drawing into contours and measure what the cutter does.

Every cut entity becomes a segment (line, arc, or a flattened curve for splines and ellipses) carrying its exact
length and its exact share of the enclosed area (Green's theorem: ½∮ x dy − y dx, exact for lines and arcs), so
the plate's cut length and net area are exact rather than approximations of a polygon. Segments are chained end
to end within a tolerance; a chain that comes back to its start is a closed contour (one pierce each), one that
does not is open (the cutter cannot tell part from scrap). Nesting depth decides outer contours from holes.

The preview is an SVG we draw ourselves from the same contours (ezdxf's drawing add-on takes a second to import,
and its page coordinates would need a mapping for the markers): user units are mm, y is flipped, so a Marker at
(x, y) is drawn at (x, −y). Bend lines (a layer named like BEND) are drawn dashed and not cut.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import ezdxf
import numpy as np
from ezdxf.lldxf.const import DXFError, DXFStructureError

from apps.uploads.analysis.limits import Limits, check_count
from apps.uploads.analysis.result import (
    Analysis,
    AnalysisError,
    FileFormat,
    Finding,
    Marker,
    PartKind,
    ProfileFeatures,
    Severity,
    Units,
)

PREVIEW = "preview.svg"
TOLERANCE_MM = 0.01  # endpoints closer than this are joined
FLATTEN_MM = 0.01  # how far an arc's drawn polyline may stray from the arc (containment, preview of curves)
MAX_MARKERS = 50
_MAX_BLOCK_DEPTH = 4
BEND_LAYER = re.compile(r"bend", re.IGNORECASE)
# $INSUNITS codes: mm per drawing unit. 0 (unitless) and anything else not listed: the customer is asked.
MM_PER_INSUNIT = {1: 25.4, 2: 304.8, 4: 1.0, 5: 10.0, 6: 1000.0, 13: 0.001, 14: 0.1}
UNIT_NAME = {1: "inch", 2: "foot", 4: "mm", 5: "cm", 6: "m", 13: "micron", 14: "dm"}
CUT_TYPES = {"LINE", "ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE", "SPLINE", "ELLIPSE"}


@dataclass(frozen=True)
class Segment:
    """One piece of a cut path, in mm, directed from `start` to `end`."""

    start: tuple[float, float]
    end: tuple[float, float]
    length: float
    area: float  # ½∫ x dy − y dx along the segment: summed around a closed contour, its signed area
    points: tuple[tuple[float, float], ...]  # a polyline from start to end (drawing, containment, bounds)
    handle: str
    shape: tuple  # ("line", x0, y0, x1, y1) | ("arc", cx, cy, r, t0, t1) | ("curve",): for finding duplicates

    def reversed(self) -> Segment:
        return replace(self, start=self.end, end=self.start, area=-self.area, points=self.points[::-1])


def _line(p0, p1, handle: str) -> Segment | None:
    (x0, y0), (x1, y1) = p0, p1
    length = math.hypot(x1 - x0, y1 - y0)
    if length == 0:
        return None
    return Segment(
        (x0, y0),
        (x1, y1),
        length,
        0.5 * (x0 * y1 - x1 * y0),
        ((x0, y0), (x1, y1)),
        handle,
        ("line", x0, y0, x1, y1),
    )


def _arc(cx: float, cy: float, r: float, t0: float, t1: float, handle: str) -> Segment | None:
    """The arc of radius r around (cx, cy) from angle t0 to t1 (radians; t1 < t0 runs clockwise)."""
    sweep = t1 - t0
    if r <= 0 or sweep == 0:
        return None
    # Flattened within FLATTEN_MM of the true arc (at least 8 pieces a circle, at most 360), plus its exact
    # extreme points (where it crosses a quarter angle), so the bounds stay exact.
    step = min(math.radians(45), max(math.radians(1), 2 * math.acos(max(-1.0, 1 - FLATTEN_MM / r))))
    angles = np.linspace(t0, t1, max(2, math.ceil(abs(sweep) / step)) + 1)
    low, high = min(t0, t1), max(t0, t1)
    quarters = np.arange(math.ceil(low / (math.pi / 2)), math.floor(high / (math.pi / 2)) + 1) * (math.pi / 2)
    inside = quarters[(quarters > low) & (quarters < high)]
    if len(inside):
        angles = np.sort(np.concatenate([angles, inside]))
        angles = angles if sweep > 0 else angles[::-1]
    points = tuple(zip((cx + r * np.cos(angles)).tolist(), (cy + r * np.sin(angles)).tolist(), strict=True))
    area = 0.5 * (
        r * r * sweep + cx * r * (math.sin(t1) - math.sin(t0)) - cy * r * (math.cos(t1) - math.cos(t0))
    )
    return Segment(points[0], points[-1], r * abs(sweep), area, points, handle, ("arc", cx, cy, r, t0, t1))


def _curve(points: list[tuple[float, float]], handle: str) -> Segment | None:
    if len(points) < 2:
        return None
    xy = np.array(points)
    length = float(np.hypot(*np.diff(xy, axis=0).T).sum())
    if length == 0:
        return None
    area = 0.5 * float(np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]))
    return Segment(points[0], points[-1], length, area, tuple(points), handle, ("curve",))


@dataclass
class Drawing:
    segments: list[Segment]
    bend_lines: list[tuple[tuple[float, float], tuple[float, float]]]
    ignored: dict[str, int]
    entities: int
    hidden_layers: frozenset[str] = frozenset()  # upper-cased: off, frozen, or DEFPOINTS (never plotted)

    def ignore(self, what: str) -> None:
        self.ignored[what] = self.ignored.get(what, 0) + 1


def _read(path: Path):
    """The drawing; a file with structural flaws (some CAM tools write them) is read in ezdxf's recover mode."""
    try:
        return ezdxf.readfile(path)
    except DXFStructureError:
        pass
    except MemoryError:
        raise  # the sandbox's limit, not the file's fault
    except Exception as error:  # a broken file makes the parser raise anything, StopIteration included
        raise AnalysisError(
            "corrupt", f"The DXF file cannot be read ({error!r}). Export it again."
        ) from error
    from ezdxf import recover

    try:
        document, _ = recover.readfile(path)
    except MemoryError:
        raise  # the sandbox's limit, not the file's fault
    except Exception as error:
        raise AnalysisError(
            "corrupt", f"The DXF file cannot be read ({error!r}). Export it again."
        ) from error
    return document


def _collect(entities, scale: float, drawing: Drawing, limits: Limits, depth: int = 0) -> None:
    for entity in entities:
        kind = entity.dxftype()
        drawing.entities += 1
        if drawing.entities > limits.dxf_entities:
            check_count("too_many_entities", "drawing entities", drawing.entities, limits.dxf_entities)
        try:
            handle = entity.dxf.get("handle", "") or ""
            layer = entity.dxf.get("layer", "0")
        except DXFError:  # an entity type ezdxf does not know (a damaged name) has no such attributes
            drawing.ignore("unknown entity")
            continue
        if layer.upper() in drawing.hidden_layers:
            drawing.ignore(f"{kind} on a hidden layer")
            continue
        if kind == "INSERT":
            if depth >= _MAX_BLOCK_DEPTH:
                raise AnalysisError(
                    "corrupt", "The drawing's blocks are nested too deep (or refer to themselves)."
                )
            try:  # a generator: an array insert of a million copies is counted as it comes, never listed
                _collect(entity.virtual_entities(), scale, drawing, limits, depth + 1)
            except (DXFError, ValueError, ZeroDivisionError, IndexError):
                drawing.ignore("INSERT that cannot be exploded")
            continue
        if kind not in CUT_TYPES:
            drawing.ignore(kind)
            continue
        if BEND_LAYER.search(layer):
            if kind == "LINE":
                start, end = entity.dxf.start, entity.dxf.end
                drawing.bend_lines.append(
                    ((start.x * scale, start.y * scale), (end.x * scale, end.y * scale))
                )
            continue
        try:
            segments = [s for s in _segments(entity, kind, handle, scale) if s is not None]
        except (DXFError, ValueError, ZeroDivisionError, IndexError):
            drawing.ignore(f"{kind} with broken geometry")
            continue
        drawing.segments.extend(segments)


def _segments(entity, kind: str, handle: str, scale: float):
    if kind == "LINE":
        start, end = entity.dxf.start, entity.dxf.end
        yield _line((start.x * scale, start.y * scale), (end.x * scale, end.y * scale), handle)
    elif kind in ("ARC", "CIRCLE"):
        ocs = entity.ocs()
        centre = ocs.to_wcs(entity.dxf.center)
        r = entity.dxf.radius * scale
        cx, cy = centre.x * scale, centre.y * scale
        # In the OCS arcs run counter-clockwise; an extrusion pointing down mirrors them in the WCS.
        direction = 1.0 if entity.dxf.extrusion.z >= 0 else -1.0
        if kind == "CIRCLE":
            yield _arc(cx, cy, r, 0.0, direction * 2 * math.pi, handle)
            return
        start = entity.start_point  # already in the WCS
        t0 = math.atan2(start.y * scale - cy, start.x * scale - cx)
        sweep = math.radians((entity.dxf.end_angle - entity.dxf.start_angle) % 360) or 2 * math.pi
        yield _arc(cx, cy, r, t0, t0 + direction * sweep, handle)
    elif kind in ("LWPOLYLINE", "POLYLINE"):
        if kind == "POLYLINE" and (entity.is_poly_face_mesh or entity.is_polygon_mesh):
            return
        for child in entity.virtual_entities():
            yield from _segments(child, child.dxftype(), handle, scale)
    else:  # SPLINE, ELLIPSE
        from ezdxf import path as ezdxf_path

        flattened = ezdxf_path.make_path(entity).flattening(distance=TOLERANCE_MM / scale / 2)
        yield _curve([(p.x * scale, p.y * scale) for p in flattened], handle)


def _duplicates(segments: list[Segment]) -> tuple[set[int], list[Marker]]:
    """Lines drawn twice or lying on one another, and arcs/circles drawn twice. Returns the indices to leave out
    of the cut (a segment wholly covered by another) and a marker at each overlap."""
    removed: set[int] = set()
    markers: list[Marker] = []
    buckets: dict[tuple, list[int]] = {}
    for index, segment in enumerate(segments):
        shape = segment.shape
        if shape[0] == "line":
            _, x0, y0, x1, y1 = shape
            angle = math.atan2(y1 - y0, x1 - x0) % math.pi
            if math.isclose(angle, math.pi, abs_tol=5e-4):
                angle = 0.0
            offset = -math.sin(angle) * x0 + math.cos(angle) * y0
            key = ("line", round(angle, 3), round(offset / (TOLERANCE_MM * 10)))
        elif shape[0] == "arc":
            _, cx, cy, r, t0, t1 = shape
            lo, hi = sorted((t0, t1))
            full = math.isclose(hi - lo, 2 * math.pi)
            key = (
                "arc",
                round(cx, 2),
                round(cy, 2),
                round(r, 2),
                full or (round(lo % (2 * math.pi), 3), round(hi - lo, 3)),
            )
        else:
            continue
        buckets.setdefault(key, []).append(index)
    for key, members in buckets.items():
        if len(members) < 2:
            continue
        if key[0] == "arc":
            for index in members[1:]:
                removed.add(index)
                x, y = segments[index].points[len(segments[index].points) // 2]
                markers.append(Marker(x=round(x, 4), y=round(y, 4), ref=segments[index].handle))
            continue
        angle = key[1]
        direction = (math.cos(angle), math.sin(angle))
        spans = []
        for index in members:
            s = segments[index]
            a = s.start[0] * direction[0] + s.start[1] * direction[1]
            b = s.end[0] * direction[0] + s.end[1] * direction[1]
            spans.append((min(a, b), max(a, b), index))
        spans.sort()
        reach_end = spans[0][1]
        for low, high, index in spans[1:]:
            if low < reach_end - TOLERANCE_MM:  # overlaps what came before: mark the middle of the overlap
                s = segments[index]
                along_start = s.start[0] * direction[0] + s.start[1] * direction[1]
                t = ((low + min(high, reach_end)) / 2 - along_start) / (
                    (high - low) if s.end != s.start else 1.0
                )
                t = abs(t)
                x = s.start[0] + (s.end[0] - s.start[0]) * t
                y = s.start[1] + (s.end[1] - s.start[1]) * t
                markers.append(Marker(x=round(x, 4), y=round(y, 4), ref=s.handle))
                if high <= reach_end + TOLERANCE_MM:
                    removed.add(index)  # wholly covered: cutting it again adds nothing
                    continue
            reach_end = max(reach_end, high)
    return removed, markers


@dataclass
class Contour:
    segments: list[Segment]
    closed: bool

    @property
    def length(self) -> float:
        return sum(s.length for s in self.segments)

    @property
    def area(self) -> float:
        return sum(s.area for s in self.segments)

    @property
    def centre(self) -> tuple[float, float]:
        """The centroid of the enclosed area (of the flattened outline)."""
        points = self.points
        x, y = points[:, 0], points[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2
        if abs(area) < 1e-12:
            return float(x.mean()), float(y.mean())
        return (
            float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
            float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)),
        )

    @property
    def points(self) -> np.ndarray:
        out = [self.segments[0].points[0]]
        for segment in self.segments:
            out.extend(segment.points[1:])
        return np.array(out)


def _chain(segments: list[Segment]) -> list[Contour]:
    """Join segments whose ends meet (within the tolerance) into contours."""
    cells: dict[tuple[int, int], list[int]] = {}
    nodes: list[tuple[float, float]] = []

    def node_of(point: tuple[float, float]) -> int:
        cx, cy = round(point[0] / TOLERANCE_MM), round(point[1] / TOLERANCE_MM)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for node in cells.get((cx + dx, cy + dy), ()):
                    if math.dist(nodes[node], point) <= TOLERANCE_MM:
                        return node
        nodes.append(point)
        cells.setdefault((cx, cy), []).append(len(nodes) - 1)
        return len(nodes) - 1

    ends = [(node_of(s.start), node_of(s.end)) for s in segments]
    at_node: dict[int, list[int]] = {}
    for index, (a, b) in enumerate(ends):
        at_node.setdefault(a, []).append(index)
        if b != a:
            at_node.setdefault(b, []).append(index)
    used = [False] * len(segments)

    def next_from(node: int) -> tuple[Segment, int] | None:
        for index in at_node.get(node, ()):
            if not used[index]:
                used[index] = True
                a, b = ends[index]
                return (segments[index], b) if a == node else (segments[index].reversed(), a)
        return None

    contours = []
    for first in range(len(segments)):
        if used[first]:
            continue
        used[first] = True
        chain = [segments[first]]
        start_node, node = ends[first]
        while node != start_node and (step := next_from(node)) is not None:
            chain.append(step[0])
            node = step[1]
        if node == start_node:
            contours.append(Contour(chain, closed=True))
            continue
        node = start_node  # open: grow the chain backwards from its first end too
        while (step := next_from(node)) is not None:
            chain.insert(0, step[0].reversed())
            node = step[1]
        contours.append(Contour(chain, closed=False))
    return contours


def _depths(contours: list[Contour]) -> list[int]:
    """How many closed contours enclose each closed contour: even = material's outline, odd = a hole."""
    polygons = [c.points for c in contours]
    areas = np.array([abs(c.area) for c in contours])
    boxes = np.array(
        [[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()] for p in polygons]
    ).reshape(-1, 4)
    depths = []
    for index, polygon in enumerate(polygons):
        x0, y0, x1, y1 = boxes[index]
        candidates = np.flatnonzero(
            (areas > areas[index])
            & (boxes[:, 0] <= x0)
            & (boxes[:, 1] <= y0)
            & (boxes[:, 2] >= x1)
            & (boxes[:, 3] >= y1)
        )
        px, py = polygon[len(polygon) // 2]
        depth = 0
        for other in candidates:
            ring = polygons[other]
            xa, ya, xb, yb = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
            crosses = (ya > py) != (yb > py)
            with np.errstate(divide="ignore", invalid="ignore"):
                at = xa + (py - ya) * (xb - xa) / (yb - ya)
            depth += int(np.count_nonzero(crosses & (px < at)) % 2)
        depths.append(depth)
    return depths


def preview_bounds(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The model rectangle (mm) the SVG's viewBox spans exactly: the cut geometry's bounds and a 2 % margin."""
    x0, y0, x1, y1 = bounds
    margin = max(x1 - x0, y1 - y0, 1e-3) * 0.02
    return (round(x0 - margin, 3), round(y0 - margin, 3), round(x1 + margin, 3), round(y1 + margin, 3))


def _svg(contours: list[Contour], bend_lines, view: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = view
    width, height = x1 - x0, y1 - y0
    stroke = max(width, height) / 500

    def xy(point) -> str:
        return f"{point[0] + 0.0:.3f},{0.0 - point[1]:.3f}"  # + 0.0: no "-0.000"

    def path(points) -> str:
        return "M" + "L".join(xy(p) for p in points)

    def outline(contour: Contour) -> str:
        """Lines and arcs as SVG draws them (exact, and a fraction of the text of a polyline)."""
        parts = ["M" + xy(contour.segments[0].start)]
        for segment in contour.segments:
            if segment.shape[0] == "line":
                parts.append("L" + xy(segment.end))
            elif segment.shape[0] == "arc":
                _, cx, cy, r, t0, t1 = segment.shape
                # y is flipped, so a counter-clockwise arc on the sheet runs clockwise on the screen (sweep 0).
                sweep_flag = 0 if t1 > t0 else 1
                halves = 2 if abs(t1 - t0) > math.pi else 1  # SVG cannot draw a whole circle in one arc
                for half in range(1, halves + 1):
                    t = t0 + (t1 - t0) * half / halves
                    parts.append(
                        f"A{r:.3f},{r:.3f} 0 0 {sweep_flag} {xy((cx + r * math.cos(t), cy + r * math.sin(t)))}"
                    )
            else:
                parts.append("L" + "L".join(xy(p) for p in segment.points[1:]))
        return "".join(parts)

    closed = " ".join(outline(c) + "Z" for c in contours if c.closed)
    opened = " ".join(outline(c) for c in contours if not c.closed)
    bends = " ".join(path(line) for line in bend_lines)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{x0:.3f} {0.0 - y1:.3f} {width:.3f} {height:.3f}" '
        f'width="{width:.3f}mm" height="{height:.3f}mm" data-units="mm" data-y="flipped">'
        f'<g fill="none" stroke-width="{stroke:.4f}" stroke-linejoin="round" stroke-linecap="round">'
        f'<path class="cut" d="{closed}" fill="#dbe4ee" fill-rule="evenodd" stroke="#1f2933"/>'
        f'<path class="open" d="{opened}" stroke="#d64545" stroke-width="{stroke * 2:.4f}"/>'
        f'<path class="bend" d="{bends}" stroke="#2f6fdf" stroke-dasharray="{stroke * 6:.4f} {stroke * 4:.4f}"/>'
        "</g></svg>"
    )


def _marker(point, ref: str = "", radius: float = 0.0) -> Marker:
    return Marker(
        x=round(float(point[0]), 4), y=round(float(point[1]), 4), radius_mm=round(radius, 4), ref=ref
    )


def analyse_profile(
    path: Path, file_format: FileFormat, out_dir: Path, units: Units | None, limits: Limits
) -> Analysis:
    document = _read(path)
    msp = document.modelspace()
    check_count("too_many_entities", "drawing entities", len(msp), limits.dxf_entities)
    code = int(document.header.get("$INSUNITS", 0) or 0)
    if code in MM_PER_INSUNIT:
        scale, from_file, file_unit = MM_PER_INSUNIT[code], True, UNIT_NAME[code]
        applied = Units.INCH if code == 1 else Units.MM
    else:
        applied, from_file = units or Units.MM, False
        scale, file_unit = (25.4 if applied == Units.INCH else 1.0), applied.value
    hidden = frozenset(
        layer.dxf.name.upper() for layer in document.layers if layer.is_off() or layer.is_frozen()
    ) | {"DEFPOINTS"}
    drawing = Drawing(segments=[], bend_lines=[], ignored={}, entities=0, hidden_layers=hidden)
    _collect(msp, scale, drawing, limits)
    if not drawing.segments:
        raise AnalysisError("empty", "The drawing has no lines, arcs, circles, polylines or splines to cut.")
    removed, duplicate_markers = _duplicates(drawing.segments)
    cut = [s for index, s in enumerate(drawing.segments) if index not in removed]
    contours = _chain(cut)
    closed = [c for c in contours if c.closed]
    opened = [c for c in contours if not c.closed]
    depths = _depths(closed) if closed else []
    holes = sorted(
        (
            (math.sqrt(4 * abs(c.area) / math.pi), c.centre, c.segments[0].handle)
            for c, d in zip(closed, depths, strict=True)
            if d % 2
        ),
        key=lambda hole: -hole[0],
    )
    net_area = sum(abs(c.area) * (-1 if d % 2 else 1) for c, d in zip(closed, depths, strict=True))
    every_point = np.vstack([c.points for c in contours])
    bounds = (*every_point.min(axis=0).tolist(), *every_point.max(axis=0).tolist())
    view = preview_bounds(bounds)
    (out_dir / PREVIEW).write_text(_svg(contours, drawing.bend_lines, view))

    findings = []
    if opened:
        ends = []
        for contour in opened:
            ends.extend([contour.segments[0].start, contour.segments[-1].end])
        gap = min(math.dist(c.segments[0].start, c.segments[-1].end) for c in opened)
        findings.append(
            Finding(
                code="profile_open_contour",
                severity=Severity.ERROR,
                message=f"{len(opened):,} contour{'s are' if len(opened) > 1 else ' is'} not closed (the smallest gap "
                f"between loose ends is {gap:.3f} mm): the cutter cannot tell the part from the scrap.",
                fix="Join the loose ends (close the contour) in your CAD tool and export again.",
                where=tuple(_marker(p, ref="open end") for p in ends[:MAX_MARKERS]),
            )
        )
    if duplicate_markers:
        findings.append(
            Finding(
                code="profile_duplicate_lines",
                severity=Severity.WARNING,
                message=f"{len(duplicate_markers):,} line{'s are' if len(duplicate_markers) > 1 else ' is'} drawn "
                "twice or overlap another: the cutter would cut there twice and burn the edge.",
                fix="Delete the duplicate lines (e.g. OVERKILL in AutoCAD) and export again.",
                where=tuple(duplicate_markers[:MAX_MARKERS]),
            )
        )
    ignored = sum(drawing.ignored.values())
    if ignored:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(drawing.ignored.items()))
        findings.append(
            Finding(
                code="profile_ignored_entities",
                severity=Severity.INFO,
                message=f"{ignored:,} entities that are not cut geometry were left out ({kinds}).",
                fix="Nothing to do if they are notes or dimensions; if they should be cut, draw them as lines, arcs "
                "or polylines.",
            )
        )
    features = ProfileFeatures(
        size_mm=(round(bounds[2] - bounds[0], 6), round(bounds[3] - bounds[1], 6)),
        cut_length_mm=round(sum(c.length for c in contours), 6),
        pierces=len(closed),
        closed_contours=len(closed),
        open_contours=len(opened),
        hole_diameters_mm=tuple(round(d, 6) for d, _, _ in holes),
        net_area_mm2=round(net_area, 6),
        entities=drawing.entities,
        bend_lines=len(drawing.bend_lines),
    )
    return Analysis(
        format=file_format,
        kind=PartKind.PROFILE,
        units=applied,
        units_from_file=from_file,
        features=features,
        findings=tuple(findings),
        preview=PREVIEW,
        extra={
            "file_unit": file_unit,
            "bounds_mm": [round(v, 6) for v in bounds],
            "ignored_entities": drawing.ignored,
            "duplicates": len(duplicate_markers),
            "preview_bounds_mm": list(
                view
            ),  # what the SVG's viewBox spans; a Marker (x, y) is drawn at (x, -y)
            # Each hole (largest first, as hole_diameters_mm) with its centre: where a "hole too small" finding points.
            "holes": [
                {"x": round(x, 4), "y": round(y, 4), "diameter_mm": round(d, 6), "ref": ref}
                for d, (x, y), ref in holes[:500]
            ],
        },
    )
