"""Bought-in materials in the network's price and in the supplier's cost.

The workshops' cost models price the work (machine and labour time); the steps' materials (the catalog's
material drivers: wood, steel, powder, packing…) are the same whoever does it, so they are added beside the
plan: to the quote, to each step of its breakdown, and to the work item the supplier is paid for.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from apps.catalog.compile import compile_operations
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.core.money import round_to_minor
from apps.demo.catalog import catalog_demo_seed
from apps.matching.models import MatchingRun, RunOutcome
from apps.matching.quoting import SOURCE_MATCHED, quote_configuration
from apps.matching.services import order_commit
from apps.orders.models import Order, WorkItem
from apps.orders.status import WORK_ITEM_ACTIVE
from apps.payouts.profit_share.statements import order_split_compute, work_item_key
from apps.suppliers.costing import processing_cost_minor
from tests.matching.builders import paid_order, workshop

LARGE = {"max_length_mm": 3000, "max_width_mm": 1500, "max_height_mm": 1200}
TABLE = {
    "width": 1800,
    "depth": 900,
    "height": 750,
    "leg_style": "straight",
    "leg_colour": "#1f2328",
    "engraving": "",
}


@pytest.fixture
def dining_table(in_tenant_a):
    return next(t for t in catalog_demo_seed() if t.slug == "dining-table")


@pytest.fixture
def atelier(in_tenant_a, carrier):
    """One workshop able to make the whole table (one candidate per step: the same plan for any wood)."""
    _, resources = workshop(
        "Atelier",
        processes={
            "cnc_milling": {**LARGE, "materials": ["oak", "walnut", "ash"]},
            "laser_cutting": {**LARGE, "materials": ["steel"]},
            "powder_coating": {**LARGE, "materials": ["steel"]},
            "assembly": {**LARGE, "materials": []},
            "quality_inspection": {**LARGE, "materials": []},
            "packaging": {**LARGE, "materials": []},
        },
    )
    return resources


def materials_by_step(template, values, currency) -> dict[str, int]:
    """The catalog's own material cost of each step, in minor units."""
    operations = compile_operations(template_spec_for(template), values)
    return {op.step_key: round_to_minor(op.material_cost, currency) for op in operations}


def margin(cost_minor: int, percent) -> int:
    return int((Decimal(cost_minor) * Decimal(str(percent)) / 100).quantize(Decimal(1), ROUND_HALF_UP))


def test_walnut_costs_the_material_difference_plus_its_margin(in_tenant_a, dining_table, atelier):
    oak_values, walnut_values = {**TABLE, "top_material": "oak"}, {**TABLE, "top_material": "walnut"}
    oak = quote_configuration(template=dining_table, values=oak_values, tenant=in_tenant_a)
    walnut = quote_configuration(template=dining_table, values=walnut_values, tenant=in_tenant_a)
    assert oak.source == walnut.source == SOURCE_MATCHED

    oak_materials = materials_by_step(dining_table, oak_values, in_tenant_a.currency)
    walnut_materials = materials_by_step(dining_table, walnut_values, in_tenant_a.currency)
    assert oak.materials_minor == sum(oak_materials.values()) > 0
    assert walnut.materials_minor == sum(walnut_materials.values())
    difference = walnut.materials_minor - oak.materials_minor
    assert difference == walnut_materials["top"] - oak_materials["top"] > 0, "only the top's wood differs"

    # the same work on the same machines and the same transport: only the materials and their margin differ
    assert (walnut.production_minor, walnut.transport_minor) == (oak.production_minor, oak.transport_minor)
    oak_cost = oak.production_minor + oak.materials_minor + oak.transport_minor
    percent = dining_table.margin_percent
    assert oak.price_minor == oak_cost + margin(oak_cost, percent)
    assert walnut.price_minor - oak.price_minor == difference + (
        margin(oak_cost + difference, percent) - margin(oak_cost, percent)
    )


def test_the_breakdown_shows_each_steps_materials(in_tenant_a, dining_table, atelier):
    values = {**TABLE, "top_material": "walnut"}
    quote = quote_configuration(template=dining_table, values=values, tenant=in_tenant_a, record=True)
    assert quote.source == SOURCE_MATCHED, (quote.source, quote.notice)
    expected = materials_by_step(dining_table, values, in_tenant_a.currency)
    steps = {row.step_key: row for row in quote.breakdown if row.step_key != "transport"}
    assert set(steps) == set(expected)
    for key, row in steps.items():
        assert row.drivers_minor["materials"] == expected[key], key
        assert row.cost_minor == row.drivers_minor["processing"] + row.drivers_minor["materials"]
    assert steps["inspection"].drivers_minor["materials"] == 0
    assert quote.materials_minor == sum(row.drivers_minor["materials"] for row in steps.values())
    total = quote.production_minor + quote.materials_minor + quote.transport_minor
    assert sum(row.cost_minor for row in quote.breakdown) == total
    assert quote.price_minor == total + quote.margin_minor
    run = MatchingRun.objects.get(pk=quote.run_id)
    assert run.statistics["materials_minor"] == quote.materials_minor


def test_the_supplier_is_paid_for_the_materials_it_buys(
    in_tenant_a, dining_table, atelier, customer, fast_matching
):
    values = {**TABLE, "top_material": "walnut"}
    design = design_create(owner=customer, template=dining_table, name="Walnut table", values=values)
    quote = quote_configuration(template=dining_table, values=values, tenant=in_tenant_a)
    order = paid_order(customer, design.current_version, promised=(quote.arrival + timedelta(days=3)).date())
    Order.objects.filter(pk=order.pk).update(total_minor=quote.price_minor)
    order.refresh_from_db()

    run = order_commit(order_id=order.pk)
    assert run.outcome == RunOutcome.APPLIED
    expected = materials_by_step(dining_table, values, in_tenant_a.currency)
    items = {i.step_key: i for i in WorkItem.objects.filter(order=order, status__in=WORK_ITEM_ACTIVE)}
    assert set(items) == set(expected)
    by_id = {r.pk: r for r in atelier.values()}
    for key, item in items.items():
        resource = by_id[item.resource_id]
        minutes = int((item.planned_end - item.planned_start).total_seconds() // 60)  # open round the clock
        work = processing_cost_minor(
            minutes=minutes,
            setup_cost_minor=resource.setup_cost_minor,
            cost_per_minute_minor=resource.cost_per_minute_minor,
            minimum_charge_minor=resource.minimum_charge_minor,
        )
        assert item.cost_minor == work + expected[key], key
    assert run.statistics["materials_minor"] == sum(expected.values())

    split = order_split_compute(order=order).result
    top = split.part(work_item_key(items["top"].pk))
    assert top.cost_minor == items["top"].cost_minor and top.amount_minor >= top.cost_minor
    assert (
        sum(p.amount_minor for p in split.participants) + split.platform_commission_minor == split.paid_minor
    )
