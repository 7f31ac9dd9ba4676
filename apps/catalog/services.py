"""Writes of the catalog: designs and their versions, and templates imported from plain data."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.catalog.compile import Operation
from apps.catalog.models import (
    Constraint,
    DerivedValue,
    Design,
    DesignVersion,
    Parameter,
    PreviewKind,
    ProductTemplate,
    RoutingStep,
    default_price_breaks,
)
from apps.catalog.selectors import template_spec_for
from apps.catalog.template_checks import Issue, template_check
from apps.catalog.validation import ValidConfiguration, configuration_validate
from apps.core.errors import InvalidInput
from apps.processes.models import Process

NAME_MAX = 100


class InvalidDesignName(InvalidInput, ValueError):
    @property
    def field_errors(self) -> dict:
        return {"name": [str(self)]}


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidDesignName("Give the design a name.")
    if len(name) > NAME_MAX:
        raise InvalidDesignName(f"At most {NAME_MAX} characters.")
    if not name.isprintable():
        raise InvalidDesignName("Use letters, digits, spaces and punctuation only.")
    return name


def _version_create(*, design: Design, number: int, configuration: ValidConfiguration) -> DesignVersion:
    version = DesignVersion.objects.create(
        design=design,
        number=number,
        values=configuration.values,
        operations=[operation.as_dict() for operation in configuration.operations],
    )
    Design.objects.filter(pk=design.pk).update(current_version=version)
    design.current_version = version
    return version


@transaction.atomic
def design_create(*, owner, template: ProductTemplate, name: str, values: Mapping[str, object]) -> Design:
    """Validates the configuration and saves it as version 1 of a new design with a fresh private share token.

    Raises InvalidConfiguration (per-parameter errors) or InvalidDesignName; nothing is saved then.
    """
    configuration = configuration_validate(template_spec_for(template), values)
    design = Design.objects.create(
        owner=owner, template=template, name=_clean_name(name), share_token=secrets.token_urlsafe(32)
    )
    _version_create(design=design, number=1, configuration=configuration)
    return design


@transaction.atomic
def design_update(
    *, design: Design, name: str | None = None, values: Mapping[str, object] | None = None
) -> DesignVersion:
    """Renames and/or saves new values. New values that differ from the current version make a new version;
    versions are never edited. Returns the (possibly new) current version.

    The design row is locked so two concurrent edits get consecutive version numbers.
    """
    locked = (
        Design.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=design.pk)
    )
    configuration = None
    if values is not None:
        configuration = configuration_validate(template_spec_for(design.template), values)
    fields = {}
    if name is not None:
        fields["name"] = _clean_name(name)
    version = locked.current_version
    if configuration is not None and (version is None or configuration.values != version.values):
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = _version_create(design=locked, number=number, configuration=configuration)
    if fields or version != design.current_version:
        fields["updated_at"] = timezone.now()
        Design.objects.filter(pk=design.pk).update(**fields)
    for field, value in fields.items():
        setattr(design, field, value)
    design.current_version = version
    return version


@transaction.atomic
def design_compiled_save(
    *,
    owner,
    template: ProductTemplate,
    name: str,
    values: Mapping[str, object],
    operations: tuple[Operation, ...],
    design: Design | None = None,
) -> DesignVersion:
    """Saves operations compiled outside a template's routing (an uploaded part: apps/uploads/designs.py) as
    version 1 of a new design of `owner`, or as the next version of `design` (its row locked, so concurrent saves
    get consecutive numbers). Saving what the current version already holds returns it; versions are never
    edited. The caller validated `values` and compiled `operations`."""
    configuration = ValidConfiguration(values=dict(values), operations=tuple(operations))
    if design is None:
        design = Design.objects.create(
            owner=owner, template=template, name=_clean_name(name), share_token=secrets.token_urlsafe(32)
        )
        return _version_create(design=design, number=1, configuration=configuration)
    locked = (
        Design.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=design.pk)
    )
    if locked.owner_id != owner.pk or locked.template_id != template.pk:
        raise ValueError("A design is saved by its owner, within its template.")
    version = locked.current_version
    stored = [operation.as_dict() for operation in configuration.operations]
    if version is not None and version.values == configuration.values and version.operations == stored:
        return version
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = _version_create(design=locked, number=number, configuration=configuration)
    Design.objects.filter(pk=design.pk).update(name=_clean_name(name), updated_at=timezone.now())
    design.current_version = version
    return version


class TemplateInvalid(ValueError):
    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(f"{i.section}[{i.index}].{i.field}: {i.message}" for i in issues))
        self.issues = issues


@transaction.atomic
def product_template_import(*, definition: Mapping) -> ProductTemplate:
    """Creates a template with its parameters, derived values, constraints and routing from plain data
    (the demo catalog, fixtures, future imports). Checked as a whole; raises TemplateInvalid and saves nothing
    when any formula or definition is wrong. Process codes must exist.
    """
    template = ProductTemplate.objects.create(
        slug=definition["slug"],
        name=definition["name"],
        category=definition.get("category", ""),
        description=definition.get("description", ""),
        currency=definition.get("currency", "EUR"),
        margin_percent=Decimal(str(definition.get("margin_percent", 25))),
        transport_buffer_days=definition.get("transport_buffer_days", 3),
        price_break_quantities=list(definition.get("price_break_quantities") or default_price_breaks()),
        preview_kind=definition.get("preview_kind", PreviewKind.GENERIC),
        position=definition.get("position", 0),
        active=definition.get("active", True),
    )
    for position, p in enumerate(definition.get("parameters", ())):
        Parameter.objects.create(
            template=template,
            position=position,
            key=p["key"],
            label=p.get("label", p["key"]),
            kind=p["kind"],
            required=p.get("required", True),
            help_text=p.get("help_text", ""),
            unit=p.get("unit", ""),
            min_value=_decimal(p.get("min")),
            max_value=_decimal(p.get("max")),
            step=_decimal(p.get("step")),
            default=str(p.get("default", "")),
            max_length=p.get("max_length"),
            options=p.get("options", []),
        )
    for position, (key, formula) in enumerate(definition.get("derived", ())):
        DerivedValue.objects.create(template=template, position=position, key=key, formula=formula)
    for position, (expression, message) in enumerate(definition.get("constraints", ())):
        Constraint.objects.create(
            template=template, position=position, expression=expression, message=message
        )
    processes = {p.code: p for p in Process.objects.all()}
    for position, s in enumerate(definition.get("steps", ())):
        RoutingStep.objects.create(
            template=template,
            position=position,
            key=s["key"],
            name=s.get("name", s["key"]),
            process=processes[s["process"]],
            predecessors=", ".join(s.get("predecessors", ())),
            condition=s.get("condition", ""),
            material=s.get("material", ""),
            quantity=str(s.get("quantity", "1")),
            duration_minutes=str(s["duration"]),
            length_mm=str(s.get("length", "")),
            width_mm=str(s.get("width", "")),
            height_mm=str(s.get("height", "")),
            cost_drivers=dict(s.get("cost_drivers", {})),
            material_drivers=", ".join(s.get("material_drivers", ())),
        )
    issues = template_check(template_spec_for(template))
    if issues:
        raise TemplateInvalid(issues)
    return template


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
