"""Features + options + the network's rates → operations whose durations and material costs follow the rates."""

import pytest

from apps.processes.models import ProcessRate
from apps.uploads.analysis.result import PartKind
from apps.uploads.offer import network_offer
from apps.uploads.operations import part_operations
from tests.uploads.part_network import block_solid, cube_mesh, plate_profile

pytestmark = pytest.mark.django_db

PLA = {
    "process": "fdm_printing",
    "material": "pla",
    "colour": "black",
    "infill_percent": 100,
    "finish": "as_printed",
}
STEEL = {
    "process": "laser_cutting",
    "material": "steel",
    "thickness_mm": 2.0,
    "bending": False,
    "powder_coating": False,
    "coating_colour": "",
}
ALU = {"process": "cnc_milling", "material": "aluminium", "tolerance": "medium", "finish": "as_machined"}


def _one(kind, features, options, offer):
    (operation,) = part_operations(kind, features, options, offer)
    return operation


def test_double_the_volume_prints_longer_and_costs_more_material(parts_network):
    small = _one(PartKind.MESH, cube_mesh(40), PLA, parts_network)
    large = _one(PartKind.MESH, cube_mesh(40 * 2 ** (1 / 3)), PLA, parts_network)
    assert large.duration_minutes > small.duration_minutes
    assert large.material_cost == pytest.approx(2 * small.material_cost, rel=0.01)
    assert (small.process, small.material, small.quantity, small.dimensions_mm) == (
        "fdm_printing",
        "pla",
        1,
        (40.0, 40.0, 40.0),
    )


def test_print_time_follows_the_deposition_rate(parts_network):
    """Staff halve the PLA deposition rate: the volume part of the print time doubles."""
    before = _one(PartKind.MESH, cube_mesh(40), PLA, parts_network)
    ProcessRate.objects.filter(process__code="fdm_printing", material="pla").update(deposition_cm3_per_hour=6)
    after = _one(PartKind.MESH, cube_mesh(40), PLA, network_offer())
    volume_minutes = 64 / 12 * 60  # 64 cm³ at 12 cm³/h
    assert after.duration_minutes - before.duration_minutes == pytest.approx(volume_minutes, abs=0.1)


def test_lower_infill_prints_faster(parts_network):
    solid = _one(PartKind.MESH, cube_mesh(40), PLA, parts_network)
    sparse = _one(PartKind.MESH, cube_mesh(40), {**PLA, "infill_percent": 20}, parts_network)
    assert sparse.duration_minutes < solid.duration_minutes and sparse.material_cost < solid.material_cost


def test_a_thicker_sheet_cuts_slower_and_costs_more(parts_network):
    thin = _one(PartKind.PROFILE, plate_profile(), STEEL, parts_network)
    thick = _one(PartKind.PROFILE, plate_profile(), {**STEEL, "thickness_mm": 5.0}, parts_network)
    assert thick.duration_minutes > thin.duration_minutes
    assert thick.material_cost > thin.material_cost
    assert thick.dimensions_mm == (200.0, 100.0, 5.0)


def test_cut_time_is_cut_length_over_speed_plus_pierces(parts_network):
    plate = plate_profile(holes=(10.0,) * 4)
    operation = _one(PartKind.PROFILE, plate, STEEL, parts_network)
    # steel 2 mm: 5000 mm/min, 1 s per pierce, 2 min setup
    expected = 2 + plate.cut_length_mm / 5000 + plate.pierces * 1.0 / 60
    assert operation.duration_minutes == pytest.approx(expected, abs=0.01)


def test_bending_and_coating_follow_the_cut(parts_network):
    options = {**STEEL, "bending": True, "powder_coating": True, "coating_colour": "RAL 9005 jet black"}
    cut, bend, coat = part_operations(PartKind.PROFILE, plate_profile(bend_lines=3), options, parts_network)
    assert (cut.step_key, bend.step_key, coat.step_key) == ("cut", "bend", "coat")
    assert (bend.process, bend.predecessors) == ("sheet_bending", ("cut",))
    assert (coat.process, coat.predecessors) == ("powder_coating", ("bend",))
    assert bend.duration_minutes == pytest.approx(10 + 3 * 1.5)
    assert coat.material_cost > 0


def test_a_tighter_tolerance_machines_longer(parts_network):
    medium = _one(PartKind.SOLID, block_solid(), ALU, parts_network)
    fine = _one(PartKind.SOLID, block_solid(), {**ALU, "tolerance": "fine"}, parts_network)
    assert fine.duration_minutes > medium.duration_minutes
    removal_minutes = 80 * 60 * 30 * 0.4 / 1000 / 60 * 60  # cm³ at 60 cm³/h
    assert fine.duration_minutes - medium.duration_minutes == pytest.approx(removal_minutes * 0.5, abs=0.1)


def test_more_removal_machines_longer_and_the_stock_sets_the_material(parts_network):
    light = _one(PartKind.SOLID, block_solid(removal_share=0.2), ALU, parts_network)
    heavy = _one(PartKind.SOLID, block_solid(removal_share=0.6), ALU, parts_network)
    assert heavy.duration_minutes > light.duration_minutes
    assert heavy.material_cost == light.material_cost, "the same block of stock is bought"
