"""The demo catalogue offers only what the demo network can make: every option value of every demo template,
with the extremes of every range, against the seeded demo workshops."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

import pytest

from apps.catalog.selectors import template_spec_for
from apps.catalog.spec import ParameterKind, TemplateSpec
from apps.catalog.validation import InvalidConfiguration, configuration_validate
from apps.demo.catalog import catalog_demo_seed
from apps.demo.suppliers import suppliers_demo_seed
from apps.matching.makeable import steps_unmakeable
from apps.matching.problem import steps_from_compiled


def _number(value):
    return int(value) if value == int(value) else float(value)


def _choices(spec: TemplateSpec) -> dict[str, list]:
    """The values each parameter must be tried with: every option, both ends of a range, empty and full text."""
    values = {}
    for p in spec.parameters:
        if p.kind == ParameterKind.NUMBER:
            values[p.key] = [_number(p.min_value), _number(p.max_value)]
        elif p.kind in (ParameterKind.CHOICE, ParameterKind.COLOUR):
            values[p.key] = [o.value for o in p.options]
        elif p.kind == ParameterKind.TEXT:
            values[p.key] = ["", "W" * (p.max_length or 30)]
    return values


def _configurations(spec: TemplateSpec) -> Iterator[dict]:
    """Every combination of the choice and text values (colours one at a time) with the numbers at their
    defaults, all at their minimum, all at their maximum, and each alone at either end."""
    choices = _choices(spec)
    defaults = spec.defaults()
    numbers = [p.key for p in spec.parameters if p.kind == ParameterKind.NUMBER]
    combined = [p.key for p in spec.parameters if p.kind in (ParameterKind.CHOICE, ParameterKind.TEXT)]
    colours = [p.key for p in spec.parameters if p.kind == ParameterKind.COLOUR]
    number_sets = [{}, {k: choices[k][0] for k in numbers}, {k: choices[k][1] for k in numbers}]
    number_sets += [{k: v} for k in numbers for v in choices[k]]
    for picked in itertools.product(*(choices[k] for k in combined)):
        for numbers_set in number_sets:
            yield {**defaults, **dict(zip(combined, picked, strict=True)), **numbers_set}
    for key in colours:
        for value in choices[key]:
            yield {**defaults, key: value}


@pytest.mark.django_db
def test_every_demo_option_can_be_made_by_the_demo_network(in_tenant_a):
    templates = catalog_demo_seed()
    suppliers_demo_seed()
    failures, checked = [], {}
    for template in templates:
        spec = template_spec_for(template)
        tried = {key: set() for key in _choices(spec)}
        for values in _configurations(spec):
            try:
                configuration = configuration_validate(spec, values)
            except InvalidConfiguration:
                continue  # the configurator refuses it: never offered
            for key, value in values.items():
                if key in tried:
                    tried[key].add(value)
            # Whether a step can be made depends on the step alone (a machine that takes it, an opening long
            # enough): each distinct step is checked once, on its own.
            for step in steps_from_compiled(configuration.operations, prefix="m."):
                signature = (step.process, step.material, step.dimensions_mm, step.reference_minutes)
                if signature not in checked:
                    checked[signature] = steps_unmakeable(
                        (replace(step, predecessors=()),), tenant=in_tenant_a
                    )
                failures += [(template.slug, values, reason.message) for reason in checked[signature]]
        missing = {k: set(v) - tried[k] for k, v in _choices(spec).items() if set(v) - tried[k]}
        assert not missing, f"{template.slug}: values never in a valid configuration: {missing}"
    messages = dict.fromkeys(f"{slug}: {message}" for slug, _, message in failures)
    assert not failures, f"{len(failures)} unmakeable demo configurations:\n" + "\n".join(list(messages)[:10])
