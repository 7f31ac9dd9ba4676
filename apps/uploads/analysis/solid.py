"""Solids for machining (STEP), read with OpenCascade (cadquery-ocp): measure the part and its stock.

OpenCascade converts the file's unit to millimetres as it reads; which unit the file stated is read from its
LENGTH_UNIT record (so the customer is shown it). The stock is the axis-aligned bounding block; what is machined
away is stock minus part. The preview is the tessellated shape as GLB, in the part's own coordinates.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from apps.uploads.analysis.limits import Limits, check_count
from apps.uploads.analysis.result import (
    Analysis,
    AnalysisError,
    FileFormat,
    Finding,
    Marker,
    PartKind,
    Severity,
    SolidFeatures,
    Units,
)

PREVIEW = "preview.glb"
MAX_MARKERS = 50
_LENGTH_UNIT = re.compile(rb"\(([^;]*?LENGTH_UNIT\s*\(\s*\)[^;]*?)\)\s*;", re.DOTALL)
_SI_PREFIX = {
    b"$": ("m", 1000.0),
    b".MILLI.": ("mm", 1.0),
    b".CENTI.": ("cm", 10.0),
    b".MICRO.": ("micron", 0.001),
}


def step_file_unit(data: bytes) -> tuple[str, float] | None:
    """The length unit a STEP file states, as (name, mm per unit), or None when it states none we know."""
    for match in _LENGTH_UNIT.finditer(data):
        text = match.group(1).upper()
        named = re.search(rb"CONVERSION_BASED_UNIT\s*\(\s*'([A-Z]+)'", text)
        if named:
            name = named.group(1)
            if name.startswith(b"INCH"):
                return "inch", 25.4
            if name.startswith((b"FOOT", b"FEET")):
                return "foot", 304.8
            continue
        si = re.search(rb"SI_UNIT\s*\(\s*(\$|\.[A-Z]+\.)\s*,\s*\.METRE\.", text)
        if si and si.group(1) in _SI_PREFIX:
            return _SI_PREFIX[si.group(1)]
    return None


def _read(path: Path, limits: Limits):
    data = path.read_bytes()
    check_count(
        "too_many_entities", "STEP records", data.count(b"\n#") + data.startswith(b"#"), limits.step_entities
    )
    if b"END-ISO-10303-21" not in data[-4096:]:
        raise AnalysisError(
            "corrupt",
            "The STEP file ends early (it has no END-ISO-10303-21 line): it was cut off. Export it again.",
        )
    unit = step_file_unit(data)
    del data
    from OCP.IFSelect import IFSelect_RetDone
    from OCP.STEPControl import STEPControl_Reader

    reader = STEPControl_Reader()
    if reader.ReadFile(str(path)) != IFSelect_RetDone:
        raise AnalysisError(
            "corrupt", "The STEP file cannot be read: its records are malformed. Export it again."
        )
    if reader.TransferRoots() == 0:
        raise AnalysisError("empty", "The STEP file holds no shape (no solid, surface or curve) to machine.")
    shape = reader.OneShape()
    if shape is None or shape.IsNull():
        raise AnalysisError("empty", "The STEP file holds no shape to machine.")
    return shape, unit


def _shapes(shape, kind):
    from OCP.TopExp import TopExp_Explorer

    explorer = TopExp_Explorer(shape, kind)
    while explorer.More():
        yield explorer.Current()
        explorer.Next()


def _tessellate(shape, diagonal: float, scratch: Path) -> tuple[np.ndarray, np.ndarray]:
    """Triangles of the shape for the preview. OpenCascade meshes it and writes a binary STL (in C++: a hundred
    times faster than walking every face's nodes from Python), which numpy reads back."""
    from OCP.BRepMesh import BRepMesh_IncrementalMesh
    from OCP.StlAPI import StlAPI_Writer

    from apps.uploads.analysis.mesh import merge_vertices

    BRepMesh_IncrementalMesh(shape, max(0.01, diagonal * 0.001), False, 0.5, True)  # faces meshed in parallel
    writer = StlAPI_Writer()
    writer.ASCIIMode = False
    try:
        if not writer.Write(shape, str(scratch)):
            return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
        data = scratch.read_bytes()
    finally:
        scratch.unlink(missing_ok=True)
    count = int.from_bytes(data[80:84], "little")
    record = np.dtype([("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])
    corners = np.frombuffer(data, dtype=record, count=count, offset=84)["corners"].reshape(-1, 3)
    return merge_vertices(corners.astype(np.float64), np.arange(len(corners)).reshape(-1, 3))


def _scaled(shape, factor: float):
    from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
    from OCP.gp import gp_Pnt, gp_Trsf

    transform = gp_Trsf()
    transform.SetScale(gp_Pnt(0, 0, 0), factor)
    return BRepBuilderAPI_Transform(shape, transform, True).Shape()


def analyse_solid(
    path: Path, file_format: FileFormat, out_dir: Path, units: Units | None, limits: Limits
) -> Analysis:
    shape, unit = _read(path, limits)
    if unit is None and units == Units.INCH:  # the file states no unit: the customer's choice applies
        shape = _scaled(shape, 25.4)
    from OCP.Bnd import Bnd_Box
    from OCP.BRepBndLib import BRepBndLib
    from OCP.BRepGProp import BRepGProp
    from OCP.GProp import GProp_GProps
    from OCP.TopAbs import TopAbs_FACE, TopAbs_SOLID

    box = Bnd_Box()
    BRepBndLib.AddOptimal_s(shape, box, False, False)
    if box.IsVoid():
        raise AnalysisError("empty", "The STEP file's shape has no extent.")
    low, high = box.CornerMin(), box.CornerMax()
    x0, y0, z0, x1, y1, z1 = low.X(), low.Y(), low.Z(), high.X(), high.Y(), high.Z()
    size = (x1 - x0, y1 - y0, z1 - z0)
    solids = list(_shapes(shape, TopAbs_SOLID))
    volume = 0.0
    centres = []
    for solid in solids:
        props = GProp_GProps()
        BRepGProp.VolumeProperties_s(solid, props)
        volume += abs(props.Mass())
        centre = props.CentreOfMass()
        centres.append((abs(props.Mass()), (centre.X(), centre.Y(), centre.Z())))
    surface = GProp_GProps()
    BRepGProp.SurfaceProperties_s(shape, surface)
    faces = sum(1 for _ in _shapes(shape, TopAbs_FACE))
    stock = size[0] * size[1] * size[2]

    import trimesh

    vertices, triangles = _tessellate(shape, float(np.linalg.norm(size)), out_dir / "tessellation.stl.tmp")
    if len(triangles):
        preview = trimesh.Trimesh(vertices=vertices, faces=triangles, process=False)
        (out_dir / PREVIEW).write_bytes(preview.export(file_type="glb"))

    findings = []
    if not solids:
        findings.append(
            Finding(
                code="solid_no_solid",
                severity=Severity.ERROR,
                message="The file holds surfaces but no closed solid, so its volume (and what to machine away) "
                "cannot be measured.",
                fix="Export the part as a solid body (sew or thicken the surfaces in your CAD tool).",
            )
        )
    elif len(solids) > 1:
        centres.sort(reverse=True)
        findings.append(
            Finding(
                code="solid_multiple_solids",
                severity=Severity.WARNING,
                message=f"The file holds {len(solids):,} separate solids; they are quoted as one part machined "
                "from one block.",
                fix="If they are separate parts, upload them as separate files.",
                where=tuple(
                    Marker(x=round(x, 4), y=round(y, 4), z=round(z, 4), ref="solid")
                    for _, (x, y, z) in centres[1 : MAX_MARKERS + 1]
                ),
            )
        )
    features = SolidFeatures(
        size_mm=tuple(round(v, 6) for v in size),
        volume_mm3=round(volume, 6),
        area_mm2=round(surface.Mass(), 6),
        stock_volume_mm3=round(stock, 6),
        removal_volume_mm3=round(max(stock - volume, 0.0), 6),
        faces=faces,
        solids=len(solids),
    )
    file_unit = unit[0] if unit else (units or Units.MM).value
    return Analysis(
        format=file_format,
        kind=PartKind.SOLID,
        units=Units.INCH if file_unit == "inch" else Units.MM,
        units_from_file=unit is not None,
        features=features,
        findings=tuple(findings),
        preview=PREVIEW if len(triangles) else "",
        extra={
            "file_unit": file_unit,
            "bounds_mm": [
                [round(x0, 6), round(y0, 6), round(z0, 6)],
                [round(x1, 6), round(y1, 6), round(z1, 6)],
            ],
            "preview_triangles": len(triangles),
        },
    )
