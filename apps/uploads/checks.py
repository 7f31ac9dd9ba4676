"""Findings that depend on the network and the chosen options (the analysis's own findings depend on the file
alone): a part larger than every machine that could make it, holes smaller than the sheet thickness, walls
thinner than the process makes reliably, bend lines that nobody will bend. Same shape as the analysis's
findings (apps/uploads/analysis/result.py): what is wrong, where, and what to change.

Where the analysis located the features (`Analysis.extra`, apps/uploads/analysis/__init__.py: "holes" as
[{x, y, diameter_mm, ref}], "thinnest_walls" as [{x, y, z, thickness_mm}], "bounds_mm") the markers point at
them; a finding about the whole part marks the middle of its bounding box.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from apps.uploads.analysis.result import (
    Features,
    Finding,
    Marker,
    MeshFeatures,
    PartKind,
    ProfileFeatures,
    Severity,
)
from apps.uploads.offer import Machine, Offer
from apps.uploads.options import BENDING, COATING, MATERIAL, PROCESS, THICKNESS, material_label, sheet_extras

TOO_LARGE = "part_larger_than_machines"
HOLE_BELOW_THICKNESS = "profile_hole_below_thickness"
WALL_BELOW_MINIMUM = "mesh_wall_below_minimum"
BEND_LINES_NOT_BENT = "profile_bend_lines_not_bent"


def _size3(features: Features, options: Mapping) -> tuple[float, float, float]:
    size = tuple(features.size_mm)
    if len(size) == 2:
        return (size[0], size[1], float(options.get(THICKNESS) or 0))
    return size  # type: ignore[return-value]


def _bounds_low(extra: Mapping) -> tuple[float, float, float]:
    """The low corner of the analysis's "bounds_mm": [[x0, y0, z0], [x1, y1, z1]] (meshes, solids) or
    [x0, y0, x1, y1] (profiles); the origin when it is missing or malformed."""
    bounds = extra.get("bounds_mm")
    try:
        if bounds and isinstance(bounds[0], list | tuple):
            low = [float(v) for v in bounds[0]]
        elif bounds and len(bounds) == 4:
            low = [float(bounds[0]), float(bounds[1])]
        else:
            low = []
    except (TypeError, ValueError):
        low = []
    padded = [*low, 0.0, 0.0, 0.0]
    return (padded[0], padded[1], padded[2])


def _part_marker(features: Features, extra: Mapping) -> Marker:
    low = _bounds_low(extra)
    size = [*features.size_mm, 0.0]
    centre = [low[i] + float(size[i]) / 2 for i in range(3)]
    if isinstance(features, ProfileFeatures):
        centre[2] = 0.0
    radius = math.sqrt(sum(float(side) ** 2 for side in features.size_mm)) / 2
    return Marker(
        x=round(centre[0], 2),
        y=round(centre[1], 2),
        z=round(centre[2], 2),
        radius_mm=round(radius, 2),
        ref="part",
    )


def _markers(extra: Mapping, name: str, default: Marker | None = None) -> tuple[Marker, ...]:
    markers = []
    for item in extra.get(name) or ():
        if not isinstance(item, Mapping):
            continue
        try:
            markers.append(
                Marker(
                    x=float(item["x"]),
                    y=float(item["y"]),
                    z=float(item.get("z", 0.0)),
                    radius_mm=float(item.get("diameter_mm", 0.0)) / 2 or float(item.get("radius_mm", 0.0)),
                    ref=str(item.get("ref", ""))[:40],
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(markers) or ((default,) if default else ())


def _below(sample, minimum: float) -> bool:
    try:
        return float(sample["thickness_mm"]) < minimum
    except (KeyError, TypeError, ValueError):
        return False


def _dims(size: tuple[float, ...]) -> str:
    return " × ".join(f"{side:g}" for side in size)


def _too_large(
    step: str, process_name: str, capable: list[Machine], size: tuple[float, float, float], where: Marker
) -> Finding | None:
    if not capable or any(machine.fits(size) for machine in capable):
        return None
    largest = max(capable, key=lambda m: sorted(m.max_mm, reverse=True))
    return Finding(
        code=TOO_LARGE,
        severity=Severity.ERROR,
        message=(
            f"{step}: the part ({_dims(size)} mm) is larger than any {process_name} machine in the "
            f"network can take; the largest, {largest.name} at {largest.workshop}, takes {_dims(largest.max_mm)} mm."
        ),
        fix=f"Scale the part down or split it into pieces that fit within {_dims(largest.max_mm)} mm.",
        where=(where,),
    )


def part_findings(
    kind: PartKind,
    features: Features,
    options: Mapping[str, object],
    offer: Offer,
    extra: Mapping | None = None,
) -> tuple[Finding, ...]:
    """The network's findings for a part with clean options (errors refuse the quote, warnings inform)."""
    extra = extra or {}
    findings: list[Finding] = []
    material = str(options[MATERIAL])
    process = str(options[PROCESS])
    thickness = float(options.get(THICKNESS) or 0)  # type: ignore[arg-type]
    rate = offer.rate_for(process, material, thickness)
    size = _size3(features, options)
    whole = _part_marker(features, extra)
    if rate is not None:
        capable = offer.machines_for(process, material, thickness_mm=thickness)
        if found := _too_large("Making it", rate.process_name, capable, size, whole):
            findings.append(found)

    if isinstance(features, ProfileFeatures):
        findings += _sheet_findings(features, options, offer, material, thickness, size, whole, extra)
    if isinstance(features, MeshFeatures) and rate is not None and rate.min_wall_mm:
        wall = features.min_wall_mm
        if wall is not None and wall < rate.min_wall_mm:
            findings.append(
                Finding(
                    code=WALL_BELOW_MINIMUM,
                    severity=Severity.WARNING,
                    message=(
                        f"The thinnest wall is {wall:g} mm; {rate.process_name} makes walls of at least "
                        f"{rate.min_wall_mm:g} mm reliably in {material_label(material)}. Thinner walls may break "
                        "or not print at all."
                    ),
                    fix=f"Thicken the marked walls to {rate.min_wall_mm:g} mm or more, or choose another process.",
                    where=_markers(
                        {
                            "walls": [
                                w for w in extra.get("thinnest_walls") or () if _below(w, rate.min_wall_mm)
                            ]
                        },
                        "walls",
                        whole,
                    ),
                )
            )
    return tuple(findings)


def _sheet_findings(
    features: ProfileFeatures,
    options: Mapping,
    offer: Offer,
    material: str,
    thickness: float,
    size: tuple[float, float, float],
    whole: Marker,
    extra: Mapping,
) -> list[Finding]:
    findings: list[Finding] = []
    small = sorted(d for d in features.hole_diameters_mm if d < thickness)
    if small:
        holes = ", ".join(f"{d:g}" for d in small[:5]) + (" …" if len(small) > 5 else "")
        located = [m for m in _markers(extra, "holes") if m.radius_mm and m.radius_mm * 2 < thickness]
        findings.append(
            Finding(
                code=HOLE_BELOW_THICKNESS,
                severity=Severity.ERROR,
                message=(
                    f"{len(small)} hole{'s are' if len(small) > 1 else ' is'} smaller than the sheet is thick "
                    f"({holes} mm in {thickness:g} mm {material_label(material).lower()}): they cannot be cut cleanly."
                ),
                fix=(
                    f"Make the holes at least {thickness:g} mm across, or choose a sheet of at most "
                    f"{small[0]:g} mm; drill them afterwards if they must stay that small."
                ),
                where=tuple(located) or (whole,),
            )
        )
    if features.bend_lines and not options.get(BENDING):
        findings.append(
            Finding(
                code=BEND_LINES_NOT_BENT,
                severity=Severity.WARNING,
                message=(
                    f"The drawing has {features.bend_lines} bend line{'s' if features.bend_lines > 1 else ''}, "
                    "but bending is not chosen: the part will be delivered flat."
                ),
                fix="Choose bending, or remove the BEND layer if the part should stay flat.",
                where=_markers(extra, "bend_lines", whole),
            )
        )
    extras = sheet_extras(offer, material, thickness)
    for chosen, rate, step in ((BENDING, extras.bending, "Bending"), (COATING, extras.coating, "Coating")):
        if options.get(chosen) and rate is not None:
            capable = offer.machines_for(rate.process, material)
            if found := _too_large(step, rate.process_name, capable, size, whole):
                findings.append(found)
    return findings
