"""A product template as plain frozen data: what validation, compilation, estimates and previews work on.

Built from the database by `selectors.template_spec_for` (or from admin forms before saving), so everything
downstream is a pure function of a TemplateSpec and a dict of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class ParameterKind(StrEnum):
    NUMBER = "number"
    CHOICE = "choice"
    COLOUR = "colour"
    TEXT = "text"


@dataclass(frozen=True)
class OptionSpec:
    value: str
    label: str
    attributes: tuple[tuple[str, float | str], ...] = ()


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    label: str
    kind: ParameterKind
    required: bool = True
    help_text: str = ""
    unit: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    step: Decimal | None = None
    default: Decimal | str | None = None
    max_length: int | None = None
    options: tuple[OptionSpec, ...] = ()

    def option(self, value: str) -> OptionSpec | None:
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class DerivedSpec:
    key: str
    formula: str


@dataclass(frozen=True)
class ConstraintSpec:
    expression: str
    message: str


@dataclass(frozen=True)
class ProcessSpec:
    code: str
    name: str
    materials: tuple[str, ...] = ()
    max_size_mm: tuple[int, int, int] = (0, 0, 0)

    def fits(self, dimensions_mm: tuple[float, float, float]) -> bool:
        """A part fits when, turned the best way, each side is within the process's limits (0 = no limit)."""
        limits = sorted(self.max_size_mm, reverse=True)
        sides = sorted(dimensions_mm, reverse=True)
        return all(limit == 0 or side <= limit for side, limit in zip(sides, limits, strict=True))

    def accepts(self, material: str) -> bool:
        return not material or not self.materials or material in self.materials


@dataclass(frozen=True)
class StepSpec:
    key: str
    name: str
    process: ProcessSpec
    duration_minutes: str
    quantity: str = "1"
    predecessors: tuple[str, ...] = ()
    condition: str = ""
    material: str = ""
    length_mm: str = ""
    width_mm: str = ""
    height_mm: str = ""
    cost_drivers: tuple[tuple[str, str], ...] = ()
    # Names of cost drivers that are bought-in materials (wood, steel, packing…): the supplier buys them
    # whoever does the work, so the network quote adds them to the resource's conversion cost, which
    # replaces the other drivers (machine, labour, setup).
    material_drivers: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateSpec:
    slug: str
    name: str
    currency: str
    margin_percent: Decimal = Decimal("0")
    transport_buffer_days: int = 0
    preview_kind: str = "generic"
    parameters: tuple[ParameterSpec, ...] = ()
    derived: tuple[DerivedSpec, ...] = ()
    constraints: tuple[ConstraintSpec, ...] = ()
    steps: tuple[StepSpec, ...] = ()
    _by_key: dict[str, ParameterSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_key.update({parameter.key: parameter for parameter in self.parameters})

    def parameter(self, key: str) -> ParameterSpec | None:
        return self._by_key.get(key)

    def defaults(self) -> dict[str, object]:
        """The template's default configuration as raw input (what a fresh configurator shows)."""
        values: dict[str, object] = {}
        for parameter in self.parameters:
            if parameter.default is None or parameter.default == "":
                values[parameter.key] = ""
            elif isinstance(parameter.default, Decimal):
                values[parameter.key] = json_number(parameter.default)
            else:
                values[parameter.key] = parameter.default
        return values


def json_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number stored in designs: an int when whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)
