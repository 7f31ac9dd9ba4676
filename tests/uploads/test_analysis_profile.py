"""The DXF profile analyser on real drawings written by ezdxf (no database)."""

import math

import ezdxf
import pytest

from apps.uploads.analysis.core import analyse
from apps.uploads.analysis.limits import Limits
from apps.uploads.analysis.result import AnalysisError, FileFormat, PartKind, Severity, Units
from tests.uploads import samples


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("profile-samples")


@pytest.fixture
def out(tmp_path):
    return tmp_path


def test_the_plate_is_measured_exactly(folder, out):
    analysis = analyse(samples.plate_dxf(folder), out)

    assert (analysis.format, analysis.kind) == (FileFormat.DXF, PartKind.PROFILE)
    assert analysis.units == Units.MM and analysis.units_from_file
    features = analysis.features
    assert features.size_mm == pytest.approx((samples.PLATE_WIDTH, samples.PLATE_HEIGHT))
    assert features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH, abs=1e-5)
    assert features.pierces == features.closed_contours == samples.PLATE_PIERCES
    assert features.open_contours == 0
    assert features.hole_diameters_mm == pytest.approx(
        (20.0, samples.PLATE_SLOT_EQUIVALENT_DIAMETER, 10.0), abs=1e-5
    )
    assert features.net_area_mm2 == pytest.approx(samples.PLATE_NET_AREA, abs=1e-4)
    assert features.entities == samples.PLATE_ENTITIES and features.bend_lines == 0
    assert analysis.findings == ()
    # Where each hole is (centre of its area), in the order of hole_diameters_mm: a finding about a hole points there.
    centres = [(h["x"], h["y"]) for h in analysis.extra["holes"]]
    assert [c for xy in centres for c in xy] == pytest.approx([40, 50, 135, 50, 80, 50], abs=1e-3)


def test_the_preview_is_an_svg_in_mm_with_y_flipped(folder, out):
    analysis = analyse(samples.plate_dxf(folder), out)

    svg = (out / analysis.preview).read_text()
    assert analysis.preview == "preview.svg" and svg.startswith("<svg")
    assert 'viewBox="-4.000 -104.000 208.000 108.000"' in svg  # 2 % margin around (0, -100)–(200, 0)
    assert analysis.extra["preview_bounds_mm"] == [-4.0, -4.0, 204.0, 104.0]  # the same rectangle, y up
    assert "M0.000,0.000L200.000,0.000L200.000,-100.000L0.000,-100.000L0.000,0.000Z" in svg


@pytest.mark.parametrize(("insunits", "units", "factor"), [(1, Units.INCH, 25.4), (4, Units.MM, 1.0)])
def test_units_the_drawing_states_are_applied(folder, out, insunits, units, factor):
    analysis = analyse(
        samples.plate_dxf(folder, name=f"plate_{insunits}.dxf", insunits=insunits), out, units=Units.MM
    )

    assert analysis.units == units and analysis.units_from_file
    assert analysis.features.size_mm == pytest.approx((200 * factor, 100 * factor))
    assert analysis.features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH * factor, abs=1e-4)


def test_a_unitless_drawing_takes_the_customers_units(folder, out):
    path = samples.plate_dxf(folder, name="plate_unitless.dxf", insunits=0)

    assert analyse(path, out).units == Units.MM
    analysis = analyse(path, out, units=Units.INCH)
    assert analysis.units == Units.INCH and not analysis.units_from_file
    assert analysis.features.net_area_mm2 == pytest.approx(samples.PLATE_NET_AREA * 25.4**2, rel=1e-9)


def test_an_open_contour_is_an_error_marked_at_its_loose_ends(folder, out):
    analysis = analyse(samples.open_contour_dxf(folder), out)

    assert (
        analysis.features.open_contours,
        analysis.features.closed_contours,
        analysis.features.pierces,
    ) == (1, 0, 0)
    (finding,) = analysis.findings
    assert finding.code == "profile_open_contour" and finding.severity == Severity.ERROR
    assert "2.000 mm" in finding.message
    assert sorted((m.x, m.y) for m in finding.where) == [(0.0, 0.0), (0.0, samples.OPEN_CONTOUR_GAP)]


def test_duplicate_and_overlapping_lines_are_marked_and_cut_once(folder, out):
    analysis = analyse(samples.duplicate_lines_dxf(folder), out)

    (finding,) = analysis.findings
    assert finding.code == "profile_duplicate_lines" and finding.severity == Severity.WARNING
    assert sorted((m.x, m.y) for m in finding.where) == [(100.0, 0.0), (200.0, 40.0)]
    assert all(m.ref for m in finding.where)  # the entity handles
    features = analysis.features
    assert features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH, abs=1e-5)
    assert (features.closed_contours, features.open_contours) == (samples.PLATE_PIERCES, 0)


def test_bend_lines_are_counted_not_cut(folder, out):
    features = analyse(samples.bend_plate_dxf(folder), out).features

    assert features.bend_lines == 1
    assert features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH, abs=1e-5)


def test_notes_are_left_out_and_said_so(folder, out):
    document = ezdxf.readfile(samples.plate_dxf(folder, name="plate_with_text.dxf"))
    document.modelspace().add_text("PART 15", dxfattribs={"height": 5})
    path = folder / "plate_with_text.dxf"
    document.saveas(path)

    analysis = analyse(path, out)

    assert [(f.code, f.severity) for f in analysis.findings] == [("profile_ignored_entities", Severity.INFO)]
    assert analysis.features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH, abs=1e-5)


def test_a_polyline_with_bulges_and_a_circle_in_a_block(folder, out):
    """Arcs inside an LWPOLYLINE (bulge 1 = a half circle) and geometry placed through a block reference."""
    document = ezdxf.new("R2010")
    document.header["$INSUNITS"] = 4
    msp = document.modelspace()
    # A 40 x 20 stadium: two straight sides and two half-circle ends of radius 10.
    msp.add_lwpolyline(
        [(0, 0, 0, 0, 0), (40, 0, 0, 0, 1), (40, 20, 0, 0, 0), (0, 20, 0, 0, 1)], format="xyseb", close=True
    )
    block = document.blocks.new("HOLE")
    block.add_circle((0, 0), 2.5)
    msp.add_blockref("HOLE", (20, 10))
    path = folder / "stadium.dxf"
    document.saveas(path)

    features = analyse(path, out).features

    assert features.cut_length_mm == pytest.approx(80 + 2 * math.pi * 10 + 2 * math.pi * 2.5, abs=1e-6)
    assert features.hole_diameters_mm == pytest.approx((5.0,))
    assert features.net_area_mm2 == pytest.approx(40 * 20 + math.pi * 100 - math.pi * 6.25, abs=1e-6)
    assert features.size_mm == pytest.approx((60.0, 20.0), abs=1e-3)


def test_a_2000_entity_drawing_is_chained(folder, out):
    features = analyse(samples.large_dxf(folder), out).features

    groups = (2000 - 1) // 5
    assert features.entities == 1 + 5 * groups
    assert features.closed_contours == 1 + 2 * groups and features.open_contours == 0
    assert len(features.hole_diameters_mm) == 2 * groups


def test_too_many_entities_is_refused_with_the_numbers(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse(samples.plate_dxf(folder), out, limits=Limits(dxf_entities=5))

    assert (
        caught.value.code == "too_many_entities"
        and "7" in caught.value.message
        and "5" in caught.value.message
    )


def test_splines_ellipses_and_mirrored_arcs_are_cut_too(folder, out):
    """An ellipse hole, a closed spline hole, and a round hole drawn as two arcs whose extrusion points down (as
    some CAD tools export mirrored geometry: counter-clockwise in their own system, clockwise on the sheet)."""
    document = ezdxf.new("R2010")
    document.header["$INSUNITS"] = 4
    msp = document.modelspace()
    msp.add_lwpolyline([(0, 0), (200, 0), (200, 100), (0, 100)], close=True)
    msp.add_ellipse((40, 50), major_axis=(20, 0), ratio=0.5)  # semi-axes 20 and 10
    msp.add_spline([(90, 40), (110, 40), (110, 60), (90, 60), (90, 40)])  # fit points back to the start
    down = {"extrusion": (0, 0, -1)}
    # In the OCS of a downward extrusion x is mirrored: centre (-160, 50) is (160, 50) on the sheet.
    msp.add_arc((-160, 50), 5, 0, 180, dxfattribs=down)
    msp.add_arc((-160, 50), 5, 180, 360, dxfattribs=down)
    path = folder / "curves.dxf"
    document.saveas(path)

    analysis = analyse(path, out)

    features = analysis.features
    assert (features.closed_contours, features.open_contours) == (4, 0)
    assert analysis.findings == ()
    ellipse, spline, mirrored_circle = features.hole_diameters_mm  # largest first
    assert ellipse == pytest.approx(math.sqrt(4 * 20 * 10), abs=1e-3)  # area pi*a*b, flattened within 0.01 mm
    assert mirrored_circle == pytest.approx(10.0, abs=1e-9)  # arcs are exact
    assert 20 < spline < 28  # a rounded square through the four fit points
    assert analysis.extra["bounds_mm"] == pytest.approx([0, 0, 200, 100])


def test_geometry_on_hidden_layers_is_not_cut(folder, out):
    """Construction lines live on layers that are off or frozen, and DEFPOINTS is never plotted: none is cut."""
    document = ezdxf.readfile(samples.plate_dxf(folder, name="plate_with_construction.dxf"))
    msp = document.modelspace()
    document.layers.add("CONSTRUCTION").off()
    document.layers.add("FROZEN").freeze()
    msp.add_circle((150, 80), 30, dxfattribs={"layer": "CONSTRUCTION"})
    msp.add_line((0, 0), (200, 100), dxfattribs={"layer": "FROZEN"})
    msp.add_line((0, 100), (200, 0), dxfattribs={"layer": "Defpoints"})
    path = folder / "plate_with_construction.dxf"
    document.saveas(path)

    analysis = analyse(path, out)

    assert analysis.features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH, abs=1e-5)
    assert analysis.features.closed_contours == samples.PLATE_PIERCES and analysis.features.open_contours == 0
    assert analysis.extra["ignored_entities"] == {"CIRCLE on a hidden layer": 1, "LINE on a hidden layer": 2}
