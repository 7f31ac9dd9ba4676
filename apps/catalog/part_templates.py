"""The hidden part templates: one per kind of uploaded part (PartTemplateKind), never listed in the catalogue.

An uploaded part's design belongs to the template of its kind, which carries what staff tune for uploads
(margin, transport buffer, price breaks, currency) like any template. Migration 0008 created them in every
network; `part_template_ensure` restores a missing one (a network whose staff deleted it, or the demo seed).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.catalog.models import PartTemplateKind, ProductTemplate

PART_TEMPLATE_DEFAULTS: dict[str, dict] = {
    PartTemplateKind.MESH: {
        "slug": "part-mesh",
        "name": "Your 3D-printed part",
        "description": "Uploaded parts made by 3D printing.",
    },
    PartTemplateKind.PROFILE: {
        "slug": "part-profile",
        "name": "Your sheet part",
        "description": "Uploaded profiles cut from sheet, optionally bent and coated.",
    },
    PartTemplateKind.SOLID: {
        "slug": "part-solid",
        "name": "Your machined part",
        "description": "Uploaded solids machined from stock.",
    },
}


def part_template_ensure(*, kind: str, currency: str) -> ProductTemplate:
    """The network's part template of `kind`, created with the defaults (priced in `currency`) when missing."""
    template = ProductTemplate.objects.filter(part_kind=kind).first()
    if template is not None:
        return template
    defaults = PART_TEMPLATE_DEFAULTS[PartTemplateKind(kind)]
    slug = defaults["slug"]
    if ProductTemplate.objects.filter(slug=slug).exists():
        slug = f"{slug}-upload"
    try:
        with transaction.atomic():
            return ProductTemplate.objects.create(
                part_kind=kind,
                slug=slug,
                name=defaults["name"],
                description=defaults["description"],
                category="Uploaded parts",
                currency=currency,
                margin_percent=25,
                transport_buffer_days=2,
                price_break_quantities=[1, 5, 10, 25, 100],
            )
    except IntegrityError:  # created at the same moment by another request
        return ProductTemplate.objects.get(part_kind=kind)


def part_templates_ensure(*, currency: str) -> int:
    """Every kind's part template exists; returns how many were created (demo seed, new networks)."""
    missing = [k for k in PartTemplateKind.values if not ProductTemplate.objects.filter(part_kind=k).exists()]
    for kind in missing:
        part_template_ensure(kind=kind, currency=currency)
    return len(missing)
