"""What the network cannot make of a draft: each option of its choices and colours, and each number at its minimum
and maximum, tried with the other parameters at their defaults against the network's machines (the same
makeability check carts use, apps.matching.makeable), so a designer sees before review which options no workshop
here can make, and why."""

from __future__ import annotations

from dataclasses import dataclass

from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.spec import ParameterKind, json_number
from apps.catalog.validation import InvalidConfiguration
from apps.matching.makeable import configuration_unmakeable
from apps.tenants.models import Tenant

MAX_VARIANTS = 40  # a bound on the work one page asks of the network


@dataclass(frozen=True)
class CoverageRow:
    parameter: str
    option: str
    reasons: tuple[str, ...]  # empty: the network can make it
    invalid: str = ""  # the variant breaks a rule of the product itself (e.g. a constraint)


def _variants(spec):
    for parameter in spec.parameters:
        if parameter.kind in (ParameterKind.CHOICE, ParameterKind.COLOUR):
            for option in parameter.options:
                yield parameter, option.label, option.value
        elif parameter.kind == ParameterKind.NUMBER and parameter.min_value is not None:
            for bound in (parameter.min_value, parameter.max_value):
                if bound is not None:
                    yield parameter, f"{json_number(bound)} {parameter.unit}".strip(), json_number(bound)


def options_unmakeable(*, template: ProductTemplate, tenant: Tenant) -> list[CoverageRow]:
    spec = template_spec_for(template)
    defaults = spec.defaults()
    rows = []
    for index, (parameter, label, value) in enumerate(_variants(spec)):
        if index >= MAX_VARIANTS:
            break
        try:
            reasons = configuration_unmakeable(
                template=template, values={**defaults, parameter.key: value}, tenant=tenant
            )
        except InvalidConfiguration as error:
            rows.append(CoverageRow(parameter.label, label, (), invalid=str(error)))
            continue
        rows.append(CoverageRow(parameter.label, label, tuple(dict.fromkeys(r.message for r in reasons))))
    return rows
