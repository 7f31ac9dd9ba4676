"""Writing drafts: a designer (or staff, for the network's own products) creates a new product as a version-1
draft and edits any draft of theirs; publishing is apps.catalog.versions' business.

A draft may be incomplete (the template's checks run when it is submitted), but its rows are always well-formed
(apps.catalog.definitions). A published version is never written here: `template_require_editable` refuses (409).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from apps.accounts.access import is_network_staff
from apps.catalog.definitions import definition_write
from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.versions import (
    TemplateNotFound,
    TemplateTransitionRefused,
    acts_for_designer,
    template_require_author,
    template_require_editable,
)

SLUG_MAX = 80
SECTIONS = ("parameters", "derived", "constraints", "steps")


def _slug(definition: Mapping, *, family=None) -> str:
    slug = slugify(str(definition.get("slug") or definition.get("name") or ""))[:SLUG_MAX].strip("-")
    if not slug:
        raise ValidationError({"slug": ["Give the product a name or an address of letters, digits and -."]})
    taken = ProductTemplate.objects.filter(slug=slug)
    if family is not None:
        taken = taken.exclude(family=family)
    if taken.exists():
        raise ValidationError({"slug": [f"Another product already has the address {slug!r}."]})
    return slug


@transaction.atomic
def template_draft_create(*, actor, designer=None, definition: Mapping) -> ProductTemplate:
    """A new product of `designer` (or of the network, for staff with no designer) as a version-1 draft."""
    if not (acts_for_designer(actor, designer) if designer is not None else is_network_staff(actor)):
        raise TemplateNotFound("No such designer.")
    if not isinstance(definition, Mapping):
        raise ValidationError({"definition": ["An object."]})
    template = ProductTemplate(designer=designer, status=TemplateStatus.DRAFT, version=1)
    template.slug = _slug(definition)
    template.name = str(definition.get("name") or "")[:120]
    template.currency = str(definition.get("currency") or "EUR")
    template.save()
    definition_write(template=template, definition=definition)
    return template


@transaction.atomic
def template_draft_update(
    *, actor, designer=None, template: ProductTemplate, definition: Mapping
) -> ProductTemplate:
    """Replaces a draft's definition. Refused (409) unless it is a draft or has changes requested; its address
    (slug) changes only while the product was never published."""
    template_require_author(actor=actor, designer=designer, template=template)
    locked = ProductTemplate.objects.select_for_update().get(pk=template.pk)
    template_require_editable(locked)
    if locked.is_cad_product and isinstance(definition, Mapping) and any(map(definition.get, SECTIONS)):
        raise ValidationError(
            {"definition": ["A product made from a CAD file has no parameters or routing."]}
        )
    if isinstance(definition, Mapping) and definition.get("slug") not in (None, "", locked.slug):
        if ProductTemplate.objects.filter(family=locked.family).exclude(pk=locked.pk).exists():
            raise ValidationError({"slug": ["The address stays the same across a product's versions."]})
        locked.slug = _slug(definition, family=locked.family)
    definition_write(template=locked, definition=definition)
    return locked


@transaction.atomic
def template_draft_discard(*, actor, designer=None, template: ProductTemplate) -> None:
    """The author throws away a draft (nothing can be pinned to a version that was never published)."""
    template_require_author(actor=actor, designer=designer, template=template)
    locked = ProductTemplate.objects.select_for_update().get(pk=template.pk)
    template_require_editable(locked)
    if locked.designs.exists():
        raise TemplateTransitionRefused("Designs were saved on this version; it cannot be discarded.")
    locked.delete()
