"""Checks a whole template before it is saved: parameter definitions, name clashes, every formula's syntax and
names, and that the defaults validate and compile (catching division by zero or negative durations early).

`template_check` returns issues located by section, row index and field, so the admin can show each message
next to the input that caused it.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from decimal import Decimal

from apps.catalog.compile import (
    DURATION,
    QUANTITY,
    CompileError,
    attribute_name,
    compile_operations,
    formula_env,
    topological_order,
)
from apps.catalog.formulas import FUNCTIONS, FormulaError, evaluate_bool, parse_formula
from apps.catalog.spec import ParameterKind, ParameterSpec, TemplateSpec
from apps.catalog.validation import HEX_COLOUR, InvalidConfiguration, clean_values

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED = frozenset({QUANTITY, DURATION, "design_name", "action", *FUNCTIONS, *keyword.kwlist})
MAX_TEXT_LENGTH = 200

PARAMETERS = "parameters"
DERIVED = "derived"
CONSTRAINTS = "constraints"
STEPS = "steps"
TEMPLATE = "template"


@dataclass(frozen=True)
class Issue:
    section: str  # PARAMETERS, DERIVED, CONSTRAINTS, STEPS or TEMPLATE
    index: int  # row within the section (-1 for the template itself)
    field: str  # the field of that row, "" when the row as a whole
    message: str


def identifier_problem(key: str) -> str | None:
    if not IDENTIFIER.match(key):
        return "Use lower-case letters, digits and _ (starting with a letter, at most 40 characters)."
    if key in RESERVED:
        return f"{key!r} is a reserved name."
    return None


def template_check(spec: TemplateSpec) -> list[Issue]:
    issues: list[Issue] = []
    names: dict[str, str] = {}

    def claim(name: str, owner: str, issue: Issue) -> None:
        if name in names:
            issues.append(
                Issue(issue.section, issue.index, issue.field, f"{name!r} is already used by {names[name]}.")
            )
        else:
            names[name] = owner

    for index, parameter in enumerate(spec.parameters):
        for field, message in _parameter_problems(parameter):
            issues.append(Issue(PARAMETERS, index, field, message))
        claim(parameter.key, f"parameter {parameter.key}", Issue(PARAMETERS, index, "key", ""))
        for option in parameter.options:
            for attribute, _ in option.attributes:
                name = attribute_name(parameter.key, attribute)
                if names.get(name) != f"an option attribute of {parameter.key}":
                    claim(
                        name,
                        f"an option attribute of {parameter.key}",
                        Issue(PARAMETERS, index, "options", ""),
                    )
    if not spec.parameters:
        issues.append(Issue(TEMPLATE, -1, "", "A template needs at least one parameter."))

    for index, derived in enumerate(spec.derived):
        if problem := identifier_problem(derived.key):
            issues.append(Issue(DERIVED, index, "key", problem))
        issues += _names_problems(derived.formula, set(names), DERIVED, index, "formula")
        claim(derived.key, f"derived value {derived.key}", Issue(DERIVED, index, "key", ""))

    known = set(names)
    for index, constraint in enumerate(spec.constraints):
        issues += _names_problems(constraint.expression, known, CONSTRAINTS, index, "expression")
        if not constraint.message.strip():
            issues.append(
                Issue(CONSTRAINTS, index, "message", "Write the message customers see when violated.")
            )

    step_keys = [step.key for step in spec.steps]
    for index, step in enumerate(spec.steps):
        if problem := identifier_problem(step.key):
            issues.append(Issue(STEPS, index, "key", problem))
        if step_keys.count(step.key) > 1:
            issues.append(Issue(STEPS, index, "key", f"Another step already has the key {step.key!r}."))
        for predecessor in step.predecessors:
            if predecessor == step.key:
                issues.append(Issue(STEPS, index, "predecessors", "A step cannot wait for itself."))
            elif predecessor not in step_keys:
                issues.append(Issue(STEPS, index, "predecessors", f"There is no step {predecessor!r}."))
        with_quantity = known | {QUANTITY}
        for field, source, scope in (
            ("condition", step.condition, known),
            ("quantity", step.quantity, known),
            ("duration_minutes", step.duration_minutes, with_quantity),
            ("material", step.material, with_quantity),
            ("length_mm", step.length_mm, with_quantity),
            ("width_mm", step.width_mm, with_quantity),
            ("height_mm", step.height_mm, with_quantity),
        ):
            if source or field in ("quantity", "duration_minutes"):
                issues += _names_problems(source, scope, STEPS, index, field)
        for driver, source in step.cost_drivers:
            if problem := identifier_problem(driver):
                issues.append(Issue(STEPS, index, "cost_drivers", f"Cost driver {driver!r}: {problem}"))
            for issue in _names_problems(source, with_quantity | {DURATION}, STEPS, index, "cost_drivers"):
                issues.append(
                    Issue(issue.section, issue.index, issue.field, f"Cost driver {driver!r}: {issue.message}")
                )
        drivers = {driver for driver, _ in step.cost_drivers}
        unknown = [name for name in step.material_drivers if name not in drivers]
        if unknown:
            issues.append(
                Issue(
                    STEPS,
                    index,
                    "material_drivers",
                    f"{', '.join(repr(n) for n in unknown)}: not among this step's cost drivers "
                    f"({', '.join(d for d, _ in step.cost_drivers) or 'none'}).",
                )
            )
    if not spec.steps:
        issues.append(Issue(TEMPLATE, -1, "", "A template needs at least one routing step."))
    try:
        topological_order(spec.steps)
    except CompileError as error:
        first = next(i for i, step in enumerate(spec.steps) if step.key in error.names)
        issues.append(Issue(STEPS, first, "predecessors", str(error)))

    if not issues:
        issues += _defaults_problems(spec)
    return issues


def _parameter_problems(parameter: ParameterSpec) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if problem := identifier_problem(parameter.key):
        problems.append(("key", problem))
    if parameter.kind != ParameterKind.TEXT and not parameter.required:
        problems.append(("required", "Only text parameters can be optional; formulas need the others."))
    match parameter.kind:
        case ParameterKind.NUMBER:
            if parameter.min_value is None or parameter.max_value is None:
                problems.append(("min_value", "A number needs a minimum and a maximum."))
            elif parameter.min_value >= parameter.max_value:
                problems.append(("max_value", "The maximum must be larger than the minimum."))
            if parameter.step is not None and parameter.step <= 0:
                problems.append(("step", "The step must be positive (or empty for any value)."))
            if not isinstance(parameter.default, Decimal):
                problems.append(("default", "A number needs a numeric default."))
            if parameter.options:
                problems.append(("options", "Numbers have no options."))
        case ParameterKind.CHOICE | ParameterKind.COLOUR:
            values = [option.value for option in parameter.options]
            if not values:
                problems.append(("options", "List at least one option."))
            if len(set(values)) != len(values):
                problems.append(("options", "Option values must be unique."))
            if parameter.kind == ParameterKind.COLOUR:
                bad = [v for v in values if not HEX_COLOUR.match(v)]
                if bad:
                    problems.append(
                        ("options", f"Palette colours are lower-case #rrggbb values, not {bad[0]!r}.")
                    )
            for option in parameter.options:
                for attribute, value in option.attributes:
                    if not IDENTIFIER.match(attribute):
                        problems.append(
                            (
                                "options",
                                f"Attribute name {attribute!r} must be lower-case letters, digits, _.",
                            )
                        )
                    if isinstance(value, bool) or not isinstance(value, int | float | str):
                        problems.append(("options", f"Attribute {attribute!r} must be a number or text."))
            if values and parameter.default not in values:
                problems.append(("default", "The default must be one of the options' values."))
        case ParameterKind.TEXT:
            if not parameter.max_length or not 1 <= parameter.max_length <= MAX_TEXT_LENGTH:
                problems.append(("max_length", f"Text needs a maximum length from 1 to {MAX_TEXT_LENGTH}."))
            if parameter.options:
                problems.append(("options", "Text has no options."))
    return problems


def _names_problems(source: str, known: set[str], section: str, index: int, field: str) -> list[Issue]:
    try:
        formula = parse_formula(source)
    except FormulaError as error:
        return [Issue(section, index, field, str(error))]
    unknown = sorted(formula.names - known)
    if unknown:
        return [
            Issue(
                section,
                index,
                field,
                "Unknown name" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown) + ".",
            )
        ]
    return []


def _defaults_problems(spec: TemplateSpec) -> list[Issue]:
    values, errors = clean_values(spec, spec.defaults())
    if errors:
        index = next(i for i, p in enumerate(spec.parameters) if p.key in errors)
        return [Issue(PARAMETERS, index, "default", errors[spec.parameters[index].key][0])]
    try:
        env = formula_env(spec, values)
    except CompileError as error:
        index = next((i for i, d in enumerate(spec.derived) if d.key == error.field), 0)
        return [Issue(DERIVED, index, "formula", f"At the defaults: {error}")]
    issues = []
    for index, constraint in enumerate(spec.constraints):
        try:
            if not evaluate_bool(constraint.expression, env, what="A constraint"):
                issues.append(
                    Issue(CONSTRAINTS, index, "expression", "The defaults violate this constraint.")
                )
        except FormulaError as error:
            issues.append(Issue(CONSTRAINTS, index, "expression", f"At the defaults: {error}"))
    if issues:
        return issues
    try:
        compile_operations(spec, values)
    except CompileError as error:
        keys = [step.key for step in spec.steps]
        index = keys.index(error.step_key) if error.step_key in keys else -1
        return [Issue(STEPS if index >= 0 else TEMPLATE, index, error.field, f"At the defaults: {error}")]
    except InvalidConfiguration as error:  # pragma: no cover - compile raises CompileError only
        return [Issue(TEMPLATE, -1, "", str(error))]
    return []
