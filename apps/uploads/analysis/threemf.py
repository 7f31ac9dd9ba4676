"""Reading a 3MF package: the guarded zip, then the core model's objects, components and build items.

Our own small reader rather than trimesh's (which needs lxml and networkx): it parses with the standard library's
expat, refuses DTDs outright (a 3MF never has one: that closes entity-expansion tricks), reads only the root model
the package points at, and applies components' and build items' transforms. Extensions (materials, beam lattices,
slices) are ignored; the geometry is all the analyser needs.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np

from apps.uploads.analysis.limits import Limits, check_count, check_zip, read_zip_member
from apps.uploads.analysis.result import AnalysisError

MM_PER_3MF_UNIT = {
    "micron": 0.001,
    "millimeter": 1.0,
    "centimeter": 10.0,
    "inch": 25.4,
    "foot": 304.8,
    "meter": 1000.0,
}
_MAX_COMPONENT_DEPTH = 16
_TRIANGLE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?triangle\b(?!s)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _transform(text: str | None) -> np.ndarray:
    """A 3MF transform ("m00 m01 m02 m10 … m32", row vectors) as a 4 x 3 matrix; identity when absent."""
    if not text:
        return np.vstack([np.eye(3), np.zeros(3)])
    values = [float(v) for v in text.split()]
    if len(values) != 12:
        raise AnalysisError("corrupt", f"The 3MF model has a malformed transform ({text[:60]!r}).")
    return np.array(values).reshape(4, 3)


def _declares_dtd(data: bytes) -> bool:
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _root_model_name(archive) -> str:
    names = {name.lower(): name for name in archive.namelist()}
    if "_rels/.rels" in names:
        rels = read_zip_member(archive, names["_rels/.rels"], Limits())
        if not _declares_dtd(rels):
            for element in ElementTree.fromstring(rels).iter():  # noqa: S314 - no DTD, so no entity expansion
                target = element.get("Target", "")
                if element.get("Type", "").endswith("/3dmodel") and target.lstrip("/").lower() in names:
                    return names[target.lstrip("/").lower()]
    if "3d/3dmodel.model" in names:
        return names["3d/3dmodel.model"]
    raise AnalysisError("corrupt", "The 3MF package has no 3D model in it.")


def read_3mf(path: Path, limits: Limits) -> tuple[np.ndarray, np.ndarray, str]:
    """Vertices (in the file's unit), triangles and the model's unit name ("millimeter" when it states none)."""
    with check_zip(path, limits) as archive:
        data = read_zip_member(archive, _root_model_name(archive), limits)
    if _declares_dtd(data):
        raise AnalysisError(
            "corrupt", "The 3MF model declares a DTD, which 3MF does not allow; it is refused."
        )
    unit = "millimeter"
    meshes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    components: dict[str, list[tuple[str, np.ndarray]]] = {}
    items: list[tuple[str, np.ndarray]] = []
    vertices: list[tuple[float, float, float]] = []
    triangles: list[tuple[int, int, int]] = []
    object_id = ""
    check_count("too_many_triangles", "triangles", len(_TRIANGLE.findall(data)), limits.triangles)
    try:
        # No DTD (refused above), so no entities to expand and nothing external to fetch.
        for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):  # noqa: S314
            tag = _local(element.tag)
            if event == "start":
                if tag == "model":
                    unit = element.get("unit", "millimeter")
                elif tag == "object":
                    object_id, vertices, triangles = element.get("id", ""), [], []
                continue
            if tag == "vertex":
                vertices.append((float(element.get("x")), float(element.get("y")), float(element.get("z"))))
            elif tag == "triangle":
                triangles.append((int(element.get("v1")), int(element.get("v2")), int(element.get("v3"))))
            elif tag == "component":
                components.setdefault(object_id, []).append(
                    (element.get("objectid", ""), _transform(element.get("transform")))
                )
            elif tag == "object" and triangles:
                meshes[object_id] = (
                    np.array(vertices, dtype=np.float64),
                    np.array(triangles, dtype=np.int64),
                )
            elif tag == "item":
                items.append((element.get("objectid", ""), _transform(element.get("transform"))))
            if tag in ("vertex", "triangle", "component", "item", "vertices", "triangles", "mesh"):
                element.clear()  # keeps memory flat on big models
    except (ElementTree.ParseError, TypeError, ValueError) as error:
        raise AnalysisError("corrupt", f"The 3MF model cannot be read ({error}).") from error
    if unit not in MM_PER_3MF_UNIT:
        raise AnalysisError("corrupt", f"The 3MF model states an unknown unit {unit!r}.")
    if not items:  # no build section: every mesh object, untransformed
        items = [(key, _transform(None)) for key in meshes]
    parts_vertices, parts_faces, offset = [], [], 0

    def place(key: str, matrix: np.ndarray, depth: int) -> None:
        nonlocal offset
        if depth > _MAX_COMPONENT_DEPTH:
            raise AnalysisError(
                "corrupt", "The 3MF model's components nest too deep (or refer to themselves)."
            )
        if key in meshes:
            v, f = meshes[key]
            if f.size and (f.min() < 0 or f.max() >= len(v)):
                raise AnalysisError("corrupt", f"The 3MF object {key} refers to vertices it does not have.")
            parts_vertices.append(v @ matrix[:3] + matrix[3])
            parts_faces.append(f + offset)
            offset += len(v)
        for child, child_matrix in components.get(key, ()):
            # The child's transform applies first, then the parent's.
            combined = np.vstack([child_matrix[:3] @ matrix[:3], child_matrix[3] @ matrix[:3] + matrix[3]])
            place(child, combined, depth + 1)

    for key, matrix in items:
        place(key, matrix, 0)
    if not parts_faces:
        raise AnalysisError("empty", "The 3MF package has no triangles to print.")
    return np.vstack(parts_vertices), np.vstack(parts_faces), unit
