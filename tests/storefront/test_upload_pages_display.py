"""What the part pages say about an analysis: sizes in words, the units question's readings, numbered findings with
their markers, the DXF markers placed in the drawing's viewBox, the measured features and the repairs."""

from apps.uploads.analysis.result import (
    Analysis,
    FileFormat,
    Finding,
    Marker,
    MeshFeatures,
    PartKind,
    ProfileFeatures,
    Severity,
    Units,
)
from apps.uploads.display import (
    PREVIEW_BOUNDS,
    ViewBox,
    drawing_marks,
    feature_rows,
    numbered_findings,
    repair_texts,
    size_text,
    svg_viewbox,
    units_readings,
    viewer_markers,
)


def _mesh(units=Units.MM, findings=()) -> Analysis:
    return Analysis(
        format=FileFormat.STL,
        kind=PartKind.MESH,
        units=units,
        units_from_file=False,
        features=MeshFeatures(
            size_mm=(40.0, 30.0, 10.0),
            volume_mm3=12000.0,
            area_mm2=3800.0,
            triangles=12,
            shells=1,
            watertight=True,
            min_wall_mm=10.0,
        ),
        findings=findings,
    )


def _plate(**extra) -> Analysis:
    return Analysis(
        format=FileFormat.DXF,
        kind=PartKind.PROFILE,
        units=Units.MM,
        units_from_file=True,
        features=ProfileFeatures(
            size_mm=(200.0, 100.0),
            cut_length_mm=700.0,
            pierces=3,
            closed_contours=3,
            open_contours=1,
            hole_diameters_mm=(8.0, 12.5),
            net_area_mm2=19000.0,
            entities=40,
        ),
        findings=(
            Finding(
                code="profile_open_contour",
                severity=Severity.ERROR,
                message="One contour is open.",
                fix="Close the contour.",
                where=(Marker(x=10.0, y=20.0, radius_mm=5.0), Marker(x=150.0, y=100.0)),
            ),
        ),
        extra=extra,
    )


def test_sizes_read_as_people_write_them():
    assert size_text((40.0, 30.0, 10.0)) == "40 × 30 × 10 mm"
    assert size_text((120.0, 12.5, 0.75)) == "120 × 12.5 × 0.75 mm"
    assert size_text((25.4, 50.8)) == "25.4 × 50.8 mm"
    assert size_text((25.4, 50.8), Units.INCH) == "1.00 × 2.00 in"


def test_units_question_shows_the_size_under_each_unit():
    """Read as millimetres the box is 40 mm long; the same numbers in inches make it 1016 mm."""
    readings = {reading.units: reading for reading in units_readings(_mesh())}
    assert readings[Units.MM].size_text == "40 × 30 × 10 mm" and readings[Units.MM].current
    assert readings[Units.INCH].size_text == "1016 × 762 × 254 mm" and not readings[Units.INCH].current

    # After choosing inches the analysis' sizes are in mm already: the mm reading divides them back.
    inch = _mesh(units=Units.INCH)
    inch = Analysis(
        **{
            **inch.__dict__,
            "features": MeshFeatures(**{**inch.features.__dict__, "size_mm": (1016.0, 762.0, 254.0)}),
        }
    )
    readings = {reading.units: reading for reading in units_readings(inch)}
    assert readings[Units.MM].size_text == "40 × 30 × 10 mm" and not readings[Units.MM].current
    assert readings[Units.INCH].current


def test_findings_are_numbered_and_each_place_has_a_marker_id():
    analysis = _mesh(
        findings=(
            Finding(
                "mesh_not_watertight",
                Severity.ERROR,
                "Not closed.",
                "Close it.",
                (Marker(1, 2, 3, 0.5),),
                True,
            ),
            Finding("mesh_note", Severity.INFO, "A note.", ""),
            Finding("mesh_thin", Severity.WARNING, "Thin.", "Thicken.", (Marker(0, 0), Marker(5, 5))),
        )
    )
    numbered = numbered_findings(analysis)
    assert [n.number for n in numbered] == [1, 2, 3]
    assert [m.label for m in numbered[2].markers] == ["3a", "3b"]
    markers = viewer_markers(numbered)
    assert [m["id"] for m in markers] == ["f1-0", "f3-0", "f3-1"]
    assert markers[0] == {
        "id": "f1-0",
        "label": "1",
        "title": "Not closed.",
        "severity": "error",
        "x": 1,
        "y": 2,
        "z": 3,
        "radius": 0.5,
    }
    assert numbered_findings(None) == []


def test_svg_viewbox_is_read_from_the_root_element():
    head = b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg' width='200mm' viewBox=\"0 0 1000000 500000\">"
    assert svg_viewbox(head) == ViewBox(0, 0, 1000000, 500000)
    assert svg_viewbox(b"<svg width='10'>") is None
    assert svg_viewbox(b"<svg viewBox='0 0 0 10'>") is None
    assert svg_viewbox(b"<svg viewBox='a b c d'>") is None


def test_drawing_markers_land_on_the_same_place_of_the_drawing():
    """The drawing's viewBox spans the model rectangle the analyser recorded; y is flipped (SVG grows downwards)."""
    analysis = _plate(**{PREVIEW_BOUNDS: [0.0, 0.0, 200.0, 100.0]})
    marks = drawing_marks(analysis, numbered_findings(analysis), ViewBox(0, 0, 1000, 500))
    assert [(m.cx, m.cy) for m in marks] == [(50.0, 400.0), (750.0, 0.0)]
    assert marks[0].r == 30.0  # 5 mm is 25 units: less than the 3 % ring everyone can tap
    assert marks[0].marker.id == "f1-0" and marks[1].marker.label == "1b"

    # As the analyser draws: mm with y flipped, framed with a margin (viewBox = the bounds, y negated).
    framed = _plate(**{PREVIEW_BOUNDS: [-4.0, -4.0, 204.0, 104.0]})
    marks = drawing_marks(framed, numbered_findings(framed), ViewBox(-4, -104, 208, 108))
    assert [(m.cx, m.cy) for m in marks] == [(10.0, -20.0), (150.0, -100.0)]


def test_a_drawing_without_its_bounds_gets_no_markers():
    analysis = _plate()
    assert drawing_marks(analysis, numbered_findings(analysis), ViewBox(0, 0, 1000, 500)) == []


def test_features_in_words():
    rows = {row.label: row.text for row in feature_rows(_mesh())}
    assert rows["Size"] == "40 × 30 × 10 mm"
    assert rows["Volume"] == "12 cm³"
    assert rows["Watertight"] == "yes"
    assert rows["Thinnest wall"] == "10 mm"
    rows = {row.label: row.text for row in feature_rows(_plate())}
    assert rows["Cut length"] == "700 mm"
    assert rows["Holes"] == "2, the smallest 8 mm across"
    assert rows["Open contours"] == "1"


def test_repairs_in_words():
    """As apps.uploads.analysing records a repair: the analyser's sentences and its MeshRepair."""
    recorded = {
        "at": "2026-12-07T02:00:00+00:00",
        "message": "Closed 1 hole in the surface.",
        "messages": ["Closed 1 hole in the surface."],
        "details": {
            "changes": ["Closed 1 hole in the surface."],
            "watertight_before": False,
            "watertight_after": True,
            "triangles_before": 10,
            "triangles_after": 12,
        },
    }
    assert repair_texts([recorded]) == [
        "Closed 1 hole in the surface.",
        "Watertight: no → yes.",
        "Triangles: 10 → 12.",
    ]
    assert repair_texts(["Filled 2 holes."]) == ["Filled 2 holes."]
    assert repair_texts(None) == []
