"""Configuration validation over each demo template's whole parameter space (hypothesis), and the messages."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.catalog.validation import NON_FIELD, InvalidConfiguration, configuration_validate
from tests.catalog.strategies import configurations, invalid_value

pytestmark = pytest.mark.django_db
SLUGS = ["dining-table", "bookshelf", "phone-stand"]
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("slug", SLUGS)
def test_in_domain_values_compile_or_fail_only_a_constraint(demo_specs, slug):
    """Every configuration whose values are each in range either compiles into a well-formed precedence DAG of
    operations, or is refused only by a cross-parameter constraint, whose message is put on the parameters it
    involves. A failure inside compilation (division by zero, oversize part, bad material) would show up here."""
    spec = demo_specs[slug]
    messages = {constraint.message for constraint in spec.constraints}

    @PROPERTY
    @given(configurations(spec))
    def check(values):
        try:
            configuration = configuration_validate(spec, values)
        except InvalidConfiguration as error:
            assert NON_FIELD not in error.errors
            for key, errors in error.errors.items():
                assert spec.parameter(key) is not None
                assert set(errors) <= messages, errors
            return
        operations = configuration.operations
        assert operations
        seen = set()
        for operation in operations:
            assert operation.duration_minutes > 0
            assert operation.quantity >= 1
            assert set(operation.predecessors) <= seen, "predecessors come first and exist"
            assert all(cost >= 0 for cost in operation.cost_drivers.values())
            seen.add(operation.step_key)
        assert operations[-1].process == "packaging"

    check()


@pytest.mark.parametrize("slug", SLUGS)
def test_an_invalid_value_is_always_refused_on_its_field(demo_specs, slug):
    """One bad value (out of range, off-step, unknown option, wrong type, oversized text, injection string)
    among good ones is always refused, with a message on that parameter."""
    spec = demo_specs[slug]
    defaults = spec.defaults()

    @PROPERTY
    @given(
        st.sampled_from([p for p in spec.parameters]).flatmap(
            lambda p: st.tuples(st.just(p), invalid_value(p))
        )
    )
    def check(case):
        parameter, bad = case
        with pytest.raises(InvalidConfiguration) as error:
            configuration_validate(spec, {**defaults, parameter.key: bad})
        assert error.value.errors[parameter.key][0]

    check()


def test_messages_name_the_rule(demo_specs):
    spec = demo_specs["dining-table"]
    cases = [
        ({"width": 9000}, "width", "Must be at most 2400 mm."),
        ({"width": 1000}, "width", "Must be at least 1200 mm."),
        ({"width": 1805}, "width", "Use steps of 10 mm: the nearest allowed values are 1800 and 1810 mm."),
        ({"width": "wide"}, "width", "Enter a number."),
        ({"width": True}, "width", "Enter a number."),
        (
            {"top_material": "teak"},
            "top_material",
            "Unknown option 'teak'. Choose one of: oak (European oak, oiled)",
        ),
        ({"leg_colour": "#ff0000"}, "leg_colour", "Unknown colour '#ff0000'."),
        ({"engraving": "x" * 31}, "engraving", "At most 30 characters (this has 31)."),
        ({"engraving": "a\u0000b"}, "engraving", "no line breaks or control characters"),
        ({"height": ""}, "height", "This value is required."),
    ]
    for change, key, message in cases:
        with pytest.raises(InvalidConfiguration) as error:
            configuration_validate(spec, {**spec.defaults(), **change})
        assert message in error.value.errors[key][0], (change, error.value.errors)


def test_missing_and_unknown_parameters(demo_specs):
    spec = demo_specs["dining-table"]
    values = spec.defaults()
    del values["depth"]
    with pytest.raises(InvalidConfiguration) as error:
        configuration_validate(spec, {**values, "colour_of_the_wind": "blue"})
    assert error.value.errors == {
        "depth": ["This value is required."],
        "colour_of_the_wind": ["Unknown parameter."],
    }


def test_optional_text_may_be_empty_and_numbers_are_typed(demo_specs):
    spec = demo_specs["dining-table"]
    configuration = configuration_validate(spec, {**spec.defaults(), "width": "1800.0", "engraving": "  "})
    assert configuration.values["width"] == 1800
    assert isinstance(configuration.values["width"], int)
    assert configuration.values["engraving"] == ""


def test_a_violated_constraint_is_reported_on_every_parameter_it_involves(demo_specs):
    spec = demo_specs["dining-table"]
    with pytest.raises(InvalidConfiguration) as error:
        configuration_validate(spec, {**spec.defaults(), "width": 2400, "depth": 1000})
    message = "The top can be at most 2.2 m²"
    assert message in error.value.errors["width"][0]
    assert message in error.value.errors["depth"][0]
    assert "height" not in error.value.errors


def test_text_constraints_between_choices(demo_specs):
    stand = demo_specs["phone-stand"]
    with pytest.raises(InvalidConfiguration) as error:
        configuration_validate(stand, {**stand.defaults(), "printing": "sla", "material": "pla"})
    assert set(error.value.errors) == {"printing", "material"}
    shelf = demo_specs["bookshelf"]
    with pytest.raises(InvalidConfiguration) as error:
        configuration_validate(shelf, {**shelf.defaults(), "cutting": "laser", "panel_material": "oak"})
    assert "CNC" in error.value.errors["cutting"][0]


def test_a_flood_of_unknown_keys_gets_a_short_answer(demo_specs):
    spec = demo_specs["phone-stand"]
    with pytest.raises(InvalidConfiguration) as error:
        configuration_validate(spec, {**spec.defaults(), **{f"junk{i}": i for i in range(5000)}})
    assert len(error.value.errors) == 20
