"""Sample CAD files for the upload tests, written with the same libraries customers' tools use (trimesh, ezdxf,
OpenCascade), plus broken and hostile ones.

Every generator takes the directory to write into (a `tmp_path`) and returns the file's path; the measurements the
tests compare against are module constants beside the generators (sizes in mm). Nothing here is mocked: the files
are real, so the analyser meets what a customer's CAD tool would write.
"""

from __future__ import annotations

import io
import math
import random
import zipfile
from pathlib import Path

import numpy as np
import trimesh

# The benchmark's files and the writers they share with these samples (re-exported: tests use samples.<name>).
from apps.uploads.analysis.bench_files import HOLED_BOX_SIZE as HOLED_BOX_SIZE
from apps.uploads.analysis.bench_files import dense_sphere_stl as dense_sphere_stl
from apps.uploads.analysis.bench_files import holed_box_shape, new_dxf, write_step
from apps.uploads.analysis.bench_files import large_dxf as large_dxf

# --- meshes -----------------------------------------------------------------------------------------------------

BOX_SIZE = (40.0, 30.0, 10.0)
BOX_VOLUME = 40.0 * 30.0 * 10.0
BOX_AREA = 2 * (40.0 * 30.0 + 40.0 * 10.0 + 30.0 * 10.0)
CYLINDER_RADIUS = 10.0
CYLINDER_HEIGHT = 20.0
CYLINDER_SECTIONS = 64
THIN_PLATE_SIZE = (40.0, 30.0, 0.3)
TWO_SHELLS_GAP = 20.0  # between the two boxes, along x
THREEMF_NAMESPACE = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02"


def _box() -> trimesh.Trimesh:
    # Corner at the origin (as most CAD tools export), not centred.
    mesh = trimesh.creation.box(extents=BOX_SIZE)
    mesh.apply_translation(np.array(BOX_SIZE) / 2)
    return mesh


def _write(directory: Path, name: str, data: bytes | str) -> Path:
    path = Path(directory) / name
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def inverted_box_stl(directory: Path, name: str = "inverted_box.stl") -> Path:
    """The box with every triangle wound backwards: closed, but inside out."""
    mesh = _box()
    mesh.invert()
    return _write(directory, name, mesh.export(file_type="stl"))


def one_face_flipped_box_stl(directory: Path, name: str = "flipped_face_box.stl") -> Path:
    """The box with a single triangle wound backwards (its normal points into the part)."""
    mesh = _box()
    faces = mesh.faces.copy()
    faces[0] = faces[0][::-1]
    mesh = trimesh.Trimesh(mesh.vertices, faces, process=False)
    return _write(directory, name, mesh.export(file_type="stl"))


def box_with_sliver_stl(directory: Path, name: str = "box_with_sliver.stl") -> Path:
    """The box plus one collapsed sliver triangle (two of its corners coincide), as exporters sometimes leave."""
    mesh = _box()
    a, b = mesh.vertices[mesh.faces[0][0]], mesh.vertices[mesh.faces[0][1]]
    triangles = np.vstack([mesh.triangles, [[a, b, b]]])
    return _write(
        directory, name, trimesh.Trimesh(**trimesh.triangles.to_kwargs(triangles)).export(file_type="stl")
    )


def box_uppercase_ascii_stl(directory: Path, name: str = "box_upper.stl") -> Path:
    """The box as ASCII STL in capitals (SOLID / FACET NORMAL…), as some CAD tools write it."""
    return _write(directory, name, _box().export(file_type="stl_ascii").upper())


def box_stl(directory: Path, name: str = "box.stl") -> Path:
    """A 40 x 30 x 10 mm box as binary STL (12 triangles, watertight)."""
    return _write(directory, name, _box().export(file_type="stl"))


def box_ascii_stl(directory: Path, name: str = "box_ascii.stl") -> Path:
    return _write(directory, name, _box().export(file_type="stl_ascii"))


def box_obj(directory: Path, name: str = "box.obj") -> Path:
    return _write(directory, name, _box().export(file_type="obj"))


def threemf_bytes(mesh: trimesh.Trimesh, unit: str = "millimeter") -> bytes:
    """A minimal 3MF package (content types, relationships, one model with one object) as a slicer writes it."""
    vertices = "".join(f'<vertex x="{x:.6f}" y="{y:.6f}" z="{z:.6f}"/>' for x, y, z in mesh.vertices)
    triangles = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>' for a, b, c in mesh.faces)
    model = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<model unit="{unit}" xml:lang="en-US" xmlns="{THREEMF_NAMESPACE}">'
        f'<resources><object id="1" type="model"><mesh><vertices>{vertices}</vertices>'
        f"<triangles>{triangles}</triangles></mesh></object></resources>"
        '<build><item objectid="1"/></build></model>'
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Target="/3D/3dmodel.model" Id="rel0"'
        ' Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types())
        archive.writestr("_rels/.rels", relationships)
        archive.writestr("3D/3dmodel.model", model)
    return out.getvalue()


def box_3mf(directory: Path, name: str = "box.3mf", unit: str = "millimeter") -> Path:
    """The box as 3MF; `unit` is the model's unit attribute ("millimeter", "inch", …): the coordinates are written
    unchanged, so an "inch" box measures 40 x 30 x 10 inch."""
    return _write(directory, name, threemf_bytes(_box(), unit))


def slicer_3mf(directory: Path, name: str = "slicer.3mf", offset: float = 10.0) -> Path:
    """The box as slicers (Bambu Studio, PrusaSlicer) package it: the root model holds only a component that
    points into another model file (/3D/Objects/object_1.model, the production extension), moved `offset` mm
    along x by the build item."""
    mesh = _box()
    vertices = "".join(f'<vertex x="{x:.6f}" y="{y:.6f}" z="{z:.6f}"/>' for x, y, z in mesh.vertices)
    triangles = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>' for a, b, c in mesh.faces)
    production = "http://schemas.microsoft.com/3dmanufacturing/production/2015/06"
    part = (
        f'<?xml version="1.0" encoding="UTF-8"?><model unit="millimeter" xmlns="{THREEMF_NAMESPACE}">'
        f'<resources><object id="1" type="model"><mesh><vertices>{vertices}</vertices>'
        f"<triangles>{triangles}</triangles></mesh></object></resources><build/></model>"
    )
    root = (
        f'<?xml version="1.0" encoding="UTF-8"?><model unit="millimeter" xmlns="{THREEMF_NAMESPACE}" '
        f'xmlns:p="{production}" requiredextensions="p"><resources><object id="2" type="model"><components>'
        '<component p:path="/3D/Objects/object_1.model" objectid="1"/></components></object></resources>'
        f'<build><item objectid="2" transform="1 0 0 0 1 0 0 0 1 {offset} 0 0"/></build></model>'
    )
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types())
        archive.writestr("3D/3dmodel.model", root)
        archive.writestr("3D/Objects/object_1.model", part)
    return path


def two_solids_ascii_stl(directory: Path, name: str = "two_solids_ascii.stl") -> Path:
    """Two boxes as two named solids in one ASCII STL (some exporters write one solid per body)."""
    second = _box()
    second.apply_translation((BOX_SIZE[0] + TWO_SHELLS_GAP, 0, 0))
    text = _box().export(file_type="stl_ascii") + second.export(file_type="stl_ascii")
    return _write(directory, name, text)


def cylinder_stl(directory: Path, name: str = "cylinder.stl") -> Path:
    """A cylinder of radius 10 and height 20 mm (64 sections), standing on z = 0."""
    mesh = trimesh.creation.cylinder(
        radius=CYLINDER_RADIUS, height=CYLINDER_HEIGHT, sections=CYLINDER_SECTIONS
    )
    mesh.apply_translation((0, 0, CYLINDER_HEIGHT / 2))
    return _write(directory, name, mesh.export(file_type="stl"))


def cylinder_volume() -> float:
    """The volume of the 64-sided prism the cylinder sample really is (not pi r^2 h)."""
    return (
        0.5
        * CYLINDER_SECTIONS
        * CYLINDER_RADIUS**2
        * math.sin(2 * math.pi / CYLINDER_SECTIONS)
        * CYLINDER_HEIGHT
    )


def open_box_stl(directory: Path, name: str = "open_box.stl") -> Path:
    """The box with its top face (two triangles at z = 10) removed: not watertight, four open edges around the top
    plus the top face's diagonal is gone with it."""
    mesh = _box()
    top = np.all(np.isclose(mesh.triangles[:, :, 2], BOX_SIZE[2]), axis=1)
    mesh.update_faces(~top)
    mesh.remove_unreferenced_vertices()
    return _write(directory, name, mesh.export(file_type="stl"))


def two_shells_stl(directory: Path, name: str = "two_shells.stl") -> Path:
    """Two separate boxes in one file (a second body 20 mm beyond the first along x)."""
    first = _box()
    second = _box()
    second.apply_translation((BOX_SIZE[0] + TWO_SHELLS_GAP, 0, 0))
    return _write(directory, name, trimesh.util.concatenate([first, second]).export(file_type="stl"))


def hollow_box_stl(directory: Path, name: str = "hollow_box.stl", wall: float = 2.0) -> Path:
    """The box with a closed cavity inside (walls `wall` mm thick): an outer shell and an inner one wound inside
    out, as CAD tools export a hollow part. Two shells, one body."""
    inner_size = np.array(BOX_SIZE) - 2 * wall
    inner = trimesh.creation.box(extents=inner_size)
    inner.apply_translation(np.array(BOX_SIZE) / 2)
    inner.invert()
    return _write(directory, name, trimesh.util.concatenate([_box(), inner]).export(file_type="stl"))


def thin_plate_stl(directory: Path, name: str = "thin_plate.stl") -> Path:
    """A 40 x 30 mm plate only 0.3 mm thick: watertight, but thinner than any printer's minimum wall."""
    mesh = trimesh.creation.box(extents=THIN_PLATE_SIZE)
    mesh.apply_translation(np.array(THIN_PLATE_SIZE) / 2)
    return _write(directory, name, mesh.export(file_type="stl"))


# --- DXF profiles -------------------------------------------------------------------------------------------------

PLATE_WIDTH = 200.0
PLATE_HEIGHT = 100.0
PLATE_HOLE_DIAMETERS = (20.0, 10.0)  # two circles
PLATE_SLOT = (30.0, 8.0)  # a slot (two lines and two arcs): straight length between the arc centres, width
PLATE_SLOT_AREA = PLATE_SLOT[0] * PLATE_SLOT[1] + math.pi * (PLATE_SLOT[1] / 2) ** 2
PLATE_SLOT_PERIMETER = 2 * PLATE_SLOT[0] + math.pi * PLATE_SLOT[1]
PLATE_CUT_LENGTH = (
    2 * (PLATE_WIDTH + PLATE_HEIGHT) + sum(math.pi * d for d in PLATE_HOLE_DIAMETERS) + PLATE_SLOT_PERIMETER
)
PLATE_PIERCES = 1 + len(PLATE_HOLE_DIAMETERS) + 1  # outer, circles, slot
PLATE_NET_AREA = (
    PLATE_WIDTH * PLATE_HEIGHT - sum(math.pi * d * d / 4 for d in PLATE_HOLE_DIAMETERS) - PLATE_SLOT_AREA
)
PLATE_SLOT_EQUIVALENT_DIAMETER = math.sqrt(4 * PLATE_SLOT_AREA / math.pi)
PLATE_ENTITIES = 1 + len(PLATE_HOLE_DIAMETERS) + 4
OPEN_CONTOUR_GAP = 2.0


def _plate_entities(msp, *, outer_as_lines: bool = False) -> None:
    w, h = PLATE_WIDTH, PLATE_HEIGHT
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    if outer_as_lines:
        for start, end in zip(corners, corners[1:] + corners[:1], strict=True):
            msp.add_line(start, end)
    else:
        msp.add_lwpolyline(corners, close=True)
    msp.add_circle((40, 50), PLATE_HOLE_DIAMETERS[0] / 2)
    msp.add_circle((80, 50), PLATE_HOLE_DIAMETERS[1] / 2)
    # A slot: two straight sides and two half-circle ends, drawn as separate entities the analyser must chain.
    length, width = PLATE_SLOT
    r = width / 2
    x0, x1, y = 120.0, 120.0 + length, 50.0
    msp.add_line((x0, y - r), (x1, y - r))
    msp.add_line((x1, y + r), (x0, y + r))
    msp.add_arc((x1, y), r, -90, 90)
    msp.add_arc((x0, y), r, 90, 270)


def plate_dxf(directory: Path, name: str = "plate.dxf", insunits: int = 4) -> Path:
    """A 200 x 100 plate (closed LWPOLYLINE) with two round holes (20 and 10) and a 30 x 8 slot made of lines and
    arcs. `insunits` is the header's $INSUNITS (4 = mm, 1 = inch, 0 = unitless)."""
    doc = new_dxf(insunits)
    _plate_entities(doc.modelspace())
    path = Path(directory) / name
    doc.saveas(path)
    return path


def open_contour_dxf(directory: Path, name: str = "open_contour.dxf") -> Path:
    """A rectangle of four lines whose last side stops 2 mm short of the first corner: one open contour with its
    two loose ends at (0, 2) and (0, 0)."""
    doc = new_dxf()
    msp = doc.modelspace()
    msp.add_line((0, 0), (100, 0))
    msp.add_line((100, 0), (100, 50))
    msp.add_line((100, 50), (0, 50))
    msp.add_line((0, 50), (0, OPEN_CONTOUR_GAP))
    path = Path(directory) / name
    doc.saveas(path)
    return path


def duplicate_lines_dxf(directory: Path, name: str = "duplicate_lines.dxf") -> Path:
    """The plate with its outline drawn as four lines, one of them (the bottom edge) drawn twice and another (the
    right edge) overlapped by a shorter line: the laser would cut those places twice."""
    doc = new_dxf()
    msp = doc.modelspace()
    _plate_entities(msp, outer_as_lines=True)
    msp.add_line((0, 0), (PLATE_WIDTH, 0))  # exact duplicate of the bottom edge
    msp.add_line((PLATE_WIDTH, 20), (PLATE_WIDTH, 60))  # overlaps the right edge
    path = Path(directory) / name
    doc.saveas(path)
    return path


def bend_plate_dxf(directory: Path, name: str = "bend_plate.dxf") -> Path:
    """The plate with one bend line across it on a layer named BEND (not cut)."""
    doc = new_dxf()
    msp = doc.modelspace()
    _plate_entities(msp)
    doc.layers.add("BEND")
    msp.add_line((100, 0), (100, PLATE_HEIGHT), dxfattribs={"layer": "BEND"})
    path = Path(directory) / name
    doc.saveas(path)
    return path


# --- STEP solids (OpenCascade, imported only when a STEP sample is asked for) -----------------------------------

HOLED_BOX_VOLUME = 40.0 * 30.0 * 10.0 - math.pi * 5.0**2 * 10.0
HOLED_BOX_AREA = 2 * (40 * 30 + 40 * 10 + 30 * 10) - 2 * math.pi * 5.0**2 + 2 * math.pi * 5.0 * 10.0


def holed_box_step(directory: Path, name: str = "holed_box.step", unit: str = "mm") -> Path:
    """A 40 x 30 x 10 mm block with a 10 mm hole through its middle, as STEP written in `unit` ("mm" or "inch"):
    the same part either way, only the file's numbers and stated unit differ."""
    return write_step(holed_box_shape(), Path(directory) / name, unit)


def two_solids_step(directory: Path, name: str = "two_solids.step") -> Path:
    """Two holed blocks side by side (100 mm apart along x) in one file, as two separate solids."""
    from OCP.BRep import BRep_Builder
    from OCP.TopoDS import TopoDS_Compound

    compound = TopoDS_Compound()
    builder = BRep_Builder()
    builder.MakeCompound(compound)
    builder.Add(compound, holed_box_shape())
    builder.Add(compound, holed_box_shape(x=100.0))
    return write_step(compound, Path(directory) / name, "mm")


# --- broken and hostile files -------------------------------------------------------------------------------------


def truncated_stl(directory: Path, name: str = "truncated.stl") -> Path:
    """A binary STL cut in the middle of its triangles (the header still promises all of them)."""
    data = _box().export(file_type="stl")
    return _write(directory, name, data[: len(data) // 2])


def truncated_step(directory: Path, name: str = "truncated.step") -> Path:
    """The holed box's STEP cut off halfway through its DATA section (no END-ISO-10303-21)."""
    full = holed_box_step(directory, name="_full_for_truncation.step")
    data = full.read_bytes()
    full.unlink()
    return _write(directory, name, data[: len(data) // 2])


def truncated_dxf(directory: Path, name: str = "truncated.dxf") -> Path:
    """The plate's DXF cut off in its header, before any entity."""
    full = plate_dxf(directory, name="_full_for_truncation.dxf")
    data = full.read_bytes()
    full.unlink()
    return _write(directory, name, data[:20_000])


def segfaulting_step(directory: Path, name: str = "segfaulting.step") -> Path:
    """The holed block's STEP with one record renumbered onto an existing one ("#405 = ORIENTED_EDGE" becomes
    "#005 = …", as one damaged byte does): OpenCascade 8.0.1 dies of a segmentation fault reading it, which is what
    the sandbox is for. Found by damage fuzzing."""
    full = holed_box_step(directory, name="_full_for_damage.step")
    data = full.read_bytes()
    full.unlink()
    assert b"#405 = ORIENTED_EDGE(" in data, "the writer numbers records differently now: find another crash"
    return _write(directory, name, data.replace(b"#405 = ORIENTED_EDGE(", b"#005 = ORIENTED_EDGE(", 1))


def garbage_stl(directory: Path, name: str = "garbage.stl", size: int = 4096) -> Path:
    """Random bytes with an .stl name."""
    return _write(directory, name, random.Random(15).randbytes(size))


def dxf_named_stl(directory: Path, name: str = "really_a_dxf.stl") -> Path:
    """A valid DXF plate saved under an .stl name: the content decides, and disagrees with the name."""
    path = plate_dxf(directory, name="_plate_for_rename.dxf")
    return path.rename(Path(directory) / name)


def _content_types() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>'
        b"</Types>"
    )


def zip_bomb_3mf(directory: Path, name: str = "bomb.3mf", uncompressed_mb: int = 64) -> Path:
    """A 3MF whose model entry inflates from about 60 KB to `uncompressed_mb` MB (ratio ~1000)."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _content_types())
        header = b'<?xml version="1.0" encoding="UTF-8"?><model unit="millimeter"><!--'
        with archive.open("3D/3dmodel.model", "w", force_zip64=True) as entry:
            entry.write(header)
            chunk = b" " * (1 << 20)
            for _ in range(uncompressed_mb):
                entry.write(chunk)
            entry.write(b"--></model>")
    return path


def many_entries_3mf(directory: Path, name: str = "many_entries.3mf", entries: int = 5_000) -> Path:
    """A 3MF with a valid box model plus `entries` tiny junk entries."""
    path = box_3mf(directory, name=name)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        for index in range(entries):
            archive.writestr(f"Metadata/junk_{index}.txt", b"x")
    return path


def deep_nesting_3mf(directory: Path, name: str = "deep.3mf", depth: int = 64) -> Path:
    """A 3MF with a valid box model plus one entry `depth` folders deep."""
    path = box_3mf(directory, name=name)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("/".join(["d"] * depth) + "/x.txt", b"x")
    return path


def path_traversal_3mf(directory: Path, name: str = "traversal.3mf") -> Path:
    """A 3MF with an entry named "../../evil.txt" (a zip-slip attempt)."""
    path = box_3mf(directory, name=name)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo("../../evil.txt"), b"x")
    return path
