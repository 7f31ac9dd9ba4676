"""Findings that depend on the network and the options: what is wrong, where, and what to change."""

import pytest

from apps.uploads.analysis.result import PartKind, Severity
from apps.uploads.checks import (
    BEND_LINES_NOT_BENT,
    HOLE_BELOW_THICKNESS,
    TOO_LARGE,
    WALL_BELOW_MINIMUM,
    part_findings,
)
from tests.uploads.part_network import block_solid, cube_mesh, plate_profile
from tests.uploads.test_operations import ALU, PLA, STEEL

pytestmark = pytest.mark.django_db


def _codes(findings) -> set[str]:
    return {f.code for f in findings}


def test_a_part_larger_than_every_capable_machine_names_the_largest(parts_network):
    (finding,) = part_findings(PartKind.MESH, cube_mesh(400), PLA, parts_network)
    assert (finding.code, finding.severity) == (TOO_LARGE, Severity.ERROR)
    assert "Ultimaker S7 cluster" in finding.message and "takes 330 × 240 × 300 mm" in finding.message
    assert finding.fix and finding.where[0].ref == "part"
    assert not part_findings(PartKind.MESH, cube_mesh(200), PLA, parts_network)


def test_a_machined_block_too_large_for_the_mills(parts_network):
    findings = part_findings(PartKind.SOLID, block_solid(size=(900.0, 700.0, 600.0)), ALU, parts_network)
    assert _codes(findings) == {TOO_LARGE}


def test_holes_smaller_than_the_sheet_thickness(parts_network):
    plate = plate_profile(holes=(3.0, 4.0, 12.0))
    located = {
        "holes": [{"x": 20, "y": 20, "diameter_mm": 3.0, "ref": "1F"}, {"x": 180, "y": 80, "diameter_mm": 12}]
    }
    (finding,) = part_findings(
        PartKind.PROFILE, plate, {**STEEL, "thickness_mm": 5.0}, parts_network, located
    )
    assert (finding.code, finding.severity) == (HOLE_BELOW_THICKNESS, Severity.ERROR)
    assert "2 holes" in finding.message and "3, 4 mm" in finding.message
    assert [(m.x, m.y, m.ref) for m in finding.where] == [(20.0, 20.0, "1F")]
    assert "at most 3 mm" in finding.fix
    assert not part_findings(PartKind.PROFILE, plate, {**STEEL, "thickness_mm": 3.0}, parts_network)


def test_walls_thinner_than_the_process_minimum(parts_network):
    walls = {
        "thinnest_walls": [
            {"x": 1, "y": 2, "z": 3, "thickness_mm": 0.5},
            {"x": 9, "y": 9, "z": 9, "thickness_mm": 0.9},
        ],
        "bounds_mm": [[-20, -20, 0], [20, 20, 40]],
    }
    (finding,) = part_findings(PartKind.MESH, cube_mesh(40, min_wall_mm=0.5), PLA, parts_network, walls)
    assert (finding.code, finding.severity) == (WALL_BELOW_MINIMUM, Severity.WARNING)
    assert "0.8 mm" in finding.message
    assert [(m.x, m.y, m.z) for m in finding.where] == [(1.0, 2.0, 3.0)], "only the walls below PLA's 0.8 mm"
    (whole,) = part_findings(PartKind.MESH, cube_mesh(400), PLA, parts_network, walls)
    assert (whole.where[0].x, whole.where[0].y, whole.where[0].z) == (180.0, 180.0, 200.0)
    sla = {"process": "sla_printing", "material": "standard resin"}
    assert not part_findings(PartKind.MESH, cube_mesh(40, min_wall_mm=0.6), sla, parts_network), (
        "SLA makes 0.5 mm"
    )


def test_bend_lines_without_bending_warn_that_it_stays_flat(parts_network):
    plate = plate_profile(bend_lines=2)
    assert _codes(part_findings(PartKind.PROFILE, plate, STEEL, parts_network)) == {BEND_LINES_NOT_BENT}
    assert not part_findings(PartKind.PROFILE, plate, {**STEEL, "bending": True}, parts_network)


def test_a_sheet_longer_than_every_press_brake(parts_network):
    plate = plate_profile(width=2800.0, depth=1400.0)
    findings = part_findings(PartKind.PROFILE, plate, {**STEEL, "bending": True}, parts_network)
    assert any(f.code == TOO_LARGE and f.message.startswith("Bending") for f in findings)
