"""Whole-template checks run before a template is saved (admin, imports)."""

import copy

import pytest

from apps.catalog.models import ProductTemplate
from apps.catalog.services import TemplateInvalid, product_template_import
from apps.catalog.template_checks import PARAMETERS, STEPS, TEMPLATE, Issue
from apps.demo.catalog_templates import DINING_TABLE

pytestmark = pytest.mark.django_db


def table(**changes):
    definition = copy.deepcopy(DINING_TABLE)
    definition["slug"] = "table-under-test"
    definition.update(changes)
    return definition


def step_with(definition, key, **fields):
    for step in definition["steps"]:
        if step["key"] == key:
            step.update(fields)
    return definition


def issues_of(definition):
    with pytest.raises(TemplateInvalid) as error:
        product_template_import(definition=definition)
    assert not ProductTemplate.objects.filter(slug="table-under-test").exists(), "nothing is saved"
    return [(i.section, i.index, i.field, i.message) for i in error.value.issues]


def test_the_demo_definition_is_valid(in_tenant_a):
    assert product_template_import(definition=table()).steps.count() == 7


def test_unknown_names_are_reported_on_the_field(in_tenant_a):
    issues = issues_of(step_with(table(), "top", duration="25 + area * 18"))
    assert issues == [("steps", 0, "duration_minutes", "Unknown name area.")]


def test_syntax_errors_and_injection_are_reported(in_tenant_a):
    definition = table(
        derived=[
            ("area_m2", "__import__('os').getcwd()"),
            ("perimeter_m", "2 *"),
            ("leg_length", "height - 40"),
        ]
    )
    issues = issues_of(definition)
    assert issues[0][:3] == ("derived", 0, "formula") and "not allowed" in issues[0][3]
    assert issues[1][:3] == ("derived", 1, "formula") and "Syntax error" in issues[1][3]


def test_division_by_zero_at_the_defaults(in_tenant_a):
    issues = issues_of(step_with(table(), "legs", duration="12 / (height - 750)"))
    assert issues == [("steps", 2, "duration_minutes", "At the defaults: Steel legs: Division by zero.")]


def test_negative_duration_at_the_defaults(in_tenant_a):
    issues = issues_of(step_with(table(), "assembly", duration="45 - width"))
    assert issues[0][:3] == ("steps", 4, "duration_minutes")
    assert "more than 0 minutes" in issues[0][3]


def test_huge_exponent_in_a_cost_driver(in_tenant_a):
    issues = issues_of(step_with(table(), "inspection", cost_drivers={"inspection": "9**9**9"}))
    assert issues[0][:3] == ("steps", 5, "cost_drivers")
    assert "Exponents are limited" in issues[0][3]


def test_material_drivers_must_be_the_steps_own_cost_drivers(in_tenant_a):
    issues = issues_of(step_with(table(), "top", material_drivers=["wood", "walnut_veneer"]))
    assert issues == [
        (
            "steps",
            0,
            "material_drivers",
            "'walnut_veneer': not among this step's cost drivers (wood, machine, oil_finish).",
        )
    ]


def test_cycles_and_unknown_predecessors(in_tenant_a):
    definition = step_with(table(), "top", predecessors=["packing"])
    issues = issues_of(definition)
    assert any(i[2] == "predecessors" and "cycle" in i[3] for i in issues)
    issues = issues_of(step_with(table(), "top", predecessors=["nowhere"]))
    assert ("steps", 0, "predecessors", "There is no step 'nowhere'.") in issues


def test_name_clashes_and_reserved_names(in_tenant_a):
    definition = table(derived=[("width", "1"), ("perimeter_m", "1"), ("leg_length", "1"), ("area_m2", "1")])
    assert ("derived", 0, "key", "'width' is already used by parameter width.") in issues_of(definition)
    definition = table()
    definition["parameters"][0]["key"] = "quantity"
    assert any(i[2] == "key" and "reserved" in i[3] for i in issues_of(definition))


def test_defaults_must_be_valid_and_meet_constraints(in_tenant_a):
    definition = table()
    definition["parameters"][0]["default"] = 5000
    assert issues_of(definition)[0][:3] == ("parameters", 0, "default")
    definition = table(constraints=[("width < 1000", "Too wide.")])
    assert issues_of(definition) == [
        ("constraints", 0, "expression", "The defaults violate this constraint.")
    ]


def test_a_part_too_large_for_its_process(in_tenant_a):
    issues = issues_of(step_with(table(), "legs", length="leg_length * 10"))
    assert issues[0][:3] == ("steps", 2, "length_mm")
    assert "larger than Laser cutting can take" in issues[0][3]


def test_a_material_the_process_does_not_work(in_tenant_a):
    issues = issues_of(step_with(table(), "coating", material='"oak"'))
    assert issues[0][:3] == ("steps", 3, "material")
    assert "Powder coating does not work 'oak'" in issues[0][3]


def test_a_malformed_row_is_reported_on_its_field_as_the_studio_does(in_tenant_a):
    """The importer writes through the studio's writer: a row its model refuses is an issue, not a crash."""
    issues = issues_of(step_with(table(), "legs", process="welding_by_hand"))
    assert issues == [("steps", 2, "process", "There is no process 'welding_by_hand'.")]


@pytest.mark.parametrize(
    "issue",
    [
        Issue(section=TEMPLATE, index=-1, field="", message="Give the product a name."),
        Issue(section=PARAMETERS, index=-1, field="", message="A template needs at least one parameter."),
        Issue(section=STEPS, index=0, field="duration_minutes", message="Unknown name 'widht'."),
    ],
)
def test_an_issue_survives_the_trip_through_a_validation_error(issue):
    """issues_from_validation is the inverse of issue_location: the whole template's issue came back under a
    section called "definition" instead of TEMPLATE."""
    from django.core.exceptions import ValidationError

    from apps.catalog.definitions import issue_location, issues_from_validation

    error = ValidationError({issue_location(issue): [issue.message]})
    assert issues_from_validation(error) == [issue]
