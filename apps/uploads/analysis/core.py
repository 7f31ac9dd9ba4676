"""Analyse one file in this process: check its size, tell its format by content, and hand it to the analyser of
its kind (each imported only when needed: OpenCascade alone takes a second to import, and a mesh never needs it).

The sandbox runs this in a child process with CPU and memory limits; tests call it directly.
"""

from __future__ import annotations

import importlib
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from apps.uploads.analysis.limits import Limits, check_file_size
from apps.uploads.analysis.result import KIND_OF_FORMAT, Analysis, AnalysisError, PartKind, Units
from apps.uploads.analysis.sniff import sniff


def peak_memory_mb() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# What each kind's analysis imports (the libraries it would otherwise load on the way): a prestarted child loads
# them while it waits for a file (sandbox.py), so a file's wait never includes them. OpenCascade alone is about a
# second of CPU, trimesh with numpy a third of one.
PRELOAD: dict[PartKind, tuple[str, ...]] = {
    PartKind.MESH: (
        "apps.uploads.analysis.mesh",
        "vtkmodules.util.numpy_support",
        "vtkmodules.vtkCommonDataModel",
        "vtkmodules.vtkFiltersCore",
    ),
    PartKind.PROFILE: ("apps.uploads.analysis.profile", "ezdxf.recover", "ezdxf.path"),
    PartKind.SOLID: (
        "apps.uploads.analysis.solid",
        "OCP.STEPControl",
        "OCP.BRepMesh",
        "OCP.BRepGProp",
        "OCP.StlAPI",
        "apps.uploads.analysis.mesh",
        "trimesh",
    ),
}


def preload(kind: PartKind) -> None:
    """Import what an analysis of `kind` needs, ahead of the file."""
    for name in PRELOAD[kind]:
        importlib.import_module(name)


@contextmanager
def _output_folder(out_dir: Path) -> Iterator[None]:
    """Make the output folder; if the work fails, remove what it had written there (nothing half-written)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    before = set(out_dir.iterdir())
    try:
        yield
    except BaseException:
        for written in set(out_dir.iterdir()) - before:
            written.unlink(missing_ok=True)
        raise


def analyse(
    path: Path,
    out_dir: Path,
    units: Units | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    filename: str | None = None,
) -> Analysis:
    """Analyse the file at `path`, writing its preview into `out_dir`. `units` apply when the file states none
    (default mm); `filename` is the name the customer gave it (its extension must agree with the content).
    Raises AnalysisError with a stable code and a plain message."""
    started = time.perf_counter()
    path, out_dir = Path(path), Path(out_dir)
    check_file_size(path, limits)
    file_format = sniff(path, filename)
    kind = KIND_OF_FORMAT[file_format]
    if kind == PartKind.MESH:
        from apps.uploads.analysis.mesh import analyse_mesh as analyser
    elif kind == PartKind.PROFILE:
        from apps.uploads.analysis.profile import analyse_profile as analyser
    else:
        from apps.uploads.analysis.solid import analyse_solid as analyser
    with _output_folder(out_dir):
        analysis = analyser(path, file_format, out_dir, units, limits)
    return replace(
        analysis, seconds=round(time.perf_counter() - started, 4), peak_memory_mb=round(peak_memory_mb(), 1)
    )


def repair(
    path: Path,
    out_dir: Path,
    units: Units | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    filename: str | None = None,
):
    """Repair a mesh file (see `repair.py`), writing `repaired.stl` into `out_dir`; returns the MeshRepair."""
    path, out_dir = Path(path), Path(out_dir)
    check_file_size(path, limits)
    file_format = sniff(path, filename)
    if KIND_OF_FORMAT[file_format] != PartKind.MESH:
        raise AnalysisError(
            "not_repairable", f"Only meshes (STL, 3MF, OBJ) can be repaired, not {file_format.value}."
        )
    from apps.uploads.analysis.repair import repair_mesh

    with _output_folder(out_dir):
        return repair_mesh(path, file_format, out_dir, units, limits)
