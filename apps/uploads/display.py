"""How an uploaded part's analysis is shown to people: sizes in words, findings numbered with the places the viewer
marks, the size the part would have in each unit, and the DXF markers placed in the drawing's own coordinates.

Shared by the customer's part page (storefront) and the supplier's job page (portal), which may not import each
other. Pure functions of the analysis contract; nothing here reads the database or the storage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from apps.uploads.analysis.result import (
    MM_PER_UNIT,
    Analysis,
    Finding,
    MeshFeatures,
    ProfileFeatures,
    SolidFeatures,
    Units,
)

UNIT_WORDS = {Units.MM: "millimetres", Units.INCH: "inches"}
# The model-space rectangle [min_x, min_y, max_x, max_y] (mm) that preview.svg's viewBox spans exactly; the analyser
# records it in Analysis.extra when it draws the profile.
PREVIEW_BOUNDS = "preview_bounds_mm"
_VIEWBOX = re.compile(rb"<svg\b[^>]*?\bviewBox\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE | re.DOTALL)


def number_text(value: float) -> str:
    """A length for people: whole millimetres from 100 up, one decimal from 1, two below (120, 12.5, 0.75)."""
    value = float(value)
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 1 else 2
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def size_text(size_mm: Sequence[float], units: Units | str = Units.MM) -> str:
    """ "120 × 80 × 30 mm", or in inches ("4.72 × 3.15 × 1.18 in") for a part drawn in inches."""
    if Units(units) == Units.INCH:
        return " × ".join(f"{float(v) / MM_PER_UNIT[Units.INCH]:.2f}" for v in size_mm) + " in"
    return " × ".join(number_text(v) for v in size_mm) + " mm"


@dataclass(frozen=True)
class UnitsReading:
    """What the part measures if its file's numbers are read in `units`."""

    units: Units
    label: str
    size_text: str
    current: bool


def units_readings(analysis: Analysis) -> list[UnitsReading]:
    """The size the part has under each unit the customer may choose (the analysis applied `analysis.units`)."""
    raw = [float(v) / MM_PER_UNIT[analysis.units] for v in analysis.features.size_mm]
    return [
        UnitsReading(
            units=units,
            label=UNIT_WORDS[units],
            size_text=size_text([v * MM_PER_UNIT[units] for v in raw]),
            current=units == analysis.units,
        )
        for units in Units
    ]


@dataclass(frozen=True)
class PlacedMarker:
    """One place of a finding, with the id the viewer, the drawing and the findings list share."""

    id: str
    label: str
    title: str
    severity: str
    x: float
    y: float
    z: float
    radius: float

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "title": self.title,
            "severity": self.severity,
            "x": self.x,
            "y": self.y,
            "z": self.z,
            "radius": self.radius,
        }


@dataclass(frozen=True)
class NumberedFinding:
    number: int
    finding: Finding
    markers: tuple[PlacedMarker, ...]

    @property
    def severity(self) -> str:
        return str(self.finding.severity)


def numbered_findings(analysis: Analysis | None) -> list[NumberedFinding]:
    """The findings numbered from 1 in the analyser's order; a finding with several places gets labels 1a, 1b…"""
    if analysis is None:
        return []
    numbered = []
    for number, finding in enumerate(analysis.findings, start=1):
        several = len(finding.where) > 1
        markers = tuple(
            PlacedMarker(
                id=f"f{number}-{index}",
                label=f"{number}{_letter(index)}" if several else str(number),
                title=finding.message,
                severity=str(finding.severity),
                x=marker.x,
                y=marker.y,
                z=marker.z,
                radius=marker.radius_mm,
            )
            for index, marker in enumerate(finding.where)
        )
        numbered.append(NumberedFinding(number=number, finding=finding, markers=markers))
    return numbered


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else f"-{index + 1}"


def viewer_markers(findings: Sequence[NumberedFinding]) -> list[dict]:
    """Every marker, as the 3D viewer reads them from the page (json_script)."""
    return [marker.as_json() for numbered in findings for marker in numbered.markers]


# --- DXF drawing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewBox:
    x: float
    y: float
    width: float
    height: float

    def __str__(self) -> str:
        return " ".join(svg_number(v) for v in (self.x, self.y, self.width, self.height))


def svg_number(value: float) -> str:
    """A coordinate for an SVG attribute: plain decimals (never 1e+06), at most 3 of them."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def svg_viewbox(head: bytes) -> ViewBox | None:
    """The viewBox of an SVG document, read from the start of the file (its root element); None if it has none."""
    match = _VIEWBOX.search(head)
    if match is None:
        return None
    try:
        x, y, width, height = (float(part) for part in re.split(rb"[\s,]+", match.group(1).strip()))
    except ValueError:
        return None
    if width <= 0 or height <= 0:
        return None
    return ViewBox(x, y, width, height)


@dataclass(frozen=True)
class DrawingMark:
    marker: PlacedMarker
    cx: float
    cy: float
    r: float
    label_x: float
    label_y: float

    @property
    def svg(self) -> dict[str, str]:
        """The coordinates as SVG attributes want them (plain decimals)."""
        names = ("cx", "cy", "r", "label_x", "label_y")
        return {name: svg_number(getattr(self, name)) for name in names}


def drawing_marks(
    analysis: Analysis, findings: Sequence[NumberedFinding], viewbox: ViewBox
) -> list[DrawingMark]:
    """The findings' markers in the drawing's viewBox coordinates (SVG's y grows downwards, the DXF's upwards),
    from the model rectangle the analyser says the viewBox spans (PREVIEW_BOUNDS). A drawing without it gets no
    overlay: its findings are still listed."""
    bounds = analysis.extra.get(PREVIEW_BOUNDS)
    if not bounds or len(bounds) != 4:
        return []
    min_x, min_y, max_x, max_y = (float(v) for v in bounds)
    scale_x = viewbox.width / max(max_x - min_x, 1e-9)
    scale_y = viewbox.height / max(max_y - min_y, 1e-9)
    # Small or point-like findings still get a ring people can see and tap (3 % of the drawing's larger side).
    smallest = 0.03 * max(viewbox.width, viewbox.height)
    marks = []
    for numbered in findings:
        for marker in numbered.markers:
            cx = viewbox.x + (marker.x - min_x) * scale_x
            cy = viewbox.y + (max_y - marker.y) * scale_y
            r = max(marker.radius * min(scale_x, scale_y), smallest)
            marks.append(DrawingMark(marker, cx, cy, r, label_x=cx + r * 0.8, label_y=cy - r * 0.8))
    return marks


# --- measured features -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureRow:
    label: str
    text: str


def _volume_text(mm3: float) -> str:
    return f"{number_text(mm3 / 1000)} cm³"


def _area_text(mm2: float) -> str:
    return f"{number_text(mm2 / 100)} cm²"


def feature_rows(analysis: Analysis) -> list[FeatureRow]:
    """The measured features in words, for the part page and the supplier's job page."""
    features = analysis.features
    rows = [FeatureRow("Size", size_text(features.size_mm))]
    if isinstance(features, MeshFeatures):
        rows += [
            FeatureRow("Volume", _volume_text(features.volume_mm3)),
            FeatureRow("Surface", _area_text(features.area_mm2)),
            FeatureRow("Triangles", f"{features.triangles:,}"),
            FeatureRow("Shells", str(features.shells)),
            FeatureRow("Watertight", "yes" if features.watertight else "no"),
        ]
        if features.min_wall_mm is not None:
            rows.append(FeatureRow("Thinnest wall", f"{number_text(features.min_wall_mm)} mm"))
    elif isinstance(features, ProfileFeatures):
        rows += [
            FeatureRow("Cut length", f"{number_text(features.cut_length_mm)} mm"),
            FeatureRow("Pierces", str(features.pierces)),
            FeatureRow("Closed contours", str(features.closed_contours)),
            FeatureRow("Open contours", str(features.open_contours)),
            FeatureRow("Sheet area", _area_text(features.net_area_mm2)),
        ]
        if features.hole_diameters_mm:
            holes = features.hole_diameters_mm
            rows.append(
                FeatureRow("Holes", f"{len(holes)}, the smallest {number_text(min(holes))} mm across")
            )
        if features.bend_lines:
            rows.append(FeatureRow("Bend lines", str(features.bend_lines)))
    elif isinstance(features, SolidFeatures):
        rows += [
            FeatureRow("Volume", _volume_text(features.volume_mm3)),
            FeatureRow("Surface", _area_text(features.area_mm2)),
            FeatureRow("Stock block", _volume_text(features.stock_volume_mm3)),
            FeatureRow("Material removed", _volume_text(features.removal_volume_mm3)),
            FeatureRow("Faces", f"{features.faces:,}"),
            FeatureRow("Solids", str(features.solids)),
        ]
    return rows


def repair_texts(repairs: Sequence[object] | None) -> list[str]:
    """What the automatic repairs changed, in sentences. apps.uploads.analysing records each repair with the
    analyser's sentences ("messages": "Closed 2 holes in the surface.") and its MeshRepair ("details": whether the
    mesh became watertight, how its triangle count moved)."""
    texts: list[str] = []
    for repair in repairs or ():
        if not isinstance(repair, dict):
            texts.append(str(repair))
            continue
        sentences = repair.get("messages") or ([repair["message"]] if repair.get("message") else [])
        texts += [str(sentence) for sentence in sentences if sentence]
        details = repair.get("details") or {}
        before, after = details.get("watertight_before"), details.get("watertight_after")
        if before is not None and after is not None and before != after:
            texts.append(f"Watertight: {_yes_no(before)} → {_yes_no(after)}.")
        before, after = details.get("triangles_before"), details.get("triangles_after")
        if isinstance(before, int) and isinstance(after, int) and before != after:
            texts.append(f"Triangles: {before:,} → {after:,}.")
    return texts


def _yes_no(value: object) -> str:
    return "yes" if value else "no"
