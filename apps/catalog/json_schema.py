"""A template's parameters as a JSON Schema (draft 2020-12) for API clients.

Ranges, steps, options and lengths are expressed in standard keywords; what JSON Schema cannot say (steps
counted from a minimum that is not a multiple of the step, cross-parameter constraints) is in `x-` keywords,
and the server validates everything anyway.
"""

from __future__ import annotations

from decimal import Decimal

from apps.catalog.spec import ParameterKind, ParameterSpec, TemplateSpec, json_number


def parameters_json_schema(spec: TemplateSpec) -> dict:
    properties = {parameter.key: _property(parameter) for parameter in spec.parameters}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": spec.name,
        "type": "object",
        "properties": properties,
        "required": [p.key for p in spec.parameters if p.required or p.kind != ParameterKind.TEXT],
        "additionalProperties": False,
        "x-constraints": [{"expression": c.expression, "message": c.message} for c in spec.constraints],
    }


def _property(parameter: ParameterSpec) -> dict:
    schema: dict = {"title": parameter.label}
    if parameter.help_text:
        schema["description"] = parameter.help_text
    match parameter.kind:
        case ParameterKind.NUMBER:
            schema["type"] = "number"
            if parameter.min_value is not None:
                schema["minimum"] = json_number(parameter.min_value)
            if parameter.max_value is not None:
                schema["maximum"] = json_number(parameter.max_value)
            if parameter.step:
                base = parameter.min_value or Decimal(0)
                if base % parameter.step == 0:
                    schema["multipleOf"] = json_number(parameter.step)
                schema["x-step"] = json_number(parameter.step)
            if parameter.unit:
                schema["x-unit"] = parameter.unit
            if isinstance(parameter.default, Decimal):
                schema["default"] = json_number(parameter.default)
        case ParameterKind.CHOICE | ParameterKind.COLOUR:
            schema["type"] = "string"
            schema["oneOf"] = [
                {
                    "const": option.value,
                    "title": option.label,
                    **({"x-attributes": dict(option.attributes)} if option.attributes else {}),
                }
                for option in parameter.options
            ]
            schema["default"] = parameter.default
            if parameter.kind == ParameterKind.COLOUR:
                schema["format"] = "color"
                schema["x-kind"] = "colour"
        case ParameterKind.TEXT:
            schema["type"] = "string"
            schema["maxLength"] = parameter.max_length
            schema["default"] = parameter.default or ""
    return schema
