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
from dataclasses import dataclass, field
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


@dataclass
class ModelPart:
    """One model file of the package: its unit, mesh objects, components (objects made of other objects, possibly
    in another model file of the package: the production extension slicers use) and build items."""

    unit: str = "millimeter"
    meshes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    components: dict[str, list[tuple[str, str, np.ndarray]]] = field(
        default_factory=dict
    )  # (path, id, matrix)
    items: list[tuple[str, np.ndarray]] = field(default_factory=list)


def _path_attribute(element) -> str:
    return next((value for name, value in element.attrib.items() if _local(name) == "path"), "")


def _parse_model(data: bytes) -> ModelPart:
    if _declares_dtd(data):
        raise AnalysisError(
            "corrupt", "The 3MF model declares a DTD, which 3MF does not allow; it is refused."
        )
    part = ModelPart()
    vertices: list[tuple[float, float, float]] = []
    triangles: list[tuple[int, int, int]] = []
    object_id = ""
    try:
        # No DTD (refused above), so no entities to expand and nothing external to fetch.
        for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):  # noqa: S314
            tag = _local(element.tag)
            if event == "start":
                if tag == "model":
                    part.unit = element.get("unit", "millimeter")
                elif tag == "object":
                    object_id, vertices, triangles = element.get("id", ""), [], []
                continue
            if tag == "vertex":
                vertices.append((float(element.get("x")), float(element.get("y")), float(element.get("z"))))
            elif tag == "triangle":
                triangles.append((int(element.get("v1")), int(element.get("v2")), int(element.get("v3"))))
            elif tag == "component":
                part.components.setdefault(object_id, []).append(
                    (
                        _path_attribute(element),
                        element.get("objectid", ""),
                        _transform(element.get("transform")),
                    )
                )
            elif tag == "object" and triangles:
                part.meshes[object_id] = (
                    np.array(vertices, dtype=np.float64),
                    np.array(triangles, dtype=np.int64),
                )
            elif tag == "item":
                part.items.append((element.get("objectid", ""), _transform(element.get("transform"))))
            if tag in ("vertex", "triangle", "component", "item", "vertices", "triangles", "mesh"):
                element.clear()  # keeps memory flat on big models
    except (ElementTree.ParseError, TypeError, ValueError) as error:
        raise AnalysisError("corrupt", f"The 3MF model cannot be read ({error}).") from error
    return part


def read_3mf(path: Path, limits: Limits) -> tuple[np.ndarray, np.ndarray, str]:
    """Vertices (in the root model's unit), triangles and that unit's name ("millimeter" when it states none)."""
    parts: dict[str, ModelPart] = {}
    placed_vertices, placed_faces = [], []
    counts = {"vertices": 0, "triangles": 0}
    with check_zip(path, limits) as archive:
        names = {name.lower(): name for name in archive.namelist()}

        def model(name: str) -> ModelPart:
            if name not in parts:
                data = read_zip_member(archive, name, limits)
                counts["triangles"] += len(_TRIANGLE.findall(data))
                check_count("too_many_triangles", "triangles", counts["triangles"], limits.triangles)
                parts[name] = _parse_model(data)
            return parts[name]

        def place(name: str, key: str, matrix: np.ndarray, depth: int) -> None:
            if depth > _MAX_COMPONENT_DEPTH:
                raise AnalysisError(
                    "corrupt", "The 3MF model's components nest too deep (or refer to themselves)."
                )
            part = model(name)
            if key in part.meshes:
                v, f = part.meshes[key]
                if f.size and (f.min() < 0 or f.max() >= len(v)):
                    raise AnalysisError(
                        "corrupt", f"The 3MF object {key} refers to vertices it does not have."
                    )
                placed_vertices.append(v @ matrix[:3] + matrix[3])
                placed_faces.append(f + counts["vertices"])
                counts["vertices"] += len(v)
                placed = sum(len(faces) for faces in placed_faces)  # instances repeat their triangles
                check_count("too_many_triangles", "triangles", placed, limits.triangles)
            for child_path, child, child_matrix in part.components.get(key, ()):
                child_name = name
                if child_path:
                    child_name = names.get(child_path.lstrip("/").lower(), "")
                    if not child_name:
                        raise AnalysisError(
                            "corrupt", f"The 3MF model refers to {child_path!r}, which is missing."
                        )
                # The child's transform applies first, then the parent's.
                combined = np.vstack(
                    [child_matrix[:3] @ matrix[:3], child_matrix[3] @ matrix[:3] + matrix[3]]
                )
                place(child_name, child, combined, depth + 1)

        root_name = _root_model_name(archive)
        root = model(root_name)
        if root.unit not in MM_PER_3MF_UNIT:
            raise AnalysisError("corrupt", f"The 3MF model states an unknown unit {root.unit!r}.")
        items = root.items or [
            (key, _transform(None)) for key in root.meshes
        ]  # no build: every mesh as it is
        for key, matrix in items:
            place(root_name, key, matrix, 0)
    if not placed_faces:
        raise AnalysisError("empty", "The 3MF package has no triangles to print.")
    return np.vstack(placed_vertices), np.vstack(placed_faces), root.unit
