"""A design nobody in the network can make: each machine's own reason, and the checks that need no search."""

from apps.matching.makeable import configuration_unmakeable
from apps.matching.quoting import SOURCE_INFEASIBLE, quote_configuration
from tests.matching.builders import OFFICE_HOURS, bracket_template, full_workshop, workshop

VALUES = {"length": 800, "metal": "steel", "hours": 1}


def _two_lasers_each_unable_for_its_own_reason():
    """A big laser that works only aluminium, and a steel laser too small for the part."""
    big, _ = workshop(
        "Big aluminium",
        processes={
            "laser_cutting": {"materials": ["aluminium"]},
            "sheet_bending": {},
            "packaging": {"materials": []},
        },
    )
    small, _ = workshop(
        "Small steel",
        processes={"laser_cutting": {"materials": ["steel"], "max_length_mm": 500, "max_width_mm": 500}},
    )
    return big, small


def test_each_machine_gives_its_own_reason(in_tenant_a, carrier):
    """Not "no workshop does laser cutting on steel": one laser is the wrong material, the other too small,
    and the sentence, the machines and the fix say exactly that."""
    big, small = _two_lasers_each_unable_for_its_own_reason()
    quote = quote_configuration(
        template=bracket_template(), values={**VALUES, "length": 800}, tenant=in_tenant_a
    )

    assert quote.source == SOURCE_INFEASIBLE
    (reason,) = quote.reasons
    assert (reason.code, reason.steps, reason.step_keys) == ("no_capable_resource", ("Cutting",), ("cut",))
    assert {(m.company, m.kind) for m in reason.machines} == {
        (big.name, "wrong_material"),
        (small.name, "too_small"),
    }
    assert (
        f"{big.name}'s Big aluminium laser_cutting: does not work steel (works aluminium)" in reason.message
    )
    assert f"{small.name}'s Small steel laser_cutting: too small for 800 × 200 × 3 mm" in reason.message
    assert reason.message.endswith("Choose a smaller size or another material.")
    assert "No workshop does" not in reason.message
    assert reason.change == "size"


def test_the_design_check_refuses_what_no_machine_takes_and_passes_what_one_does(in_tenant_a, carrier):
    """configuration_unmakeable (carts and the demo sweep) gives the same reasons without solving; a design a
    machine can take has none."""
    _two_lasers_each_unable_for_its_own_reason()
    template = bracket_template()
    reasons = configuration_unmakeable(
        template=template, values={**VALUES, "length": 800}, tenant=in_tenant_a
    )
    assert [r.code for r in reasons] == ["no_capable_resource"]
    assert {m.kind for m in reasons[0].machines} == {"wrong_material", "too_small"}
    fits = {**VALUES, "length": 400, "metal": "aluminium"}
    assert configuration_unmakeable(template=template, values=fits, tenant=in_tenant_a) == ()


def test_a_step_longer_than_any_opening_names_each_closed_machine(in_tenant_a, carrier):
    """Twenty hours of cutting on lasers open nine hours a day: each laser is named as closed, not "busy"."""
    owner, _ = full_workshop("Office", hours=OFFICE_HOURS)
    quote = quote_configuration(
        template=bracket_template(), values={**VALUES, "hours": 20}, tenant=in_tenant_a
    )
    (reason,) = quote.reasons
    assert reason.code == "longer_than_any_opening" and reason.change == "quantity"
    assert [(m.company, m.machine, m.kind) for m in reason.machines] == [
        (owner.name, "Office laser_cutting", "closed")
    ]
    assert f"{owner.name}'s Office laser_cutting: not open 20 hours in one go" in reason.message
