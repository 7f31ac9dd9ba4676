"""Writes of the catalog: designs and their versions, and templates imported from plain data."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.catalog.compile import Operation
from apps.catalog.definitions import definition_write, issues_from_validation
from apps.catalog.models import (
    Design,
    DesignVersion,
    ProductTemplate,
)
from apps.catalog.selectors import template_spec_for
from apps.catalog.template_checks import Issue, template_check
from apps.catalog.validation import ValidConfiguration, configuration_validate
from apps.core.errors import InvalidInput

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
    (the demo catalog, fixtures, future imports), through the studio's own writer (`definition_write`). Checked as
    a whole; raises TemplateInvalid and saves nothing when any row, formula or definition is wrong.
    """
    template = ProductTemplate(
        slug=definition["slug"], position=definition.get("position", 0), active=definition.get("active", True)
    )
    try:
        definition_write(template=template, definition=definition)
    except ValidationError as error:
        raise TemplateInvalid(issues_from_validation(error)) from None
    issues = template_check(template_spec_for(template))
    if issues:
        raise TemplateInvalid(issues)
    return template
