"""Validates a customer's configuration against a template: types, ranges, steps, options, lengths, then the
cross-parameter constraints, then that it compiles. One function for the storefront, the API and services.

Errors are keyed by parameter key (NON_FIELD for problems no single parameter explains), each a list of
messages fit to show next to the input.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from apps.catalog.compile import CompileError, Operation, attribute_name, compile_operations, formula_env
from apps.catalog.formulas import FormulaError, evaluate_bool, parse_formula
from apps.catalog.spec import ParameterKind, ParameterSpec, TemplateSpec, json_number
from apps.core.errors import NON_FIELD as NON_FIELD_ERRORS
from apps.core.errors import InvalidInput

NON_FIELD = "__all__"
MAX_RAW_NUMBER = 30
MAX_UNKNOWN_REPORTED = 20  # a hostile body with thousands of keys gets a short answer
HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")

Errors = dict[str, list[str]]


class InvalidConfiguration(InvalidInput):
    def __init__(self, errors: Errors):
        super().__init__("; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items()))
        self.errors = errors

    @property
    def field_errors(self) -> dict:
        """Keyed by parameter under "values", as a request body holds them."""
        return {
            "values": {(NON_FIELD_ERRORS if key == NON_FIELD else key): m for key, m in self.errors.items()}
        }


@dataclass(frozen=True)
class ValidConfiguration:
    values: dict[str, object]
    operations: tuple[Operation, ...]


def configuration_validate(
    spec: TemplateSpec, raw: Mapping[str, object], *, allow_unknown: bool = False
) -> ValidConfiguration:
    """Cleans raw values (strings from a form or JSON scalars) or raises InvalidConfiguration.

    Unknown keys are errors unless `allow_unknown` (form posts carry other fields too).
    """
    values, errors = clean_values(spec, raw)
    if not allow_unknown:
        unknown = [str(key) for key in raw if spec.parameter(str(key)) is None]
        for key in unknown[:MAX_UNKNOWN_REPORTED]:
            errors[key[:50]] = ["Unknown parameter."]
    if errors:
        raise InvalidConfiguration(errors)
    try:
        env = formula_env(spec, values)
        for constraint in spec.constraints:
            if not evaluate_bool(constraint.expression, env, what="A constraint"):
                involved = parameters_behind(spec, parse_formula(constraint.expression).names)
                for key in involved or (NON_FIELD,):
                    errors.setdefault(key, []).append(constraint.message)
        if errors:
            raise InvalidConfiguration(errors)
        operations = compile_operations(spec, values)
    except CompileError as error:
        involved = parameters_behind(spec, error.names)
        raise InvalidConfiguration({key: [str(error)] for key in involved or (NON_FIELD,)}) from None
    except FormulaError as error:
        raise InvalidConfiguration(
            {NON_FIELD: [f"This configuration cannot be evaluated: {error}"]}
        ) from None
    return ValidConfiguration(values=values, operations=operations)


def clean_values(spec: TemplateSpec, raw: Mapping[str, object]) -> tuple[dict[str, object], Errors]:
    """Per-parameter cleaning only (no constraints): typed values and per-field errors."""
    values: dict[str, object] = {}
    errors: Errors = {}
    for parameter in spec.parameters:
        try:
            values[parameter.key] = clean_value(parameter, raw.get(parameter.key))
        except ValueError as error:
            errors[parameter.key] = [str(error)]
    return values, errors


def clean_value(parameter: ParameterSpec, raw: object) -> object:
    """One parameter's value, typed (number → int/float, others → str); raises ValueError with the message."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        if parameter.kind == ParameterKind.TEXT and not parameter.required:
            return ""
        raise ValueError("This value is required.")
    match parameter.kind:
        case ParameterKind.NUMBER:
            return json_number(_clean_number(parameter, raw))
        case ParameterKind.CHOICE | ParameterKind.COLOUR:
            return _clean_option(parameter, raw)
        case ParameterKind.TEXT:
            return _clean_text(parameter, raw)
    raise ValueError("Unsupported parameter.")  # pragma: no cover


def _clean_number(parameter: ParameterSpec, raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError("Enter a number.")
    text = repr(raw) if isinstance(raw, float) else str(raw)
    if len(text) > MAX_RAW_NUMBER:
        raise ValueError("Enter a number.")
    try:
        value = Decimal(text.replace(",", ".") if isinstance(raw, str) else text)
    except InvalidOperation:
        raise ValueError("Enter a number.") from None
    if not value.is_finite():
        raise ValueError("Enter a number.")
    unit = f" {parameter.unit}" if parameter.unit else ""
    if parameter.min_value is not None and value < parameter.min_value:
        raise ValueError(f"Must be at least {_fmt(parameter.min_value)}{unit}.")
    if parameter.max_value is not None and value > parameter.max_value:
        raise ValueError(f"Must be at most {_fmt(parameter.max_value)}{unit}.")
    if parameter.step:
        base = parameter.min_value if parameter.min_value is not None else Decimal(0)
        remainder = (value - base) % parameter.step
        if remainder:
            lower = value - remainder
            upper = lower + parameter.step
            raise ValueError(
                f"Use steps of {_fmt(parameter.step)}{unit}: the nearest allowed values are "
                f"{_fmt(lower)} and {_fmt(upper)}{unit}."
            )
    return value


def _clean_option(parameter: ParameterSpec, raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("Choose one of the options.")
    value = raw.lower() if parameter.kind == ParameterKind.COLOUR else raw
    if parameter.option(value) is None:
        shown = value if len(value) <= 40 else value[:40] + "…"
        choices = ", ".join(f"{option.value} ({option.label})" for option in parameter.options)
        what = "colour" if parameter.kind == ParameterKind.COLOUR else "option"
        raise ValueError(f"Unknown {what} {shown!r}. Choose one of: {choices}.")
    return value


def _clean_text(parameter: ParameterSpec, raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("Enter text.")
    limit = parameter.max_length or 0
    if limit and len(raw) > limit:
        raise ValueError(f"At most {limit} characters (this has {len(raw)}).")
    if not raw.isprintable():
        raise ValueError(
            "Use letters, digits, spaces and punctuation only (no line breaks or control characters)."
        )
    return raw


def parameters_behind(spec: TemplateSpec, names: frozenset[str] | set[str]) -> list[str]:
    """The parameter keys that formula names depend on (through option attributes and derived values)."""
    owners = _name_owners(spec)
    derived = {d.key: d.formula for d in spec.derived}
    found: list[str] = []
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in owners and owners[name] not in found:
            found.append(owners[name])
        elif name in derived:
            with contextlib.suppress(FormulaError):
                stack.extend(parse_formula(derived[name]).names)
    order = [p.key for p in spec.parameters]
    return sorted(found, key=order.index)


def _name_owners(spec: TemplateSpec) -> dict[str, str]:
    owners: dict[str, str] = {}
    for parameter in spec.parameters:
        owners[parameter.key] = parameter.key
        for option in parameter.options:
            for attribute, _ in option.attributes:
                owners[attribute_name(parameter.key, attribute)] = parameter.key
    return owners


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"
