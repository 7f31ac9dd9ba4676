"""Compiles a validated configuration into operations: the matching engine's input. Pure functions, no Django.

Each routing step whose condition holds becomes one Operation. A step left out by its condition is bypassed:
its successors wait for its own predecessors instead, so the precedence DAG stays connected
(e.g. an optional engraving step between "top" and "assembly").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache

from apps.catalog.formulas import (
    FormulaError,
    Value,
    evaluate,
    evaluate_bool,
    evaluate_number,
    evaluate_text,
    parse_formula,
)
from apps.catalog.spec import ParameterKind, StepSpec, TemplateSpec

# Names a routing step's own formulas see besides the template's: its evaluated quantity, and for cost drivers
# also its evaluated duration.
QUANTITY = "quantity"
DURATION = "duration_min"
MAX_QUANTITY = 10_000


class CompileError(FormulaError):
    """A configuration that cannot be turned into operations.

    `names` are the formula names involved (to point at the parameters behind them), `step_key` and `field`
    where in the routing the problem sits (for the admin).
    """

    def __init__(
        self, message: str, *, step_key: str = "", field: str = "", names: frozenset[str] = frozenset()
    ):
        super().__init__(message)
        self.step_key = step_key
        self.field = field
        self.names = names


@dataclass(frozen=True)
class Operation:
    step_key: str
    name: str
    process: str
    material: str
    dimensions_mm: tuple[float, float, float]
    quantity: int
    duration_minutes: float
    cost_drivers: dict[str, float] = field(default_factory=dict)
    predecessors: tuple[str, ...] = ()
    # The part of cost_drivers that is bought-in material (the step's material_drivers), same units.
    material_cost: float = 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["dimensions_mm"] = list(self.dimensions_mm)
        data["predecessors"] = list(self.predecessors)
        return data


def operation_from_dict(data: Mapping) -> Operation:
    """An Operation back from its `as_dict()` form (DesignVersion.operations)."""
    return Operation(
        step_key=str(data["step_key"]),
        name=str(data.get("name") or data["step_key"]),
        process=str(data["process"]),
        material=str(data.get("material") or ""),
        dimensions_mm=tuple(float(d) for d in (*(data.get("dimensions_mm") or ()), 0, 0, 0)[:3]),  # type: ignore[arg-type]
        quantity=int(data.get("quantity") or 1),
        duration_minutes=float(data["duration_minutes"]),
        cost_drivers={str(k): float(v) for k, v in (data.get("cost_drivers") or {}).items()},
        predecessors=tuple(str(p) for p in data.get("predecessors") or ()),
        material_cost=float(data.get("material_cost") or 0),
    )


def attribute_name(parameter_key: str, attribute: str) -> str:
    """The formula name of a choice option's attribute: `top_material` + `price_m2` → `top_material_price_m2`."""
    return f"{parameter_key}_{attribute}"


def formula_env(spec: TemplateSpec, values: Mapping[str, object]) -> dict[str, Value]:
    """Names visible to formulas: parameter values, the chosen options' attributes, then derived values in order.

    `values` must already be validated (see validation.configuration_validate).
    """
    env: dict[str, Value] = {}
    for parameter in spec.parameters:
        value = values.get(parameter.key, "")
        if parameter.kind == ParameterKind.NUMBER:
            env[parameter.key] = float(value)
            continue
        env[parameter.key] = str(value)
        if parameter.kind in (ParameterKind.CHOICE, ParameterKind.COLOUR):
            option = parameter.option(str(value))
            for attribute, attribute_value in option.attributes if option else ():
                env[attribute_name(parameter.key, attribute)] = attribute_value
    for derived in spec.derived:
        try:
            env[derived.key] = evaluate(derived.formula, env)
        except FormulaError as error:
            raise CompileError(
                f"{derived.key}: {error}", field=derived.key, names=parse_formula(derived.formula).names
            ) from None
    return env


def compile_operations(spec: TemplateSpec, values: Mapping[str, object]) -> tuple[Operation, ...]:
    """The operations of a configuration, in a topological order of the routing."""
    env = formula_env(spec, values)
    by_key = {step.key: step for step in spec.steps}
    included: dict[str, bool] = {}
    for step in spec.steps:
        if not step.condition:
            included[step.key] = True
            continue
        try:
            included[step.key] = evaluate_bool(step.condition, env, what=f"{step.name}: the condition")
        except FormulaError as error:
            raise _step_error(step, "condition", step.condition, error) from None

    @cache
    def effective_predecessors(key: str) -> tuple[str, ...]:
        result: list[str] = []
        for predecessor in by_key[key].predecessors:
            if predecessor not in by_key:
                raise CompileError(
                    f"{by_key[key].name}: unknown predecessor {predecessor!r}.",
                    step_key=key,
                    field="predecessors",
                )
            chain = (predecessor,) if included[predecessor] else effective_predecessors(predecessor)
            result.extend(p for p in chain if p not in result)
        return tuple(result)

    operations = {}
    for step in topological_order(spec.steps):
        if included[step.key]:
            operations[step.key] = _compile_step(step, env, effective_predecessors(step.key))
    return tuple(operations.values())


def topological_order(steps: tuple[StepSpec, ...]) -> list[StepSpec]:
    """Steps ordered so predecessors come first; ties keep the template's order. Raises on a cycle."""
    keys = {step.key for step in steps}
    waiting = {step.key: {p for p in step.predecessors if p in keys} for step in steps}
    ordered: list[StepSpec] = []
    done: set[str] = set()
    while len(ordered) < len(steps):
        ready = [s for s in steps if s.key not in done and waiting[s.key] <= done]
        if not ready:
            cycle = sorted(k for k in keys if k not in done)
            raise CompileError(
                "The routing has a cycle through steps " + ", ".join(cycle) + ".",
                field="predecessors",
                names=frozenset(cycle),
            )
        ordered.append(ready[0])
        done.add(ready[0].key)
    return ordered


def critical_path_minutes(operations: tuple[Operation, ...]) -> float:
    """Length of the longest chain of durations through the precedence DAG (operations in topological order)."""
    finish: dict[str, float] = {}
    for operation in operations:
        start = max((finish[p] for p in operation.predecessors if p in finish), default=0.0)
        finish[operation.step_key] = start + operation.duration_minutes
    return max(finish.values(), default=0.0)


def _compile_step(step: StepSpec, env: dict[str, Value], predecessors: tuple[str, ...]) -> Operation:
    local = dict(env)
    try:
        quantity_value = evaluate_number(step.quantity, local, what="The quantity")
    except FormulaError as error:
        raise _step_error(step, "quantity", step.quantity, error) from None
    if quantity_value != math.floor(quantity_value) or not 1 <= quantity_value <= MAX_QUANTITY:
        raise _step_error(
            step,
            "quantity",
            step.quantity,
            FormulaError(f"The quantity must be a whole number from 1 to {MAX_QUANTITY}."),
        )
    quantity = int(quantity_value)
    local[QUANTITY] = float(quantity)

    try:
        duration = evaluate_number(step.duration_minutes, local, what="The processing time")
    except FormulaError as error:
        raise _step_error(step, "duration_minutes", step.duration_minutes, error) from None
    if duration <= 0:
        raise _step_error(
            step,
            "duration_minutes",
            step.duration_minutes,
            FormulaError(f"The processing time must be more than 0 minutes (it is {duration:g})."),
        )
    local[DURATION] = duration

    dimensions = []
    for field_name in ("length_mm", "width_mm", "height_mm"):
        source = getattr(step, field_name)
        if not source:
            dimensions.append(0.0)
            continue
        try:
            size = evaluate_number(source, local, what="A dimension")
        except FormulaError as error:
            raise _step_error(step, field_name, source, error) from None
        if size < 0:
            raise _step_error(
                step, field_name, source, FormulaError(f"A dimension cannot be negative ({size:g} mm).")
            )
        dimensions.append(round(size, 1))
    size_tuple = (dimensions[0], dimensions[1], dimensions[2])
    if not step.process.fits(size_tuple):
        size_names = frozenset().union(
            *(
                parse_formula(getattr(step, f)).names
                for f in ("length_mm", "width_mm", "height_mm")
                if getattr(step, f)
            )
        )
        limits = " × ".join(f"{side:g}" for side in step.process.max_size_mm)
        raise CompileError(
            f"{step.name}: the part ({' × '.join(f'{d:g}' for d in size_tuple)} mm) is larger than "
            f"{step.process.name} can take ({limits} mm).",
            step_key=step.key,
            field="length_mm",
            names=size_names,
        )

    material = ""
    if step.material:
        try:
            material = evaluate_text(step.material, local, what="The material")
        except FormulaError as error:
            raise _step_error(step, "material", step.material, error) from None
        if not step.process.accepts(material):
            raise _step_error(
                step,
                "material",
                step.material,
                FormulaError(f"{step.process.name} does not work {material!r}."),
            )

    costs: dict[str, float] = {}
    for name, source in step.cost_drivers:
        try:
            amount = evaluate_number(source, local, what=f"The cost driver {name!r}")
        except FormulaError as error:
            raise _step_error(step, "cost_drivers", source, error) from None
        if amount < 0:
            raise _step_error(
                step,
                "cost_drivers",
                source,
                FormulaError(f"The cost driver {name!r} is negative ({amount:g})."),
            )
        costs[name] = round(amount, 4)
    material_cost = round(sum(amount for name, amount in costs.items() if name in step.material_drivers), 4)

    return Operation(
        step_key=step.key,
        name=step.name,
        process=step.process.code,
        material=material,
        dimensions_mm=size_tuple,
        quantity=quantity,
        duration_minutes=round(duration, 2),
        cost_drivers=costs,
        predecessors=predecessors,
        material_cost=material_cost,
    )


def _step_error(step: StepSpec, field_name: str, source: str, error: FormulaError) -> CompileError:
    try:
        names = parse_formula(source).names
    except FormulaError:
        names = frozenset()
    return CompileError(f"{step.name}: {error}", step_key=step.key, field=field_name, names=names)
