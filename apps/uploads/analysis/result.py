"""What the analysis of one CAD file says: the contract between the sandboxed analyser and the rest of the platform.

Pure dataclasses, no Django: the analyser runs in a child process with CPU and memory limits and hands its result
back as JSON (`Analysis.to_json` / `Analysis.from_json`). Every length is in millimetres, after the file's units
(or the units the customer chose when the file does not say) were applied, so nothing downstream converts again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class FileFormat(StrEnum):
    STL = "stl"
    THREE_MF = "3mf"
    OBJ = "obj"
    DXF = "dxf"
    STEP = "step"


class PartKind(StrEnum):
    """How the part is made, decided by the file's format: what options and which rates apply."""

    MESH = "mesh"  # additive manufacturing (FDM, SLA, SLS, MJF…)
    PROFILE = "profile"  # 2D sheet cutting, then optional bending and coating
    SOLID = "solid"  # machining from stock


KIND_OF_FORMAT = {
    FileFormat.STL: PartKind.MESH,
    FileFormat.THREE_MF: PartKind.MESH,
    FileFormat.OBJ: PartKind.MESH,
    FileFormat.DXF: PartKind.PROFILE,
    FileFormat.STEP: PartKind.SOLID,
}


class Units(StrEnum):
    MM = "mm"
    INCH = "inch"


MM_PER_UNIT = {Units.MM: 1.0, Units.INCH: 25.4}


class Severity(StrEnum):
    ERROR = "error"  # cannot be made as it is: the quote is refused until it is fixed
    WARNING = "warning"  # can be made, but the customer should know (it may not come out as they expect)
    INFO = "info"


@dataclass(frozen=True)
class Marker:
    """A place to highlight in the viewer: a point in the part's own coordinates (mm; z is 0 for a DXF), with an
    optional radius of the region, and the DXF entity handle or mesh face index it came from, when there is one."""

    x: float
    y: float
    z: float = 0.0
    radius_mm: float = 0.0
    ref: str = ""


@dataclass(frozen=True)
class Finding:
    """One manufacturability finding in plain words: what is wrong, where, and what to change.

    `code` is stable (tests, the API and translations key on it), e.g. "mesh_not_watertight", "profile_open_contour".
    `repairable` says the platform can fix it automatically (the customer is offered the repair and shown what
    changed)."""

    code: str
    severity: Severity
    message: str
    fix: str
    where: tuple[Marker, ...] = ()
    repairable: bool = False


@dataclass(frozen=True)
class MeshFeatures:
    size_mm: tuple[float, float, float]  # axis-aligned bounding box, x/y/z as in the file
    volume_mm3: float
    area_mm2: float
    triangles: int
    shells: int
    watertight: bool
    min_wall_mm: float | None = None  # None when it could not be measured (e.g. not watertight)


@dataclass(frozen=True)
class ProfileFeatures:
    size_mm: tuple[float, float]  # bounding box of the cut geometry, x/y
    cut_length_mm: float  # every contour that is cut, outer and inner
    pierces: int  # one per closed contour (each needs a pierce)
    closed_contours: int
    open_contours: int
    hole_diameters_mm: tuple[float, ...]  # inner contours, as the diameter of a circle of the same area
    net_area_mm2: float  # outer contours minus holes: the sheet that is sold
    entities: int
    bend_lines: int = 0  # lines on a layer named like "BEND"


@dataclass(frozen=True)
class SolidFeatures:
    size_mm: tuple[float, float, float]
    volume_mm3: float
    area_mm2: float
    stock_volume_mm3: float  # the bounding-box block it is machined from
    removal_volume_mm3: float  # stock minus part
    faces: int
    solids: int


Features = MeshFeatures | ProfileFeatures | SolidFeatures
_FEATURES_OF_KIND = {
    PartKind.MESH: MeshFeatures,
    PartKind.PROFILE: ProfileFeatures,
    PartKind.SOLID: SolidFeatures,
}


@dataclass(frozen=True)
class Analysis:
    """The result of analysing one file.

    `units` are those applied; `units_from_file` says whether the file stated them (else the customer is asked and
    may change them, which re-runs the analysis). `preview` is the name of the preview file the analyser wrote next
    to its input ("preview.glb" for meshes and solids, "preview.svg" for profiles), empty when none was made.
    """

    format: FileFormat
    kind: PartKind
    units: Units
    units_from_file: bool
    features: Features
    findings: tuple[Finding, ...] = ()
    preview: str = ""
    seconds: float = 0.0  # wall time the analysis took (benchmarks and the job's log)
    peak_memory_mb: float = 0.0  # peak resident memory of the analysing process
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.ERROR)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analysis:
        kind = PartKind(data["kind"])
        features_cls = _FEATURES_OF_KIND[kind]
        features = dict(data["features"])
        for name in ("size_mm", "hole_diameters_mm"):
            if name in features:
                features[name] = tuple(features[name])
        findings = tuple(
            Finding(
                code=f["code"],
                severity=Severity(f["severity"]),
                message=f["message"],
                fix=f["fix"],
                where=tuple(Marker(**m) for m in f.get("where", ())),
                repairable=f.get("repairable", False),
            )
            for f in data.get("findings", ())
        )
        return cls(
            format=FileFormat(data["format"]),
            kind=kind,
            units=Units(data["units"]),
            units_from_file=data["units_from_file"],
            features=features_cls(**features),
            findings=findings,
            preview=data.get("preview", ""),
            seconds=data.get("seconds", 0.0),
            peak_memory_mb=data.get("peak_memory_mb", 0.0),
            extra=data.get("extra", {}),
        )


class AnalysisError(Exception):
    """The file cannot be analysed at all (corrupt, unsupported, over a limit). `code` is stable, `message` says in
    plain words what is wrong with the file and what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
