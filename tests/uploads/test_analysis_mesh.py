"""The mesh analyser and repair on real files written by trimesh (no database)."""

import math

import pytest
import trimesh

from apps.uploads.analysis.core import analyse, repair
from apps.uploads.analysis.limits import Limits
from apps.uploads.analysis.mesh import load_mesh, preview_mesh
from apps.uploads.analysis.result import AnalysisError, FileFormat, PartKind, Severity, Units
from tests.uploads import samples


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("mesh-samples")


@pytest.fixture
def out(tmp_path):
    return tmp_path


def codes(analysis):
    return [finding.code for finding in analysis.findings]


@pytest.mark.parametrize(
    ("write", "file_format", "units_from_file"),
    [
        (samples.box_stl, FileFormat.STL, False),
        (samples.box_ascii_stl, FileFormat.STL, False),
        (samples.box_uppercase_ascii_stl, FileFormat.STL, False),
        (samples.box_obj, FileFormat.OBJ, False),
        (samples.box_3mf, FileFormat.THREE_MF, True),
    ],
)
def test_the_box_measures_the_same_in_every_mesh_format(folder, out, write, file_format, units_from_file):
    analysis = analyse(write(folder), out)

    assert analysis.format == file_format and analysis.kind == PartKind.MESH
    assert analysis.units == Units.MM and analysis.units_from_file is units_from_file
    features = analysis.features
    assert features.size_mm == pytest.approx(samples.BOX_SIZE)
    assert features.volume_mm3 == pytest.approx(samples.BOX_VOLUME)
    assert features.area_mm2 == pytest.approx(samples.BOX_AREA)
    assert (features.triangles, features.shells, features.watertight) == (12, 1, True)
    assert features.min_wall_mm == pytest.approx(10.0, abs=1e-3)  # the box's thinnest dimension
    assert analysis.findings == ()
    preview = trimesh.load(out / analysis.preview, file_type="glb", force="mesh")
    assert len(preview.faces) == 12 and preview.bounds.ravel().tolist() == pytest.approx(
        [0, 0, 0, 40, 30, 10]
    )


def test_a_slicer_3mf_whose_parts_live_in_other_model_files(folder, out):
    analysis = analyse(samples.slicer_3mf(folder, offset=10.0), out)

    assert analysis.features.volume_mm3 == pytest.approx(samples.BOX_VOLUME)
    assert analysis.extra["bounds_mm"] == [[10.0, 0.0, 0.0], [50.0, 30.0, 10.0]]  # moved by the build item


def test_several_solids_in_one_ascii_stl_are_one_part_of_several_shells(folder, out):
    analysis = analyse(samples.two_solids_ascii_stl(folder), out)

    assert (analysis.features.triangles, analysis.features.shells) == (24, 2)
    assert [f.code for f in analysis.findings] == ["mesh_multiple_shells"]


def test_a_collapsed_sliver_is_left_out_not_taken_for_a_hole(folder, out):
    analysis = analyse(samples.box_with_sliver_stl(folder), out)

    assert analysis.features.watertight and analysis.findings == ()
    assert analysis.features.triangles == 12 and analysis.extra["collapsed_triangles"] == 1


def test_the_cylinder_has_the_volume_of_the_prism_it_is(folder, out):
    features = analyse(samples.cylinder_stl(folder), out).features

    assert features.volume_mm3 == pytest.approx(samples.cylinder_volume(), rel=1e-6)  # STL stores float32
    assert features.size_mm == pytest.approx((20.0, 20.0, 20.0))
    assert features.min_wall_mm == pytest.approx(2 * samples.CYLINDER_RADIUS, rel=0.01)


def test_a_3mf_in_inches_is_converted_and_says_so(folder, out):
    analysis = analyse(samples.box_3mf(folder, name="inch.3mf", unit="inch"), out, units=Units.MM)

    assert analysis.units == Units.INCH and analysis.units_from_file
    assert analysis.features.size_mm == pytest.approx(tuple(v * 25.4 for v in samples.BOX_SIZE))
    assert analysis.features.volume_mm3 == pytest.approx(samples.BOX_VOLUME * 25.4**3)


def test_an_stl_states_no_unit_so_the_customers_choice_applies(folder, out):
    analysis = analyse(samples.box_stl(folder), out, units=Units.INCH)

    assert analysis.units == Units.INCH and not analysis.units_from_file
    assert analysis.features.size_mm == pytest.approx((1016.0, 762.0, 254.0))


def test_an_open_mesh_is_not_watertight_and_its_open_edges_are_marked(folder, out):
    analysis = analyse(samples.open_box_stl(folder), out)

    assert not analysis.features.watertight and analysis.features.min_wall_mm is None
    (finding,) = analysis.findings
    assert finding.code == "mesh_not_watertight" and finding.severity == Severity.ERROR and finding.repairable
    # The four rim edges of the missing top face, marked at their midpoints.
    assert sorted((m.x, m.y, m.z) for m in finding.where) == [
        (0, 15, 10),
        (20, 0, 10),
        (20, 30, 10),
        (40, 15, 10),
    ]
    assert analysis.errors == (finding,)


def test_separate_bodies_are_counted_and_the_extra_one_marked(folder, out):
    analysis = analyse(samples.two_shells_stl(folder), out)

    assert analysis.features.shells == 2 and analysis.features.watertight
    (finding,) = analysis.findings
    assert finding.code == "mesh_multiple_shells" and finding.severity == Severity.WARNING
    ((x, y, z),) = [(m.x, m.y, m.z) for m in finding.where]
    assert (x, y, z) == pytest.approx((80.0, 15.0, 5.0))  # the second box's centre


def test_a_hollow_part_is_one_body_with_a_cavity_and_its_walls_are_measured(folder, out):
    analysis = analyse(samples.hollow_box_stl(folder, wall=2.0), out)

    features = analysis.features
    assert features.shells == 2 and analysis.extra["cavities"] == 1 and features.watertight
    assert features.volume_mm3 == pytest.approx(
        samples.BOX_VOLUME - 36 * 26 * 6
    )  # the cavity is not material
    assert features.min_wall_mm == pytest.approx(2.0, abs=1e-3)
    assert analysis.findings == ()  # not "separate bodies": the inner shell is the cavity's surface


def test_a_thin_wall_is_measured_and_marked_where_it_is(folder, out):
    analysis = analyse(samples.thin_plate_stl(folder), out)

    assert analysis.features.min_wall_mm == pytest.approx(0.3, abs=1e-4)
    (finding,) = analysis.findings
    assert finding.code == "mesh_thin_wall" and "0.30 mm" in finding.message
    assert finding.where and all(m.radius_mm == pytest.approx(0.3, abs=1e-4) for m in finding.where)
    assert all(m.z in (0.0, pytest.approx(0.3)) for m in finding.where)  # on the plate's faces
    thinnest = analysis.extra["thinnest_walls"]  # for a process's own minimum: thinnest first
    assert thinnest[0]["thickness_mm"] == pytest.approx(0.3, abs=1e-4)
    assert [w["thickness_mm"] for w in thinnest] == sorted(w["thickness_mm"] for w in thinnest)


def test_an_inside_out_mesh_is_found_and_repaired(folder, out):
    path = samples.inverted_box_stl(folder)
    assert codes(analyse(path, out)) == ["mesh_inside_out"]

    result = repair(path, out)

    assert result.inverted and result.changes == (
        "Turned the part right side out (all its triangles faced inward).",
    )
    repaired = analyse(out / result.file, out)
    assert repaired.findings == () and repaired.features.volume_mm3 == pytest.approx(samples.BOX_VOLUME)


def test_one_backwards_triangle_is_found_and_turned(folder, out):
    path = samples.one_face_flipped_box_stl(folder)
    analysis = analyse(path, out)
    assert codes(analysis) == ["mesh_inconsistent_normals"] and not analysis.features.watertight

    result = repair(path, out)

    assert result.flipped_triangles == 1 and result.watertight_after
    assert analyse(out / result.file, out).findings == ()


def test_repair_closes_the_hole_and_says_what_changed(folder, out):
    result = repair(samples.open_box_stl(folder), out)

    assert (result.watertight_before, result.watertight_after, result.filled_holes) == (False, True, 1)
    assert result.changes == ("Closed 1 hole in the surface.",) and result.triangles_after == 14
    repaired = analyse(out / result.file, out)
    assert repaired.features.watertight and repaired.findings == ()
    assert repaired.features.volume_mm3 == pytest.approx(samples.BOX_VOLUME)


def test_a_repair_makes_its_output_folder(folder, out):
    result = repair(samples.open_box_stl(folder), out / "not" / "yet")

    assert (out / "not" / "yet" / result.file).exists()


def test_repairing_a_sound_mesh_changes_nothing(folder, out):
    result = repair(samples.box_stl(folder), out)

    assert not result.changed and result.triangles_before == result.triangles_after == 12


def test_only_meshes_can_be_repaired(folder, out):
    with pytest.raises(AnalysisError) as caught:
        repair(samples.plate_dxf(folder), out)
    assert caught.value.code == "not_repairable"


def test_a_dense_mesh_is_measured_and_its_preview_lightened(folder, out):
    path = samples.dense_sphere_stl(folder, triangles=100_000)
    features = analyse(path, out).features

    lighter = preview_mesh(load_mesh(path, FileFormat.STL, None, Limits()).mesh, max_triangles=20_000)
    assert 10_000 < len(lighter.faces) < 26_000
    assert lighter.bounds.ravel().tolist() == pytest.approx([-25, -25, -25, 25, 25, 25], abs=0.1)

    assert 95_000 < features.triangles < 105_000 and features.watertight
    assert features.volume_mm3 == pytest.approx(4 / 3 * math.pi * 25**3, rel=2e-3)
    assert features.min_wall_mm == pytest.approx(50.0, rel=1e-3)
