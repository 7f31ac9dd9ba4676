"""A template's definition as plain data, both ways: read one out (`template_definition`) and write one into a
draft (`definition_write`), checking every row as its model does and naming each problem by where it is
(`parameters[2].max`, `steps[0].process`), so the studio and the API show it next to its input.

The shape (JSON-friendly; the demo catalog and fixtures use it too, with pairs for derived values and constraints):

    {"name", "slug", "category", "description", "currency", "margin_percent", "transport_buffer_days",
     "price_break_quantities", "preview_kind", "royalty_kind", "royalty_bp", "royalty_minor" (within the
     network's bounds: ProductTemplate.clean asks apps.catalog.royalty),
     "parameters": [{"key", "label", "kind", "required", "help_text", "unit", "min", "max", "step", "default",
                     "max_length", "options"}],
     "derived": [{"key", "formula"}], "constraints": [{"expression", "message"}],
     "steps": [{"key", "name", "process", "predecessors": [...], "condition", "material", "quantity", "duration",
                "length", "width", "height", "cost_drivers": {name: formula}, "material_drivers": [...]}]}

Writing never judges the template as a whole (that is apps.catalog.template_checks, run on submit): a draft may
be incomplete, but every row it holds is well-formed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from apps.catalog.models import Constraint, DerivedValue, Parameter, ProductTemplate, RoutingStep
from apps.catalog.spec import ConstraintSpec, DerivedSpec, TemplateSpec
from apps.catalog.spec_cache import parameter_spec_from, step_spec_from
from apps.catalog.template_checks import PARAMETERS, STEPS, TEMPLATE, Issue
from apps.processes.models import Process

MAX_ROWS = 60  # per section: far more than any real product, small enough that a request stays cheap
PRODUCT_FIELDS = (
    "name",
    "category",
    "description",
    "currency",
    "margin_percent",
    "transport_buffer_days",
    "price_break_quantities",
    "preview_kind",
    "royalty_kind",
    "royalty_bp",
    "royalty_minor",
)
# definition key → model field, where they differ
_PARAMETER_FIELDS = {"min": "min_value", "max": "max_value"}
_STEP_FIELDS = {
    "duration": "duration_minutes",
    "length": "length_mm",
    "width": "width_mm",
    "height": "height_mm",
}


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def template_definition(template: ProductTemplate) -> dict:
    """The template as plain data (what the API returns and the studio's form starts from); a CAD product's
    adds its part (`upload`) and the options it offers (`options`)."""
    part = (
        {"upload": str(template.part_upload_id), "options": template.part_options}
        if template.is_cad_product
        else {}
    )
    return part | {
        "name": template.name,
        "slug": template.slug,
        "category": template.category,
        "description": template.description,
        "currency": template.currency,
        "margin_percent": _number(Decimal(template.margin_percent)),
        "transport_buffer_days": template.transport_buffer_days,
        "price_break_quantities": list(template.price_break_quantities),
        "preview_kind": template.preview_kind,
        "royalty_kind": template.royalty_kind,
        "royalty_bp": template.royalty_bp,
        "royalty_minor": template.royalty_minor,
        "parameters": [
            {
                "key": p.key,
                "label": p.label,
                "kind": p.kind,
                "required": p.required,
                "help_text": p.help_text,
                "unit": p.unit,
                "min": _number(p.min_value),
                "max": _number(p.max_value),
                "step": _number(p.step),
                "default": p.default,
                "max_length": p.max_length,
                "options": p.options,
            }
            for p in template.parameters.all()
        ],
        "derived": [{"key": d.key, "formula": d.formula} for d in template.derived_values.all()],
        "constraints": [
            {"expression": c.expression, "message": c.message} for c in template.constraints.all()
        ],
        "steps": [
            {
                "key": s.key,
                "name": s.name,
                "process": s.process.code,
                "predecessors": list(s.predecessor_keys),
                "condition": s.condition,
                "material": s.material,
                "quantity": s.quantity,
                "duration": s.duration_minutes,
                "length": s.length_mm,
                "width": s.width_mm,
                "height": s.height_mm,
                "cost_drivers": s.cost_drivers,
                "material_drivers": list(s.material_driver_names),
            }
            for s in template.steps.all()
        ],
    }


class _Errors:
    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, where: str, messages) -> None:
        self.by_field.setdefault(where, []).extend(messages)

    def from_validation(self, prefix: str, error: ValidationError, names: Mapping[str, str]) -> None:
        back = {model: key for key, model in names.items()}
        for field, messages in error.message_dict.items():
            self.add(f"{prefix}.{back.get(field, field)}" if field != "__all__" else prefix, messages)


def _rows(definition: Mapping, section: str, errors: _Errors) -> list[Mapping]:
    rows = definition.get(section) or []
    if not isinstance(rows, list | tuple):
        errors.add(section, ["A list."])
        return []
    if len(rows) > MAX_ROWS:
        errors.add(section, [f"At most {MAX_ROWS}."])
        return []
    normalised = []
    for index, row in enumerate(rows):
        if isinstance(row, list | tuple) and len(row) == 2:  # the demo's (key, formula) pairs
            first, second = ("key", "formula") if section == "derived" else ("expression", "message")
            row = {first: row[0], second: row[1]}
        if not isinstance(row, Mapping):
            errors.add(f"{section}[{index}]", ["An object."])
            continue
        normalised.append(row)
    return normalised


def _text(value) -> str:
    return "" if value is None else str(value)


def _names(value) -> str:
    """A list of names (or comma-separated text) as the comma-separated text the model stores."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return _text(value)


def _build_parameters(template, rows, errors) -> list[Parameter]:
    built = []
    for index, p in enumerate(rows):
        row = Parameter(
            template=template,
            position=index,
            key=_text(p.get("key")),
            label=_text(p.get("label") or p.get("key")),
            kind=_text(p.get("kind")),
            required=bool(p.get("required", True)),
            help_text=_text(p.get("help_text")),
            unit=_text(p.get("unit")),
            min_value=p.get("min"),
            max_value=p.get("max"),
            step=p.get("step"),
            default=_text(p.get("default")),
            max_length=p.get("max_length"),
            options=p.get("options") if p.get("options") is not None else [],
        )
        _clean(row, f"parameters[{index}]", _PARAMETER_FIELDS, errors)
        built.append(row)
    return built


def _clean(row, prefix: str, names: Mapping[str, str], errors: _Errors) -> None:
    try:
        row.full_clean(exclude=["template"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.from_validation(prefix, error, names)


def _build_steps(template, rows, errors) -> list[RoutingStep]:
    processes = {p.code: p for p in Process.objects.filter(code__in=[_text(r.get("process")) for r in rows])}
    built = []
    for index, s in enumerate(rows):
        process = processes.get(_text(s.get("process")))
        if process is None:
            errors.add(f"steps[{index}].process", [f"There is no process {_text(s.get('process'))!r}."])
            continue
        cost_drivers = s.get("cost_drivers")
        row = RoutingStep(
            template=template,
            position=index,
            key=_text(s.get("key")),
            name=_text(s.get("name") or s.get("key")),
            process=process,
            predecessors=_names(s.get("predecessors")),
            condition=_text(s.get("condition")),
            material=_text(s.get("material")),
            quantity=_text(s.get("quantity", "1")) or "1",
            duration_minutes=_text(s.get("duration")),
            length_mm=_text(s.get("length")),
            width_mm=_text(s.get("width")),
            height_mm=_text(s.get("height")),
            cost_drivers=dict(cost_drivers) if isinstance(cost_drivers, Mapping) else (cost_drivers or {}),
            material_drivers=_names(s.get("material_drivers")),
        )
        _clean(row, f"steps[{index}]", _STEP_FIELDS, errors)
        built.append(row)
    return built


def _duplicates(section: str, keys: list[str], field: str, errors: _Errors) -> None:
    seen = set()
    for index, key in enumerate(keys):
        if key in seen:
            errors.add(f"{section}[{index}].{field}", [f"{key!r} is used twice."])
        seen.add(key)


@dataclass
class DefinitionRows:
    """A definition's rows, built and checked one by one but not saved."""

    parameters: list[Parameter]
    derived: list[DerivedValue]
    constraints: list[Constraint]
    steps: list[RoutingStep]

    def spec(self, template: ProductTemplate) -> TemplateSpec:
        """The template as it would be with these rows (for the whole-template checks before saving)."""
        return TemplateSpec(
            slug=template.slug or "",
            name=template.name or "",
            currency=template.currency or "EUR",
            margin_percent=Decimal(template.margin_percent or 0),
            transport_buffer_days=template.transport_buffer_days or 0,
            preview_kind=template.preview_kind,
            parameters=tuple(parameter_spec_from(p) for p in self.parameters),
            derived=tuple(DerivedSpec(key=d.key, formula=d.formula) for d in self.derived),
            constraints=tuple(
                ConstraintSpec(expression=c.expression, message=c.message) for c in self.constraints
            ),
            steps=tuple(step_spec_from(s) for s in self.steps),
        )


def definition_rows(
    *, template: ProductTemplate, definition: Mapping, product_fields: bool = True
) -> DefinitionRows:
    """Sets the product fields on `template` (unsaved) and builds every row of `definition`; raises
    ValidationError keyed by where each problem is (`parameters[2].max`)."""
    if not isinstance(definition, Mapping):
        raise ValidationError({"definition": ["An object."]})
    errors = _Errors()
    if product_fields:
        breaks = definition.get("price_break_quantities")
        if breaks is not None and not (
            isinstance(breaks, list) and all(isinstance(q, int) and not isinstance(q, bool) for q in breaks)
        ):
            raise ValidationError(
                {"price_break_quantities": ["A list of whole quantities, e.g. [1, 5, 10]."]}
            )
        for name in PRODUCT_FIELDS:
            if name not in definition:
                continue
            try:  # converted first, so the model's own clean() (the royalty's bounds) only sees typed values
                value = ProductTemplate._meta.get_field(name).to_python(definition[name])
            except ValidationError as error:
                errors.add(name, error.messages)
            else:
                setattr(template, name, value)
        if not errors.by_field:
            try:
                template.full_clean(
                    exclude=["slug", "image"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors.add("definition" if field == "__all__" else field, messages)
    parameters = _build_parameters(template, _rows(definition, "parameters", errors), errors)
    derived = []
    for index, d in enumerate(_rows(definition, "derived", errors)):
        row = DerivedValue(
            template=template, position=index, key=_text(d.get("key")), formula=_text(d.get("formula"))
        )
        _clean(row, f"derived[{index}]", {}, errors)
        derived.append(row)
    constraints = []
    for index, c in enumerate(_rows(definition, "constraints", errors)):
        row = Constraint(
            template=template,
            position=index,
            expression=_text(c.get("expression")),
            message=_text(c.get("message")),
        )
        _clean(row, f"constraints[{index}]", {}, errors)
        constraints.append(row)
    steps = _build_steps(template, _rows(definition, "steps", errors), errors)
    _duplicates("parameters", [p.key for p in parameters], "key", errors)
    _duplicates("derived", [d.key for d in derived], "key", errors)
    _duplicates("steps", [s.key for s in steps], "key", errors)
    if errors.by_field:
        raise ValidationError(errors.by_field)
    return DefinitionRows(parameters, derived, constraints, steps)


def definition_write(*, template: ProductTemplate, definition: Mapping, product_fields: bool = True) -> None:
    """Replaces the draft's product fields (when given) and every child row with `definition`. Raises
    ValidationError keyed by where each problem is, and writes nothing then. The caller checked the template is
    editable and holds the transaction."""
    rows = definition_rows(template=template, definition=definition, product_fields=product_fields)
    if product_fields:
        template.save()
    for model, built in (
        (Parameter, rows.parameters),
        (DerivedValue, rows.derived),
        (Constraint, rows.constraints),
        (RoutingStep, rows.steps),
    ):
        model.objects.filter(template=template).delete()
        model.objects.bulk_create(built)
    template.__dict__.pop("_catalog_spec", None)
    if hasattr(template, "_prefetched_objects_cache"):
        template._prefetched_objects_cache.clear()


_SECTION_FIELDS = {
    PARAMETERS: {model: key for key, model in _PARAMETER_FIELDS.items()},
    STEPS: {model: key for key, model in _STEP_FIELDS.items()},
}


_MODEL_FIELD = {**_PARAMETER_FIELDS, **_STEP_FIELDS}  # no definition key means two model fields
_ROW_LOCATION = re.compile(r"^(?P<section>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$")


def issues_from_validation(error: ValidationError) -> list[Issue]:
    """`definition_rows`' errors as whole-template issues (the inverse of `issue_location`), for the callers that
    report every problem of a definition the same way (the importer)."""
    issues = []
    for where, messages in error.message_dict.items():
        match = _ROW_LOCATION.match(where)
        if match is None:
            section, index, field = TEMPLATE if where == "definition" else where, -1, ""
        else:
            section, index, field = match["section"], int(match["index"]), match["field"] or ""
            field = _MODEL_FIELD.get(field, field)
        issues.extend(Issue(section=section, index=index, field=field, message=m) for m in messages)
    return issues


def issue_location(issue: Issue) -> str:
    """Where a whole-template issue is, in the definition's own words: `steps[0].duration`, `parameters`."""
    if issue.index < 0:
        return "definition" if issue.section == TEMPLATE else issue.section
    field = _SECTION_FIELDS.get(issue.section, {}).get(issue.field, issue.field)
    where = f"{issue.section}[{issue.index}]"
    return f"{where}.{field}" if field else where
