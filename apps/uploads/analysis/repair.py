"""The automatic mesh repair a customer is offered, and the account of what it changed.

Repairs only what can be repaired without guessing the designer's intent: nearly-equal vertices merged, degenerate
and duplicate triangles dropped, holes closed (each hole's rim fanned to its centre: exact for the flat holes
exporters leave, a patch for curved ones), triangles turned to agree with their neighbours, and an inside-out
part turned right side out. The result is written as a binary STL in mm (so it is re-analysed with units mm), and
re-analysed like any upload; what changed is listed in plain words for the customer to accept.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import trimesh

from apps.uploads.analysis.limits import Limits
from apps.uploads.analysis.mesh import connected_labels, edge_stats, load_mesh, merge_vertices, signed_volume
from apps.uploads.analysis.result import FileFormat, Units

REPAIRED = "repaired.stl"
MERGE_DECIMALS = 4  # vertices within ~0.0001 mm are the same point


@dataclass(frozen=True)
class MeshRepair:
    changes: tuple[str, ...]  # what was done, in plain words, in order
    file: str  # the repaired mesh's file name in the output folder (binary STL, mm)
    watertight_before: bool
    watertight_after: bool
    triangles_before: int
    triangles_after: int
    merged_vertices: int = 0
    removed_triangles: int = 0
    filled_holes: int = 0
    flipped_triangles: int = 0
    inverted: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> MeshRepair:
        return cls(**{**data, "changes": tuple(data["changes"])})


def _fill_holes(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Close every boundary loop with a fan of triangles to the loop's centre, wound against the rim's own
    triangles so the normals agree."""
    directed = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    count = np.int64(len(vertices))
    undirected = np.sort(directed, axis=1)
    keys = undirected[:, 0] * count + undirected[:, 1]
    _, inverse, uses = np.unique(keys, return_inverse=True, return_counts=True)
    rim = directed[uses[inverse] == 1]
    if not len(rim):
        return vertices, faces, 0
    labels = connected_labels(len(vertices), rim[:, 0], rim[:, 1])
    loop_of_edge = labels[rim[:, 0]]
    loops, loop_index = np.unique(loop_of_edge, return_inverse=True)
    centres = np.zeros((len(loops), 3))
    np.add.at(centres, loop_index, vertices[rim[:, 0]])
    centres /= np.bincount(loop_index, minlength=len(loops))[:, None]
    centre_ids = len(vertices) + loop_index
    patch = np.column_stack([rim[:, 1], rim[:, 0], centre_ids])
    return np.vstack([vertices, centres]), np.vstack([faces, patch]), len(loops)


def _unify_winding(faces: np.ndarray) -> tuple[np.ndarray, int]:
    """Flip triangles so every pair of neighbours runs their shared edge in opposite directions (breadth-first
    from the first triangle of each connected patch)."""
    directed = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    face_of = np.repeat(np.arange(len(faces)), 3)
    undirected = np.sort(directed, axis=1)
    order = np.lexsort((undirected[:, 1], undirected[:, 0]))
    ordered = undirected[order]
    same = np.all(ordered[1:] == ordered[:-1], axis=1)
    first, second = order[:-1][same], order[1:][same]  # directed-edge rows sharing an edge
    neighbours: dict[int, list[tuple[int, bool]]] = {}
    for a, b in zip(first.tolist(), second.tolist(), strict=True):
        agree = bool(directed[a, 0] != directed[b, 0])  # opposite directions: consistent as they are
        fa, fb = int(face_of[a]), int(face_of[b])
        neighbours.setdefault(fa, []).append((fb, agree))
        neighbours.setdefault(fb, []).append((fa, agree))
    flip = np.zeros(len(faces), dtype=bool)
    seen = np.zeros(len(faces), dtype=bool)
    for seed in range(len(faces)):
        if seen[seed]:
            continue
        seen[seed] = True
        queue = deque([seed])
        while queue:
            face = queue.popleft()
            for other, agree in neighbours.get(face, ()):
                if not seen[other]:
                    seen[other] = True
                    flip[other] = flip[face] if agree else not flip[face]
                    queue.append(other)
    fixed = faces.copy()
    fixed[flip] = fixed[flip][:, ::-1]
    return fixed, int(flip.sum())


def repair_mesh(
    path: Path, file_format: FileFormat, out_dir: Path, units: Units | None, limits: Limits
) -> MeshRepair:
    loaded = load_mesh(path, file_format, units, limits)
    mesh = loaded.mesh
    before = edge_stats(mesh)
    watertight_before = before.closed and before.consistent
    triangles_before = len(mesh.faces) + loaded.collapsed_triangles  # the loader already left those out
    changes: list[str] = []

    vertices, faces = merge_vertices(
        np.asarray(mesh.vertices), np.asarray(mesh.faces), decimals=MERGE_DECIMALS
    )
    merged = len(mesh.vertices) - len(vertices)
    if merged:
        changes.append(f"Joined {merged:,} pairs of vertices less than 0.0001 mm apart.")
    degenerate = (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2]) | (faces[:, 2] == faces[:, 0])
    corners = np.sort(faces, axis=1)  # the same triangle whichever corner it starts from
    order = np.lexsort((corners[:, 2], corners[:, 1], corners[:, 0]))
    repeated = np.all(corners[order][1:] == corners[order][:-1], axis=1)
    duplicate = np.zeros(len(faces), dtype=bool)
    duplicate[order[1:][repeated]] = True  # every copy after the first
    drop = degenerate | duplicate
    faces = faces[~drop]
    removed = int(drop.sum()) + loaded.collapsed_triangles
    if removed:
        changes.append(
            f"Removed {removed:,} triangles that were collapsed to a line or point, or duplicated another."
        )
    vertices, faces, holes = _fill_holes(vertices, faces)
    if holes:
        changes.append(f"Closed {holes:,} hole{'s' if holes > 1 else ''} in the surface.")
    flipped = 0
    consistent = edge_stats(
        trimesh.Trimesh(vertices=vertices, faces=faces, process=False, validate=False)
    ).consistent
    if not consistent:  # the walk over neighbours is Python: only when some triangle needs turning
        faces, flipped = _unify_winding(faces)
    repaired = trimesh.Trimesh(vertices=vertices, faces=faces, process=False, validate=False)
    if flipped and flipped * 2 > len(faces):  # flipping the other set is the same repair, and smaller
        flipped = len(faces) - flipped
    if flipped:
        changes.append(f"Turned {flipped:,} triangles that faced inward to agree with their neighbours.")
    inverted = signed_volume(repaired) < 0
    if inverted:
        repaired = trimesh.Trimesh(vertices=vertices, faces=faces[:, ::-1], process=False, validate=False)
        if not flipped:
            changes.append("Turned the part right side out (all its triangles faced inward).")
    repaired.remove_unreferenced_vertices()
    after = edge_stats(repaired)
    (Path(out_dir) / REPAIRED).write_bytes(repaired.export(file_type="stl"))
    return MeshRepair(
        changes=tuple(changes),
        file=REPAIRED,
        watertight_before=watertight_before,
        watertight_after=after.closed and after.consistent,
        triangles_before=triangles_before,
        triangles_after=len(repaired.faces),
        merged_vertices=merged,
        removed_triangles=removed,
        filled_holes=holes,
        flipped_triangles=flipped,
        inverted=bool(inverted),
    )
