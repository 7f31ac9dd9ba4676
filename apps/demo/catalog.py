"""The demo network's catalog: a parametric dining table, a bookshelf and a 3D-printed phone stand
(definitions and the reasoning behind their numbers in apps.demo.catalog_templates)."""

from __future__ import annotations

from django.db import transaction

from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.part_templates import part_templates_ensure
from apps.catalog.services import product_template_import
from apps.demo.catalog_templates import DEMO_TEMPLATES
from apps.processes.standard import processes_ensure


@transaction.atomic
def catalog_demo_seed() -> list[ProductTemplate]:
    """Ensures the standard processes, the part templates of uploads and the demo templates in the current schema. Idempotent: an existing
    template (matched by slug) is left exactly as it is, including any edits staff made to it."""
    processes_ensure()
    part_templates_ensure(currency="EUR")
    templates = []
    for definition in DEMO_TEMPLATES:
        template = _product_with_slug(definition["slug"])
        if template is None:
            template = product_template_import(definition=definition)
        templates.append(template)
    return templates


def _product_with_slug(slug: str) -> ProductTemplate | None:
    """The product's published version when it has one (a draft or retired version shares its slug), else its
    latest version; None when the network has no product of that slug."""
    versions = ProductTemplate.objects.filter(slug=slug, part_kind="")
    return versions.filter(status=TemplateStatus.PUBLISHED).first() or versions.order_by("-version").first()
