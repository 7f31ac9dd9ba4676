"""Human-readable values of a configuration, for design pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from apps.catalog.spec import ParameterKind, TemplateSpec


@dataclass(frozen=True)
class ValueRow:
    label: str
    text: str
    swatch: str = ""


def describe_values(spec: TemplateSpec, values: Mapping[str, object]) -> list[ValueRow]:
    rows = []
    for parameter in spec.parameters:
        value = values.get(parameter.key, "")
        match parameter.kind:
            case ParameterKind.NUMBER:
                text = f"{value} {parameter.unit}".strip()
                rows.append(ValueRow(parameter.label, text))
            case ParameterKind.CHOICE | ParameterKind.COLOUR:
                option = parameter.option(str(value))
                label = option.label if option else str(value)
                swatch = str(value) if parameter.kind == ParameterKind.COLOUR else ""
                rows.append(ValueRow(parameter.label, label, swatch))
            case _:
                rows.append(ValueRow(parameter.label, str(value) or "—"))
    return rows
