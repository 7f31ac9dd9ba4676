"""Formula safety: a whitelist interpreter, never eval; hostile input is refused with a message, fast."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.catalog.formulas import FormulaError, evaluate, evaluate_bool, evaluate_number, parse_formula

ENV = {"width": 1800.0, "depth": 900.0, "top": "oak", "setup": 25.0, "area_m2": 1.62}


def test_arithmetic_functions_and_conditionals():
    assert evaluate_number("setup + area_m2 * 12", ENV) == pytest.approx(44.44)
    assert evaluate_number("max(width, depth) / 1000", ENV) == 1.8
    assert evaluate_number(
        "ceil(2.1) + floor(2.9) + round(2.345, 2) + abs(-1) + sqrt(16)", ENV
    ) == pytest.approx(3 + 2 + 2.35 + 1 + 4)
    assert evaluate_number('120 if top == "oak" else 90', ENV) == 120
    assert evaluate_bool("width * depth / 1e6 <= 2.0 and not (depth > width)", ENV) is True
    assert evaluate_number('len("hello")', ENV) == 5


def test_redundant_parentheses_are_harmless():
    assert evaluate_number("(" * 150 + "width" + ")" * 150, ENV) == 1800


def test_names_are_reported_for_checks():
    assert parse_formula("setup + area_m2 * min(width, 3)").names == {"setup", "area_m2", "width"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os').system('id')", "not allowed"),
        ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
        ("width.real", "Attribute access"),
        ("open('/etc/passwd')", "Calls to open are not allowed"),
        ("eval('1')", "Calls to eval are not allowed"),
        ("exec('x=1')", "Calls to exec are not allowed"),
        ("getattr(width, 'real')", "Calls to getattr are not allowed"),
        ("lambda: 1", "Lambda"),
        ("[x for x in range(10**9)]", "ListComp"),
        ("[1, 2][0]", "Indexing"),
        ("{'a': 1}", "Dict"),
        ("f'{width}'", "JoinedStr"),
        ("(x := 5)", "NamedExpr"),
        ("9**9**9", "Exponents are limited"),
        ("10**400", "Exponents are limited"),
        ("2.0**64 ** 2", "Exponents are limited"),
        ("1e308 * 1e308", "too large"),
        ("1" + "0" * 400, "too large"),
        ("abs(" * 40 + "1" + ")" * 40, "nested too deeply"),
        ("(1+" * 120 + "1" + ")" * 120, "nested too deeply"),
        ("-" * 400 + "1", "nested too deeply"),
        ("not " * 100 + "True", "nested too deeply"),
        ("1" + "+1" * 300, "too long"),
        ("'" + "a" * 600 + "'", "too long"),
        ("'" + "a" * 150 + "'", "Text literals are limited"),
        ("'ab' * 100000", "Arithmetic needs numbers"),
        ("width / 0", "Division by zero"),
        ("width % 0", "Division by zero"),
        ("unknown_name + 1", "Unknown name 'unknown_name'"),
        ("_secret", "may not start with '_'"),
        ("width +", "Syntax error"),
        ("", "empty"),
        ("None", "None is not allowed"),
        ("min", "is a function"),
        ("min(width)", "takes 2–8 arguments"),
        ("round(width, ndigits=2)", "positional arguments"),
        ("top < 'walnut'", "only be compared with == and !="),
        ("top + 1", "Arithmetic needs numbers"),
        ("sqrt(-1)", "negative"),
    ],
)
def test_hostile_or_broken_formulas_are_refused_with_a_message(source, message):
    started = time.perf_counter()
    with pytest.raises(FormulaError) as error:
        evaluate(source, ENV)
    assert message in str(error.value)
    assert time.perf_counter() - started < 0.5, "refusing a formula must never hang"


def test_results_of_the_wrong_type_are_refused():
    with pytest.raises(FormulaError, match="must give a number"):
        evaluate_number("width > 1", ENV)
    with pytest.raises(FormulaError, match="must be true or false"):
        evaluate_bool("width", ENV)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_either_evaluates_or_raises_formula_error(source):
    """Whatever staff type, evaluation ends in a value or a FormulaError — never another exception."""
    try:
        value = evaluate(source, ENV)
    except FormulaError as error:
        assert str(error)
    else:
        assert isinstance(value, float | str | bool)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.sampled_from(["width", "depth", "2", "0", "-1", "0.5", "9"]),
        lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        max_leaves=12,
    )
)
def test_random_arithmetic_never_escapes_formula_error(source):
    """Overflow, division by zero, huge powers, fractional powers of negatives: a number or a FormulaError."""
    try:
        value = evaluate(source, ENV)
    except FormulaError as error:
        assert str(error)
    else:
        assert isinstance(value, float) and abs(value) <= 1e15
