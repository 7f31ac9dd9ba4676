"""Issue 15's benchmark files, written with the libraries customers' tools use (trimesh, ezdxf, OpenCascade): a
200,000-triangle STL, a 2,000-entity DXF and a ~5 MB STEP. Both benchmarks (`python -m apps.uploads.analysis.bench`
and `manage.py bench_uploads`) write them from here, and the upload tests' samples (tests/uploads/samples.py) build
on the same writers, so the application never imports the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import ezdxf
import trimesh

HOLED_BOX_SIZE = (40.0, 30.0, 10.0)
HOLED_BOX_HOLE_RADIUS = 5.0


def dense_sphere_stl(directory: Path, triangles: int = 200_000, name: str = "dense_sphere.stl") -> Path:
    """A UV sphere of radius 25 mm with about `triangles` triangles (the benchmark's large mesh)."""
    count = max(8, round(math.sqrt(triangles / 4)))  # a UV sphere has about 4 x count^2 triangles
    mesh = trimesh.creation.uv_sphere(radius=25.0, count=[count, count])
    path = Path(directory) / name
    path.write_bytes(mesh.export(file_type="stl"))
    return path


def new_dxf(insunits: int = 4) -> ezdxf.document.Drawing:
    """An empty R2010 drawing in `insunits` (4 = mm, 1 = inch, 0 = unstated)."""
    doc = ezdxf.new("R2010", setup=True)
    doc.header["$INSUNITS"] = insunits
    return doc


def large_dxf(directory: Path, entities: int = 2000, name: str = "large.dxf") -> Path:
    """A big perforated sheet with about `entities` entities: an outline, then rows of slots (2 lines + 2 arcs)
    and round holes, so the chaining has real work to do."""
    doc = new_dxf()
    msp = doc.modelspace()
    groups = max(1, (entities - 1) // 5)  # one slot (4 entities) and one circle per group
    columns = math.ceil(math.sqrt(groups))
    rows = math.ceil(groups / columns)
    pitch = 20.0
    msp.add_lwpolyline(
        [(0, 0), (columns * 2 * pitch, 0), (columns * 2 * pitch, rows * pitch), (0, rows * pitch)], close=True
    )
    for index in range(groups):
        cx = (index % columns) * 2 * pitch + pitch / 2
        cy = (index // columns) * pitch + pitch / 2
        r = 2.0
        msp.add_line((cx - 4, cy - r), (cx + 4, cy - r))
        msp.add_line((cx + 4, cy + r), (cx - 4, cy + r))
        msp.add_arc((cx + 4, cy), r, -90, 90)
        msp.add_arc((cx - 4, cy), r, 90, 270)
        msp.add_circle((cx + pitch, cy), 3.0)
    path = Path(directory) / name
    doc.saveas(path)
    return path


# OpenCascade is imported only when a STEP file is asked for.


def holed_box_shape(x: float = 0.0, y: float = 0.0, hole_radius: float = HOLED_BOX_HOLE_RADIUS):
    """A HOLED_BOX_SIZE block at (x, y, 0) with a through hole along z in its middle."""
    from OCP.BRepAlgoAPI import BRepAlgoAPI_Cut
    from OCP.BRepPrimAPI import BRepPrimAPI_MakeBox, BRepPrimAPI_MakeCylinder
    from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt

    sx, sy, sz = HOLED_BOX_SIZE
    box = BRepPrimAPI_MakeBox(gp_Pnt(x, y, 0), sx, sy, sz).Shape()
    axis = gp_Ax2(gp_Pnt(x + sx / 2, y + sy / 2, -1), gp_Dir(0, 0, 1))
    return BRepAlgoAPI_Cut(box, BRepPrimAPI_MakeCylinder(axis, hole_radius, sz + 2).Shape()).Shape()


def write_step(shape, path: Path, unit: str) -> Path:
    from OCP.Interface import Interface_Static
    from OCP.STEPControl import STEPControl_AsIs, STEPControl_Controller, STEPControl_Writer

    STEPControl_Controller.Init_s()
    writer = STEPControl_Writer()
    # OpenCascade models in mm; the writer converts the coordinates and states the unit in the file.
    Interface_Static.SetCVal_s("write.step.unit", {"mm": "MM", "inch": "INCH"}[unit])
    writer.Transfer(shape, STEPControl_AsIs)
    writer.Write(str(path))
    Interface_Static.SetCVal_s("write.step.unit", "MM")
    return path


def large_step(directory: Path, blocks_per_side: int = 16, name: str = "large.step") -> Path:
    """About 5 MB of STEP (16 x 16 holed blocks, each its own solid with its own hole size): the benchmark's
    large solid. Takes a few seconds to build."""
    from OCP.BRep import BRep_Builder
    from OCP.TopoDS import TopoDS_Compound

    compound = TopoDS_Compound()
    builder = BRep_Builder()
    builder.MakeCompound(compound)
    for i in range(blocks_per_side):
        for j in range(blocks_per_side):
            hole = 2.0 + 0.05 * ((i * blocks_per_side + j) % 50)
            builder.Add(compound, holed_box_shape(i * 50.0, j * 40.0, hole))
    return write_step(compound, Path(directory) / name, "mm")


# (kind, writer, its arguments): what both benchmarks measure.
BENCHMARK_FILES: list[tuple[str, Callable[..., Path], dict]] = [
    ("stl_200k_triangles", dense_sphere_stl, {"triangles": 200_000}),
    ("dxf_2000_entities", large_dxf, {"entities": 2000}),
    ("step_5mb", large_step, {}),
]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank `fraction` percentile of `values` (0.95 for p95), as both benchmarks report it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]
