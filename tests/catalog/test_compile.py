"""Compiling designs into operations: the matching engine's input."""

import datetime as dt

import pytest

from apps.catalog.compile import compile_operations, critical_path_minutes
from apps.catalog.estimate import add_working_days, catalogue_estimate
from apps.catalog.validation import configuration_validate

pytestmark = pytest.mark.django_db


def operations_of(spec, **changes):
    return {op.step_key: op for op in configuration_validate(spec, {**spec.defaults(), **changes}).operations}


def test_table_compiles_into_a_dag_legs_and_top_in_parallel(demo_specs):
    ops = operations_of(demo_specs["dining-table"], width=2000, depth=1000, height=760, top_material="walnut")
    assert list(ops) == ["top", "legs", "coating", "assembly", "inspection", "packing"]
    top, legs = ops["top"], ops["legs"]
    assert (top.process, top.material, top.dimensions_mm, top.quantity) == (
        "cnc_milling",
        "walnut",
        (2000, 1000, 40),
        1,
    )
    assert (legs.process, legs.material, legs.quantity, legs.dimensions_mm) == (
        "laser_cutting",
        "steel",
        4,
        (720, 80, 10),
    )
    assert top.predecessors == () and legs.predecessors == ()
    assert ops["coating"].predecessors == ("legs",)
    assert ops["assembly"].predecessors == ("top", "coating"), "the skipped engraving is bypassed"
    assert ops["packing"].predecessors == ("inspection",)
    # Cost drivers are evaluated in the parameters: 2 m² of walnut at €340/m² plus 10 % offcut.
    assert top.cost_drivers["wood"] == pytest.approx(2.0 * 1.1 * 340)
    assert top.duration_minutes == pytest.approx(25 + 2.0 * 18 + 6.0 * 4)


def test_material_cost_sums_the_steps_material_drivers(demo_specs):
    """Bought-in materials (wood, oil) apart from conversion (machine time), in the cost drivers' units."""
    ops = operations_of(demo_specs["dining-table"], width=2000, depth=1000, top_material="walnut")
    top = ops["top"]
    assert set(top.cost_drivers) == {"wood", "machine", "oil_finish"}
    assert top.material_cost == pytest.approx(top.cost_drivers["wood"] + top.cost_drivers["oil_finish"])
    assert ops["inspection"].material_cost == 0, "inspection buys nothing"
    assert top.as_dict()["material_cost"] == top.material_cost, "saved with design versions"


def test_every_demo_step_names_its_materials(demo_specs):
    """Each demo step that buys something in marks it; what is left is conversion (machine, labour, setup…)."""
    conversion = {"machine", "labour", "setup", "inspection", "oven_batch", "wash_and_cure"}
    for slug, spec in demo_specs.items():
        for step in spec.steps:
            drivers = {name for name, _ in step.cost_drivers}
            assert set(step.material_drivers) == drivers - conversion, (slug, step.key)


def test_optional_engraving_adds_a_step_between_top_and_assembly(demo_specs):
    ops = operations_of(demo_specs["dining-table"], engraving="For Ada, 2026")
    assert ops["engraving"].predecessors == ("top",)
    assert ops["engraving"].duration_minutes == pytest.approx(10 + 13 * 0.5)
    assert ops["assembly"].predecessors == ("engraving", "coating")


def test_alternative_processes_follow_the_choice(demo_specs):
    shelf = demo_specs["bookshelf"]
    assert next(iter(operations_of(shelf, cutting="laser").values())).process == "laser_cutting"
    assert operations_of(shelf, cutting="cnc")["painting"].predecessors == ("panels_cnc",)
    assert operations_of(shelf, cutting="laser")["painting"].predecessors == ("panels_laser",)
    assert operations_of(shelf, shelves=6)["panels_cnc"].quantity == 11
    stand = demo_specs["phone-stand"]
    sla = operations_of(stand, printing="sla", material="tough_resin")
    assert list(sla) == ["print_sla", "painting", "packing"]
    assert sla["print_sla"].material == "tough_resin"


def test_compile_is_pure(demo_specs, django_assert_num_queries):
    spec = demo_specs["dining-table"]
    values = configuration_validate(spec, spec.defaults()).values
    with django_assert_num_queries(0):
        first = compile_operations(spec, values)
        second = compile_operations(spec, values)
    assert first == second
    assert first[0].as_dict()["dimensions_mm"] == [1800, 900, 40]


def test_critical_path_takes_the_longest_branch(demo_specs):
    ops = configuration_validate(demo_specs["dining-table"], demo_specs["dining-table"].defaults()).operations
    by_key = {op.step_key: op.duration_minutes for op in ops}
    legs_branch = by_key["legs"] + by_key["coating"]
    expected = max(by_key["top"], legs_branch) + by_key["assembly"] + by_key["inspection"] + by_key["packing"]
    assert critical_path_minutes(ops) == pytest.approx(expected)


def test_catalogue_estimate_rolls_up_costs_and_margin(demo_specs):
    spec = demo_specs["dining-table"]
    friday = dt.date(2026, 11, 27)
    estimate = catalogue_estimate(spec, spec.defaults(), today=friday)
    drivers = [amount for step in estimate.breakdown for amount in step.drivers_minor.values()]
    assert estimate.subtotal_minor == sum(drivers) == sum(step.cost_minor for step in estimate.breakdown)
    assert estimate.margin_minor == round(estimate.subtotal_minor * 0.30)
    assert estimate.price_minor == estimate.subtotal_minor + estimate.margin_minor
    assert estimate.currency == "EUR"
    assert 80_000 < estimate.price_minor < 150_000, "a made-to-measure oak table costs about €1,000"
    # About 3.5 h on the critical path → 1 working day, plus 5 days of transport buffer.
    assert estimate.lead_time_days == 6
    assert estimate.delivery_date == dt.date(2026, 12, 7)
    assert estimate.steps_count == 6


def test_bigger_and_dearer_configurations_cost_more(demo_specs):
    spec = demo_specs["dining-table"]
    base = catalogue_estimate(spec, spec.defaults()).price_minor
    walnut = catalogue_estimate(spec, {**spec.defaults(), "top_material": "walnut"}).price_minor
    bigger = catalogue_estimate(spec, {**spec.defaults(), "width": 2200}).price_minor
    assert walnut > base and bigger > base


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_working_days(friday, 5) == dt.date(2026, 12, 4)
    assert add_working_days(friday, 0) == friday
