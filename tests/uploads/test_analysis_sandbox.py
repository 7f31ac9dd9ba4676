"""The analyser in its limited child process: results and refusals cross the process boundary intact, and a child
killed by its limits becomes a plain "too complex" without harming the caller (no database)."""

import os
import re
import signal
from pathlib import Path

import pytest

from apps.uploads.analysis import sandbox
from apps.uploads.analysis.bench_files import dense_sphere_stl
from apps.uploads.analysis.result import AnalysisError, PartKind, Units
from apps.uploads.analysis.sandbox import _child_environment, analyse_in_sandbox, repair_in_sandbox
from tests.uploads import samples


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-samples")


@pytest.fixture
def out(tmp_path):
    return tmp_path


def test_an_analysis_comes_back_whole_with_what_it_cost(folder, out):
    analysis = analyse_in_sandbox(
        samples.plate_dxf(folder, insunits=0), out, units=Units.INCH, filename="plate.DXF"
    )

    assert analysis.units == Units.INCH and not analysis.units_from_file
    assert analysis.features.cut_length_mm == pytest.approx(samples.PLATE_CUT_LENGTH * 25.4, abs=1e-4)
    assert (out / "preview.svg").exists()
    assert analysis.peak_memory_mb > 10 and analysis.extra["sandbox_seconds"] >= analysis.seconds > 0
    assert analysis.extra["cpu_seconds"] > 0


def test_a_step_file_is_analysed_within_the_default_limits(folder, out):
    """OpenCascade maps about a gigabyte and opens many libraries as it loads: the defaults leave it room."""
    analysis = analyse_in_sandbox(samples.holed_box_step(folder, unit="inch"), out)

    assert analysis.units == Units.INCH and analysis.features.solids == 1
    assert analysis.features.volume_mm3 == pytest.approx(samples.HOLED_BOX_VOLUME, rel=1e-6)
    assert (out / "preview.glb").stat().st_size > 0


def test_a_file_that_crashes_opencascade_kills_only_the_child(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse_in_sandbox(samples.segfaulting_step(folder), out)
    assert caught.value.code == "crashed" and "exit -11" in caught.value.message  # SIGSEGV, in the child

    assert analyse_in_sandbox(samples.box_stl(folder), out).features.watertight  # the caller carries on


def test_the_childs_refusal_arrives_as_the_same_error(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse_in_sandbox(samples.dxf_named_stl(folder), out)
    assert caught.value.code == "wrong_extension" and "DXF drawing" in caught.value.message


def test_a_repair_runs_in_the_sandbox_too(folder, out):
    repaired = repair_in_sandbox(samples.open_box_stl(folder), out)

    assert repaired.watertight_after and (out / repaired.file).exists()


def test_a_child_that_fails_answers_crashed_in_plain_words(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse_in_sandbox(
            folder / "gone.stl", out
        )  # the worker lost the file: our fault, not the customer's
    assert caught.value.code == "crashed" and "FileNotFoundError" in caught.value.message


def test_a_child_over_its_memory_limit_is_too_complex_and_the_caller_carries_on(folder, out):
    path = samples.box_stl(folder)  # numpy and trimesh alone reserve more address space than 150 MB

    with pytest.raises(AnalysisError) as caught:
        analyse_in_sandbox(path, out, memory_mb=150)
    assert caught.value.code == "too_complex" and "150 MB" in caught.value.message

    assert analyse_in_sandbox(path, out).features.watertight  # the same file, with room, still works


def test_a_child_over_its_cpu_time_is_killed_and_too_complex(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse_in_sandbox(samples.box_stl(folder), out, cpu_seconds=0)
    assert caught.value.code == "too_complex" and "processing" in caught.value.message


def test_a_child_writing_past_its_output_limit_is_stopped(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse_in_sandbox(samples.cylinder_stl(folder), out, output_bytes=4096)  # its preview is ~13 KB
    assert caught.value.code == "too_complex" and "larger than 4 KB" in caught.value.message


def test_a_child_past_the_wall_clock_is_killed(folder, out):
    with pytest.raises(AnalysisError) as caught:
        # a prestarted child analyses a small box within milliseconds: a 200,000-triangle sphere takes a while
        analyse_in_sandbox(dense_sphere_stl(folder), out, timeout=0.05)
    assert caught.value.code == "too_complex" and "longer than 0.05 s" in caught.value.message


def test_the_child_inherits_none_of_the_workers_secrets(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_secret")

    environment = _child_environment()

    assert "DATABASE_URL" not in environment and "STRIPE_SECRET_KEY" not in environment
    assert not any("secret" in value for value in environment.values())
    assert os.environ["DATABASE_URL"] == "postgres://secret"  # the worker's own environment is untouched


def test_the_next_file_of_a_kind_goes_to_a_prestarted_child_with_the_same_answer(folder, out):
    path = samples.holed_box_step(folder, unit="mm")
    first = analyse_in_sandbox(path, out)

    again = analyse_in_sandbox(path, out)

    assert again.extra["prestarted"]  # the child had started, with OpenCascade loaded, before the file came
    assert again.features == first.features and again.findings == first.findings
    assert again.features.volume_mm3 == pytest.approx(samples.HOLED_BOX_VOLUME, rel=1e-6)


def test_a_prestarted_child_waits_with_the_limits_and_without_the_workers_secrets(folder, out, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret")
    analyse_in_sandbox(samples.box_stl(folder), out)
    spare = sandbox._spares[(PartKind.MESH, sandbox.DEFAULT_RLIMITS)]

    limits = Path(f"/proc/{spare.process.pid}/limits").read_text()
    environment = Path(f"/proc/{spare.process.pid}/environ").read_bytes()

    assert re.search(rf"Max cpu time\s+{sandbox.CPU_SECONDS}\s", limits)
    assert re.search(rf"Max address space\s+{sandbox.MEMORY_MB * 1024 * 1024}\s", limits)
    assert b"DATABASE_URL" not in environment and b"secret" not in environment
    assert os.getpgid(spare.process.pid) == spare.process.pid  # its own group: a timeout kills all it started


def test_a_prestarted_child_that_died_waiting_is_replaced_by_a_fresh_one(folder, out):
    path = samples.box_stl(folder)
    analyse_in_sandbox(path, out)
    spare = sandbox._spares[(PartKind.MESH, sandbox.DEFAULT_RLIMITS)]
    os.kill(spare.process.pid, signal.SIGKILL)
    spare.process.wait()

    analysis = analyse_in_sandbox(path, out)

    assert analysis.features.watertight and not analysis.extra["prestarted"]
