"""The STEP solid analyser on shapes OpenCascade built and wrote (no database)."""

import pytest
import trimesh

from apps.uploads.analysis.core import analyse
from apps.uploads.analysis.limits import Limits
from apps.uploads.analysis.result import AnalysisError, FileFormat, PartKind, Severity, Units
from tests.uploads import samples


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("solid-samples")


@pytest.fixture
def out(tmp_path):
    return tmp_path


@pytest.mark.parametrize(("unit", "units"), [("mm", Units.MM), ("inch", Units.INCH)])
def test_the_holed_block_is_measured_in_mm_whatever_unit_the_file_states(folder, out, unit, units):
    analysis = analyse(
        samples.holed_box_step(folder, name=f"holed_{unit}.step", unit=unit), out, units=Units.MM
    )

    assert (analysis.format, analysis.kind) == (FileFormat.STEP, PartKind.SOLID)
    assert analysis.units == units and analysis.units_from_file
    features = analysis.features
    assert features.size_mm == pytest.approx(samples.HOLED_BOX_SIZE, abs=1e-6)
    assert features.volume_mm3 == pytest.approx(samples.HOLED_BOX_VOLUME, rel=1e-6)
    assert features.area_mm2 == pytest.approx(samples.HOLED_BOX_AREA, rel=1e-6)
    assert features.stock_volume_mm3 == pytest.approx(12000.0, rel=1e-6)
    assert features.removal_volume_mm3 == pytest.approx(12000.0 - samples.HOLED_BOX_VOLUME, rel=1e-5)
    assert (features.faces, features.solids) == (7, 1)  # six sides and the hole's wall
    assert analysis.findings == ()
    preview = trimesh.load(out / analysis.preview, file_type="glb", force="mesh")
    assert preview.bounds.ravel().tolist() == pytest.approx([0, 0, 0, 40, 30, 10], abs=1e-6)


def test_separate_solids_are_counted_and_marked(folder, out):
    analysis = analyse(samples.two_solids_step(folder), out)

    assert analysis.features.solids == 2
    assert analysis.features.volume_mm3 == pytest.approx(2 * samples.HOLED_BOX_VOLUME, rel=1e-6)
    (finding,) = analysis.findings
    assert finding.code == "solid_multiple_solids" and finding.severity == Severity.WARNING
    assert len(finding.where) == 1


def test_a_cut_off_step_file_is_refused(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse(samples.truncated_step(folder), out)
    assert caught.value.code == "corrupt" and "cut off" in caught.value.message


def test_too_many_step_records_are_refused_before_reading(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse(samples.holed_box_step(folder), out, limits=Limits(step_entities=100))
    assert caught.value.code == "too_many_entities" and "100" in caught.value.message
