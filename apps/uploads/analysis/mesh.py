"""Meshes for additive manufacturing (STL, 3MF, OBJ): measure them and say what a printer would trip on.

trimesh reads STL and OBJ and does the bookkeeping (edges, volume, GLB export); our own 3MF reader feeds it.
What trimesh would do through scipy or networkx (neither is installed: networkx alone costs half a second per
import) is done here with numpy: merging vertices, counting shells. The wall thickness is sampled by casting rays
inward with VTK's cell locator (VTK comes with OpenCascade), imported only for closed meshes.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh

from apps.uploads.analysis.limits import Limits, check_count
from apps.uploads.analysis.result import (
    MM_PER_UNIT,
    Analysis,
    AnalysisError,
    FileFormat,
    Finding,
    Marker,
    MeshFeatures,
    PartKind,
    Severity,
    Units,
)
from apps.uploads.analysis.sniff import binary_stl_triangles

# Below this no common process prints reliably; each process's own minimum is checked by the platform.
THIN_WALL_MM = 1.0
WALL_SAMPLES = 200
MAX_MARKERS = 50
PREVIEW = "preview.glb"
PREVIEW_TRIANGLES = 300_000


@dataclass
class LoadedMesh:
    mesh: trimesh.Trimesh  # in mm
    units: Units
    units_from_file: bool
    file_unit: str  # as the file names it ("millimeter", "inch"…), or the unit applied when it names none
    collapsed_triangles: int = 0  # left out: corners that coincide


def merge_vertices(vertices: np.ndarray, faces: np.ndarray, decimals: int | None = None):
    """Vertices that are equal (or equal once rounded to `decimals`) become one; faces re-indexed. One lexsort of
    the coordinates' bits: several times faster than trimesh's merge on a 200k-triangle STL."""
    key = vertices if decimals is None else np.round(vertices, decimals)
    bits = (np.ascontiguousarray(key, dtype=np.float64) + 0.0).view(np.uint64)  # + 0.0: -0.0 equals 0.0
    order = np.lexsort((bits[:, 2], bits[:, 1], bits[:, 0]))
    ordered = bits[order]
    starts = np.concatenate([[True], np.any(ordered[1:] != ordered[:-1], axis=1)])
    index = np.empty(len(vertices), dtype=np.int64)
    index[order] = np.cumsum(starts) - 1
    return vertices[order[starts]], index[faces]


@dataclass(frozen=True)
class EdgeStats:
    edges: np.ndarray  # unique undirected edges (vertex index pairs)
    counts: np.ndarray  # how many triangles use each
    consistent: bool  # no directed edge twice: neighbours agree on which side is out

    @property
    def closed(self) -> bool:
        return bool(len(self.counts)) and bool(np.all(self.counts == 2))


def edge_stats(mesh: trimesh.Trimesh) -> EdgeStats:
    """Edge use counts by sorting integer keys (trimesh's cached edge properties cost several times more)."""
    count = np.int64(len(mesh.vertices))
    directed = mesh.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2).astype(np.int64)
    low, high = directed.min(axis=1), directed.max(axis=1)
    keys, counts = _sorted_unique(low * count + high)
    consistent = bool(np.all(_sorted_unique(directed[:, 0] * count + directed[:, 1])[1] == 1))
    return EdgeStats(
        edges=np.column_stack([keys // count, keys % count]), counts=counts, consistent=consistent
    )


def _sorted_unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique integer keys and their counts by sorting (numpy 2's hashing np.unique is slower on 600k keys)."""
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def signed_volume(mesh: trimesh.Trimesh) -> float:
    """Volume by the divergence theorem (trimesh's mass properties also compute the inertia, 10x the work)."""
    triangles = mesh.triangles
    return float(np.einsum("ij,ij->", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2])) / 6.0)


def connected_labels(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of `count` nodes joined by the pairs (a[i], b[i]): each node's label is the smallest
    node of its component. Hook-and-compress in numpy (no graph library)."""
    parent = np.arange(count)
    while True:
        while True:  # compress every path to its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        root_a, root_b = parent[a], parent[b]
        differ = root_a != root_b
        if not differ.any():
            return parent
        low = np.minimum(root_a[differ], root_b[differ])
        np.minimum.at(parent, root_a[differ], low)
        np.minimum.at(parent, root_b[differ], low)


def face_labels(mesh: trimesh.Trimesh) -> np.ndarray:
    faces = mesh.faces
    labels = connected_labels(
        len(mesh.vertices),
        np.concatenate([faces[:, 0], faces[:, 1]]),
        np.concatenate([faces[:, 1], faces[:, 2]]),
    )
    return labels[faces[:, 0]]


def bodies_and_cavities(
    mesh: trimesh.Trimesh, labels: np.ndarray, *, closed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The shells (labels) that are bodies, and those that are cavities: a closed shell wound inside out within a
    closed mesh encloses empty space (a hollow part), not material. An open mesh's shells all count as bodies."""
    shells, index = np.unique(labels, return_inverse=True)
    if not closed:
        return shells, shells[:0]
    triangles = mesh.triangles
    per_face = np.einsum("ij,ij->i", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2])) / 6.0
    volumes = np.bincount(index, weights=per_face, minlength=len(shells))
    outward = 1.0 if volumes.sum() >= 0 else -1.0  # an inside-out part is still one body
    return shells[volumes * outward > 0], shells[volumes * outward <= 0]


def _stl_arrays(data: bytes, limits: Limits) -> tuple[np.ndarray, np.ndarray]:
    promised = binary_stl_triangles(data[:84], len(data))
    if promised is not None:
        check_count("too_many_triangles", "triangles", promised, limits.triangles)
    else:
        check_count(
            "too_many_triangles", "triangles", len(re.findall(rb"(?i)endfacet", data)), limits.triangles
        )
    loaded = trimesh.exchange.stl.load_stl(io.BytesIO(data))
    # An ASCII STL may hold several named solids: one part, their triangles together.
    parts = list(loaded["geometry"].values()) if "geometry" in loaded else [loaded]
    vertices, faces, offset = [], [], 0
    for part in parts:
        vertices.append(np.asarray(part["vertices"], dtype=np.float64).reshape(-1, 3))
        faces.append(np.asarray(part["faces"], dtype=np.int64).reshape(-1, 3) + offset)
        offset += len(vertices[-1])
    return np.vstack(vertices), np.vstack(faces)


def _obj_arrays(data: bytes, limits: Limits) -> tuple[np.ndarray, np.ndarray]:
    check_count("too_many_triangles", "faces", len(re.findall(rb"(?m)^\s*f\s", data)), limits.triangles)
    loaded = trimesh.load(io.BytesIO(data), file_type="obj", force="mesh", process=False)
    return np.asarray(loaded.vertices, dtype=np.float64), np.asarray(loaded.faces, dtype=np.int64)


def load_mesh(path: Path, file_format: FileFormat, units: Units | None, limits: Limits) -> LoadedMesh:
    """The file as one mesh in mm with exact-duplicate vertices merged (STL repeats every corner per triangle)."""
    from apps.uploads.analysis.threemf import MM_PER_3MF_UNIT, read_3mf

    try:
        if file_format == FileFormat.THREE_MF:
            vertices, faces, file_unit = read_3mf(path, limits)
            scale, from_file = MM_PER_3MF_UNIT[file_unit], True
            applied = Units.INCH if file_unit == "inch" else Units.MM
        else:
            data = path.read_bytes()
            reader = _stl_arrays if file_format == FileFormat.STL else _obj_arrays
            vertices, faces = reader(data, limits)
            applied, from_file = units or Units.MM, False
            scale, file_unit = MM_PER_UNIT[applied], applied.value
    except AnalysisError:
        raise
    except MemoryError:
        raise
    except Exception as error:  # the readers raise anything from struct.error to IndexError on a broken file
        raise AnalysisError(
            "corrupt", f"The {file_format.value.upper()} file cannot be read ({error})."
        ) from error
    vertices = np.asarray(vertices, dtype=np.float64)
    if vertices.ndim != 2 or vertices.shape[1] != 3 or np.asarray(faces).size % 3:
        raise AnalysisError(
            "corrupt", f"The {file_format.value.upper()} file's vertices or faces are malformed."
        )
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    if len(faces) == 0:
        raise AnalysisError("empty", "The file has no triangles.")
    check_count("too_many_triangles", "triangles", len(faces), limits.triangles)
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise AnalysisError("corrupt", "The file's faces refer to vertices it does not have.")
    finite = np.all(np.isfinite(vertices[faces]), axis=(1, 2))
    if not finite.all():
        raise AnalysisError(
            "corrupt", f"{int((~finite).sum()):,} triangles have coordinates that are not numbers."
        )
    vertices, faces = merge_vertices(vertices * scale, faces)
    # Slivers whose corners coincide (exporters leave a few) have no area and no edges of their own: dropped,
    # or they would count as open and non-manifold edges.
    collapsed = (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2]) | (faces[:, 2] == faces[:, 0])
    if collapsed.all():
        raise AnalysisError("empty", "Every triangle in the file is collapsed to a line or a point.")
    mesh = trimesh.Trimesh(vertices=vertices, faces=faces[~collapsed], process=False, validate=False)
    return LoadedMesh(
        mesh=mesh,
        units=applied,
        units_from_file=from_file,
        file_unit=file_unit,
        collapsed_triangles=int(collapsed.sum()),
    )


def _sample(points: np.ndarray, limit: int = MAX_MARKERS) -> np.ndarray:
    if len(points) <= limit:
        return points
    return points[np.linspace(0, len(points) - 1, limit).astype(int)]


def _markers(points: np.ndarray, radius: float = 0.0, ref: str = "") -> tuple[Marker, ...]:
    return tuple(
        Marker(
            x=round(float(x), 4),
            y=round(float(y), 4),
            z=round(float(z), 4),
            radius_mm=round(radius, 4),
            ref=ref,
        )
        for x, y, z in _sample(points)
    )


def vtk_surface(mesh: trimesh.Trimesh):
    """The mesh as VTK polydata (copies of the arrays; VTK comes with OpenCascade's wheel)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.ascontiguousarray(mesh.vertices, dtype=np.float64), deep=True))
    cells = vtkCellArray()
    offsets = np.arange(0, 3 * len(mesh.faces) + 1, 3, dtype=np.int64)
    cells.SetData(
        numpy_to_vtkIdTypeArray(offsets, deep=True),
        numpy_to_vtkIdTypeArray(np.ascontiguousarray(mesh.faces, dtype=np.int64).ravel(), deep=True),
    )
    surface = vtkPolyData()
    surface.SetPoints(points)
    surface.SetPolys(cells)
    return surface


def preview_mesh(mesh: trimesh.Trimesh, max_triangles: int = PREVIEW_TRIANGLES) -> trimesh.Trimesh:
    """The mesh to draw: itself, or above `max_triangles` a lighter copy (VTK's quadric clustering on a grid sized
    for about that many triangles), so a browser never receives tens of megabytes. Measurements use the full mesh."""
    if len(mesh.faces) <= max_triangles:
        return mesh
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkFiltersCore import vtkQuadricClustering

    # A surface on a grid of cell h has about area / h² occupied cells, and about twice as many triangles.
    cell = math.sqrt(float(mesh.area) / (max_triangles / 2))
    divisions = [max(2, min(4096, math.ceil(extent / cell))) for extent in mesh.extents]
    clustering = vtkQuadricClustering()
    clustering.SetInputData(vtk_surface(mesh))
    clustering.AutoAdjustNumberOfDivisionsOff()
    clustering.SetNumberOfDivisions(*divisions)
    clustering.Update()
    output = clustering.GetOutput()
    vertices = vtk_to_numpy(output.GetPoints().GetData()).astype(np.float64)
    faces = vtk_to_numpy(output.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    return trimesh.Trimesh(vertices=vertices, faces=faces, process=False, validate=False)


def wall_thickness(mesh: trimesh.Trimesh, samples: int = WALL_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Sample points on a closed, outward-facing mesh and the wall thickness behind each: the distance a ray cast
    from the point straight inward travels before leaving the solid. An estimate (thin spots between samples are
    missed), but a fast one: a few hundred rays through VTK's static cell locator."""
    from vtkmodules.vtkCommonCore import mutable
    from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

    locator = vtkStaticCellLocator()
    locator.SetDataSet(vtk_surface(mesh))
    locator.BuildLocator()

    areas = mesh.area_faces
    usable = np.flatnonzero(areas > 0)
    if len(usable) <= samples:
        chosen = usable
    else:
        chosen = np.random.default_rng(15).choice(
            usable, samples, replace=False, p=areas[usable] / areas[usable].sum()
        )
    diagonal = float(np.linalg.norm(mesh.extents))
    start_offset = diagonal * 1e-7
    origins, thickness = [], []
    hit_t, hit_point, hit_pcoords, hit_sub = mutable(0.0), [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], mutable(0)
    for centre, normal in zip(mesh.triangles_center[chosen], mesh.face_normals[chosen], strict=True):
        start = centre - normal * start_offset
        end = centre - normal * (diagonal * 1.01)
        if locator.IntersectWithLine(
            start.tolist(), end.tolist(), 1e-9, hit_t, hit_point, hit_pcoords, hit_sub
        ):
            origins.append(centre)
            thickness.append(float(np.linalg.norm(np.array(hit_point) - centre)))
    return np.array(origins).reshape(-1, 3), np.array(thickness)


def _findings(
    mesh: trimesh.Trimesh, stats: EdgeStats, volume: float, labels: np.ndarray, wall
) -> list[Finding]:
    findings = []
    edges, counts = stats.edges, stats.counts
    open_edges = edges[counts == 1]
    shared = edges[counts > 2]
    if len(open_edges):
        midpoints = mesh.vertices[open_edges].mean(axis=1)
        findings.append(
            Finding(
                code="mesh_not_watertight",
                severity=Severity.ERROR,
                message=f"The surface has {len(open_edges):,} open edges (holes), so it does not enclose a volume: "
                "a printer cannot tell inside from outside.",
                fix="Close the holes in your CAD tool and export again, or use the automatic repair.",
                where=_markers(midpoints, ref="open edge"),
                repairable=len(shared) == 0,
            )
        )
    if len(shared):
        findings.append(
            Finding(
                code="mesh_non_manifold",
                severity=Severity.ERROR,
                message=f"{len(shared):,} edges are shared by more than two triangles (surfaces that touch or pass "
                "through each other), so the part's inside is ambiguous.",
                fix="Merge the touching bodies into one solid (a union) in your CAD tool and export again.",
                where=_markers(mesh.vertices[shared].mean(axis=1), ref="non-manifold edge"),
            )
        )
    if stats.closed and not stats.consistent:
        findings.append(
            Finding(
                code="mesh_inconsistent_normals",
                severity=Severity.WARNING,
                message="Some triangles face inward while their neighbours face outward.",
                fix="Use the automatic repair, or recalculate the normals in your CAD tool.",
                repairable=True,
            )
        )
    elif stats.closed and volume < 0:
        findings.append(
            Finding(
                code="mesh_inside_out",
                severity=Severity.WARNING,
                message="Every triangle faces inward: the part is inside out.",
                fix="Use the automatic repair, or flip the normals in your CAD tool.",
                repairable=True,
            )
        )
    bodies, _ = bodies_and_cavities(mesh, labels, closed=stats.closed)
    if len(bodies) > 1:
        sizes = np.array([np.count_nonzero(labels == label) for label in bodies[: MAX_MARKERS + 1]])
        others = [label for label in bodies[: MAX_MARKERS + 1] if label != bodies[np.argmax(sizes)]]
        centres = np.array([mesh.triangles_center[labels == label].mean(axis=0) for label in others])
        findings.append(
            Finding(
                code="mesh_multiple_shells",
                severity=Severity.WARNING,
                message=f"The file holds {len(bodies):,} separate bodies; they are printed (and priced) together as "
                "one part.",
                fix="If they belong together, join them in your CAD tool; if they are separate parts, upload them "
                "as separate files.",
                where=_markers(centres, ref="shell"),
            )
        )
    origins, thickness = wall
    thin = thickness < THIN_WALL_MM
    if thin.any():
        findings.append(
            Finding(
                code="mesh_thin_wall",
                severity=Severity.WARNING,
                message=f"Walls are as thin as {thickness.min():.2f} mm in places; below {THIN_WALL_MM:g} mm most "
                "processes print them weak, or not at all.",
                fix=f"Thicken the walls to at least {THIN_WALL_MM:g} mm (more for FDM).",
                where=tuple(
                    Marker(
                        x=round(float(x), 4),
                        y=round(float(y), 4),
                        z=round(float(z), 4),
                        radius_mm=round(float(t), 4),
                        ref="thin wall",
                    )
                    for (x, y, z), t in zip(_sample(origins[thin]), _sample(thickness[thin]), strict=True)
                ),
            )
        )
    return findings


def analyse_mesh(
    path: Path, file_format: FileFormat, out_dir: Path, units: Units | None, limits: Limits
) -> Analysis:
    loaded = load_mesh(path, file_format, units, limits)
    mesh = loaded.mesh
    stats = edge_stats(mesh)
    watertight = stats.closed and stats.consistent
    labels = face_labels(mesh)
    shells = len(np.unique(labels))
    volume = signed_volume(mesh)
    wall = (np.zeros((0, 3)), np.zeros(0))
    if watertight:
        oriented = mesh if volume > 0 else trimesh.Trimesh(mesh.vertices, mesh.faces[:, ::-1], process=False)
        wall = wall_thickness(oriented)
    (out_dir / PREVIEW).write_bytes(preview_mesh(mesh).export(file_type="glb"))
    features = MeshFeatures(
        size_mm=tuple(round(float(v), 6) for v in mesh.extents),
        volume_mm3=round(abs(volume), 6),
        area_mm2=round(float(mesh.area), 6),
        triangles=len(mesh.faces),
        shells=shells,
        watertight=watertight,
        min_wall_mm=round(float(wall[1].min()), 4) if len(wall[1]) else None,
    )
    return Analysis(
        format=file_format,
        kind=PartKind.MESH,
        units=loaded.units,
        units_from_file=loaded.units_from_file,
        features=features,
        findings=tuple(_findings(mesh, stats, volume, labels, wall)),
        preview=PREVIEW,
        extra={
            "file_unit": loaded.file_unit,
            "collapsed_triangles": loaded.collapsed_triangles,
            "open_edges": int((stats.counts == 1).sum()),
            "non_manifold_edges": int((stats.counts > 2).sum()),
            "cavities": len(bodies_and_cavities(mesh, labels, closed=stats.closed)[1]),
            "wall_samples": len(wall[1]),
            # The thinnest sampled walls (thinnest first): where a process's own minimum wall check can point.
            "thinnest_walls": [
                {
                    "x": round(float(x), 4),
                    "y": round(float(y), 4),
                    "z": round(float(z), 4),
                    "thickness_mm": round(float(t), 4),
                }
                for (x, y, z), t in sorted(
                    zip(wall[0].tolist(), wall[1].tolist(), strict=True), key=lambda s: s[1]
                )[:MAX_MARKERS]
            ],
            "bounds_mm": [[round(float(v), 6) for v in corner] for corner in mesh.bounds],
        },
    )
