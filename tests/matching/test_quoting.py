"""Quotes from the network: price, delivery date, asset owners, and a human reason when it cannot be made."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

from apps.matching.models import MatchingRun, RunMode, RunOutcome
from apps.matching.quoting import (
    SOURCE_INFEASIBLE,
    SOURCE_MATCHED,
    SOURCE_TOO_EARLY,
    quote_configuration,
    quote_design_version,
)
from tests.matching.builders import (
    AMERSFOORT,
    OFFICE_HOURS,
    UTRECHT,
    bracket_template,
    design_version,
    full_workshop,
    workshop,
)

VALUES = {"length": 800, "metal": "steel", "hours": 1}


def _quote(tenant, values=None, **kwargs):
    kwargs.setdefault("record", True)  # these tests read the run behind the quote
    return quote_configuration(template=bracket_template(), values=values or VALUES, tenant=tenant, **kwargs)


def test_quote_prices_production_transport_and_margin(in_tenant_a, carrier):
    """Price = production + transport + the template's 20 % margin; two asset owners; a date after today."""
    workshop("Cutter", processes={"laser_cutting": {}}, coordinates=UTRECHT)
    workshop(
        "Bender", processes={"sheet_bending": {}, "packaging": {"materials": []}}, coordinates=AMERSFOORT
    )
    quote = _quote(in_tenant_a)
    assert quote.source == SOURCE_MATCHED and quote.feasible
    assert quote.asset_owner_count == 2
    assert quote.transport_minor > 0 and quote.production_minor > 0
    assert quote.margin_minor == round((quote.production_minor + quote.transport_minor) * 0.2)
    assert quote.price_minor == quote.production_minor + quote.transport_minor + quote.margin_minor
    today = dt.datetime.now(ZoneInfo(in_tenant_a.time_zone)).date()
    assert quote.delivery_date >= today and quote.arrival is not None
    assert sum(step.cost_minor for step in quote.breakdown) == quote.production_minor + quote.transport_minor
    run = MatchingRun.objects.get(pk=quote.run_id)
    assert (run.mode, run.outcome) == (RunMode.QUOTE, RunOutcome.QUOTED)
    assert {row["step"] for row in run.explanation} == {"Cutting", "Bending", "Packing"}


def test_quote_of_a_saved_design_version(in_tenant_a, customer, carrier):
    full_workshop("Solo")
    quote = quote_design_version(design_version=design_version(customer), tenant=in_tenant_a, quantity=2)
    assert quote.feasible and quote.asset_owner_count == 1
    assert next(s for s in quote.breakdown if s.step_key == "cut").duration_minutes == 120


def test_quote_waits_for_opening_hours(in_tenant_a, carrier):
    """A workshop closed at the weekend delivers no earlier than it opens."""
    full_workshop("Office", hours=OFFICE_HOURS)
    quote = _quote(in_tenant_a)
    run = MatchingRun.objects.get(pk=quote.run_id)
    for row in run.explanation:
        start = dt.datetime.fromisoformat(row["start"]).astimezone(ZoneInfo("Europe/Amsterdam"))
        assert start.weekday() < 5 and dt.time(8) <= start.time() < dt.time(17)


def test_too_large_part_says_what_to_change(in_tenant_a, carrier):
    """A part longer than every laser's bed: the network cannot make it, and the reason names the step, each
    machine with its own limit and the fix."""
    owner, _ = workshop(
        "Small beds",
        processes={
            "laser_cutting": {"max_length_mm": 1000, "max_width_mm": 1000},
            "sheet_bending": {},
            "packaging": {"materials": []},
        },
    )
    quote = _quote(in_tenant_a, {**VALUES, "length": 2000})
    assert quote.source == SOURCE_INFEASIBLE and not quote.feasible
    assert quote.reasons[0].code == "no_capable_resource" and quote.reasons[0].steps == ("Cutting",)
    assert quote.notice == (
        f"Cutting (steel, 2000 × 200 × 3 mm) needs laser cutting, and no machine in the network can take it: "
        f"{owner.name}'s Small beds laser_cutting: too small for 2000 × 200 × 3 mm (takes at most "
        "1000 × 1000 × 500 mm). Choose a smaller size."
    )
    assert quote.reasons[0].change == "size" and quote.reasons[0].step_keys == ("cut",)
    assert [(m.company, m.kind) for m in quote.reasons[0].machines] == [(owner.name, "too_small")]
    assert quote.price_minor > 0, "the panel still shows the catalogue's figure"


def test_unworked_material_says_what_to_change(in_tenant_a, carrier):
    workshop(
        "Steel only",
        processes={
            "laser_cutting": {"materials": ["steel"]},
            "sheet_bending": {},
            "packaging": {"materials": []},
        },
    )
    quote = _quote(in_tenant_a, {**VALUES, "metal": "aluminium"})
    assert quote.source == SOURCE_INFEASIBLE
    assert "Steel only laser_cutting: does not work aluminium (works steel). Choose another material." in (
        quote.notice
    )
    assert quote.reasons[0].change == "material" and quote.reasons[0].machines[0].kind == "wrong_material"


def test_step_longer_than_any_opening(in_tenant_a, carrier):
    """Twenty hours of cutting on machines open nine hours a day cannot be done in one go."""
    full_workshop("Office", hours=OFFICE_HOURS)
    quote = _quote(in_tenant_a, {**VALUES, "hours": 20})
    assert quote.reasons[0].code == "longer_than_any_opening"
    assert quote.notice.startswith("Cutting takes about 20 hours in one go")


def test_no_capacity_falls_back_to_the_catalogue(in_tenant_a, carrier):
    """No packaging anywhere: the catalogue estimate stands in and the source says why."""
    workshop("Half", processes={"laser_cutting": {}, "sheet_bending": {}})
    quote = _quote(in_tenant_a)
    assert quote.source == "catalogue_estimate" and quote.asset_owner_count is None
    assert quote.source_label == (
        "Estimate from the catalogue's cost model: no workshop in the network offers packaging yet"
    )


def test_requested_date_too_early_is_refused_with_the_earliest_date(in_tenant_a, carrier):
    """Nine hours of cutting fill an office day, so bending waits for the next one: today is too early, and
    the refusal names the earliest day the network can deliver."""
    full_workshop("Office", hours=OFFICE_HOURS)
    today = dt.datetime.now(ZoneInfo(in_tenant_a.time_zone)).date()
    quote = _quote(in_tenant_a, {**VALUES, "hours": 9}, requested_date=today)
    assert not quote.feasible and quote.source == SOURCE_TOO_EARLY
    assert quote.earliest_date == quote.options[0].delivery_date > today
    assert quote.reasons[0].code == "impossible_due_date"
    assert "the earliest the network can deliver is" in quote.notice


def test_the_quotes_api_answers_with_the_network_quote(in_tenant_a, client_a, carrier):
    """/api/v1/quotes/ answers with the matching engine's quote of the same configuration."""
    full_workshop("Solo")
    quote = _quote(in_tenant_a)
    assert quote.source == SOURCE_MATCHED and quote.asset_owner_count == 1
    assert quote.source_label == "Matched to the network's workshops"
    response = client_a.post(
        "/api/v1/quotes/",
        json.dumps({"template": "bracket", "values": VALUES}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == SOURCE_MATCHED and body["asset_owner_count"] == 1
    assert body["price_minor"] == quote.price_minor


def test_storefront_infeasible_quote_shows_the_reason_on_the_panel(in_tenant_a, client_a, carrier):
    """The configurator says inline that the design cannot be made, why and what to change, without a price."""
    workshop(
        "Steel only",
        processes={
            "laser_cutting": {"materials": ["steel"]},
            "sheet_bending": {},
            "packaging": {"materials": []},
        },
    )
    bracket_template()
    response = client_a.get("/catalog/bracket/?metal=aluminium")
    assert response.status_code == 200
    content = response.content.decode()
    assert "We cannot make this design as configured" in content
    assert (
        "Steel only laser_cutting: does not work aluminium (works steel). Choose another material." in content
    )
    assert 'class="price"' not in content, "an unmakeable design has no price"


def test_routing_cycle_is_a_reason_not_a_crash(in_tenant_a, customer, carrier, fast_matching):
    """A stored version whose steps wait for each other (a corrupted routing) is refused with the steps named,
    by the quote and by the commit alike."""
    from apps.catalog.models import DesignVersion
    from apps.matching.services import order_commit
    from tests.matching.builders import paid_order

    full_workshop("Solo")
    good = design_version(customer)
    operations = [dict(op) for op in good.operations]
    by_key = {op["step_key"]: op for op in operations}
    by_key["cut"]["predecessors"] = ["bend"]
    broken = DesignVersion.objects.create(
        design=good.design, number=2, values=good.values, operations=operations
    )
    quote = quote_design_version(design_version=broken, tenant=in_tenant_a)
    assert quote.source == SOURCE_INFEASIBLE
    assert quote.reasons[0].code == "routing_cycle" and set(quote.reasons[0].steps) == {"Cutting", "Bending"}
    assert "wait for each other" in quote.notice
    run = order_commit(order_id=paid_order(customer, broken).pk)
    assert run.outcome == RunOutcome.INFEASIBLE and run.reasons[0]["code"] == "routing_cycle"


def test_price_is_cost_plus_margin_rounded_half_up():
    from apps.matching.engine.pricing import price_plan

    price = price_plan(production_minor=1000, transport_minor=250, margin_percent="12.5")
    assert (price.margin_minor, price.total_minor) == (156, 1406)  # 156.25 → 156
    assert price_plan(production_minor=1, transport_minor=0, margin_percent=50).margin_minor == 1  # 0.5 → 1


def test_explanation_says_busy_when_committed_work_blocks_the_cheaper_machine(
    in_tenant_a, customer, carrier, fast_matching
):
    """The cheaper cutter is booked for two days by a paid order: the quote goes to a slightly dearer free one,
    and the explanation calls the cheaper one busy."""
    from apps.matching.services import order_commit
    from tests.matching.builders import paid_order

    _, cheap = full_workshop("Cheap")
    order_commit(order_id=paid_order(customer, design_version(customer, hours=48)).pk)
    _, other = workshop("Free", processes={"laser_cutting": {"setup_cost_minor": 2000}})
    quote = _quote(in_tenant_a)
    run = MatchingRun.objects.get(pk=quote.run_id)
    cutting = next(row for row in run.explanation if row["step"] == "Cutting")
    assert cutting["chosen"] == other["laser_cutting"].name
    verdicts = {c["resource"]: c["verdict"] for c in cutting["candidates"]}
    assert verdicts[cheap["laser_cutting"].name] == "busy"


def test_checkout_refuses_a_design_the_network_cannot_make(in_tenant_a, customer, carrier):
    """The panel may show a catalogue figure for an infeasible design, but checkout never sells it."""
    import pytest

    from apps.orders.ports import QuoteUnavailable
    from apps.orders.quotes import QuoteRequestLine
    from apps.storefront.order_quoting import quote_order

    workshop(
        "Steel only",
        processes={
            "laser_cutting": {"materials": ["steel"]},
            "sheet_bending": {},
            "packaging": {"materials": []},
        },
    )
    version = design_version(customer, metal="aluminium")
    with pytest.raises(QuoteUnavailable, match="aluminium"):
        quote_order(
            lines=[QuoteRequestLine(design_version_id=version.pk, quantity=1)],
            destination=(52.09, 5.12),
            requested_date=None,
        )
