"""Reads of the catalog. Access helpers raise Http404 for "missing" and "not yours" alike."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from apps.catalog.models import (
    Design,
    DesignVersion,
    Parameter,
    ProductTemplate,
    RoutingStep,
    TemplateStatus,
)
from apps.catalog.spec import TemplateSpec
from apps.catalog.spec_cache import (
    FINGERPRINT,
    SpecParts,
    definition_fingerprint,
    spec_parts_cached,
    spec_parts_from,
)


def _catalogue() -> QuerySet[ProductTemplate]:
    """The active templates customers configure: the published version of each product (drafts, versions in
    review, superseded and retired ones never), and never the hidden part templates of uploads."""
    return ProductTemplate.objects.filter(active=True, part_kind="", status=TemplateStatus.PUBLISHED)


def template_list_active(
    *, category: str = "", query: str = "", designer: str = ""
) -> QuerySet[ProductTemplate]:
    """The catalogue, with each product's designer ("designed by"); `designer` is a designer's slug."""
    templates = _catalogue().select_related("designer")
    if category:
        templates = templates.filter(category=category)
    if designer:
        templates = templates.filter(designer__slug=designer)
    if query:
        templates = templates.filter(
            Q(name__icontains=query) | Q(description__icontains=query) | Q(category__icontains=query)
        )
    return templates


def template_categories() -> list[str]:
    return list(_catalogue().order_by("category").values_list("category", flat=True).distinct())


def template_designers() -> list[tuple[str, str]]:
    """(slug, name) of the designers with a product in the catalogue, by name: the catalogue's designer filter."""
    return list(
        _catalogue()
        .filter(designer__isnull=False)
        .order_by("designer__name", "designer__slug")
        .values_list("designer__slug", "designer__name")
        .distinct()
    )


def template_get_active(*, slug: str) -> ProductTemplate:
    """The storefront's access helper: an active template of the current network, or 404. Its definition
    (template_spec_for) comes with it from the process's cache, keyed by a fingerprint of the definition's rows
    read in the same statement (spec_cache.py): one statement instead of five."""
    template = (
        _catalogue()
        .select_related("designer")
        .filter(slug=slug)
        .annotate(**{FINGERPRINT: definition_fingerprint()})
        .first()
    )
    if template is None:
        raise Http404("No such product.")
    template._catalog_spec = _spec_of(template, spec_parts_cached(template))
    return template


def _with_definition(templates: QuerySet[ProductTemplate]) -> QuerySet[ProductTemplate]:
    return templates.prefetch_related(
        Prefetch("parameters", queryset=Parameter.objects.order_by("position", "id")),
        "derived_values",
        "constraints",
        Prefetch("steps", queryset=RoutingStep.objects.select_related("process").order_by("position", "id")),
    )


def template_spec_for(template: ProductTemplate) -> TemplateSpec:
    """The template as frozen data. Uses prefetched rows when the caller loaded them with the definition
    (template_get_active attaches it from the process's definition cache: spec_cache.py)."""
    cache = getattr(template, "_catalog_spec", None)
    if cache is not None:
        return cache
    parts = spec_parts_from(
        template.parameters.all(),
        template.derived_values.all(),
        template.constraints.all(),
        template.steps.all(),
    )
    template._catalog_spec = _spec_of(template, parts)
    return template._catalog_spec


def _spec_of(template: ProductTemplate, parts: SpecParts) -> TemplateSpec:
    """The spec of the template's own row (read fresh with every request) and its definition's parts."""
    return TemplateSpec(
        slug=template.slug,
        name=template.name,
        currency=template.currency,
        margin_percent=Decimal(template.margin_percent),
        transport_buffer_days=template.transport_buffer_days,
        preview_kind=template.preview_kind,
        parameters=parts.parameters,
        derived=parts.derived,
        constraints=parts.constraints,
        steps=parts.steps,
    )


def design_list_for_owner(*, owner) -> QuerySet[Design]:
    return Design.objects.filter(owner=owner).select_related("template", "current_version")


def design_get_for_owner(*, owner, design_id: int) -> Design:
    """The owner's design or 404 (another customer's design looks exactly like a missing one)."""
    if owner is None or not owner.is_authenticated:
        raise Http404("No such design.")
    design = (
        Design.objects.filter(pk=design_id, owner=owner)
        .select_related("current_version", "owner")
        .prefetch_related(Prefetch("template", queryset=_with_definition(ProductTemplate.objects.all())))
        .first()
    )
    if design is None:
        raise Http404("No such design.")
    return design


def design_get_by_share_token(*, token: str) -> Design:
    if not token or len(token) > 64:
        raise Http404("No such design.")
    design = (
        Design.objects.filter(share_token=token)
        .select_related("current_version")
        .prefetch_related(Prefetch("template", queryset=_with_definition(ProductTemplate.objects.all())))
        .first()
    )
    if design is None:
        raise Http404("No such design.")
    return design


def design_versions(*, design: Design) -> QuerySet[DesignVersion]:
    return design.versions.order_by("-number")


def template_review_queue() -> QuerySet[ProductTemplate]:
    """Versions waiting for staff, the longest-waiting first."""
    return (
        ProductTemplate.objects.filter(status=TemplateStatus.IN_REVIEW, part_kind="")
        .select_related("designer", "submitted_by")
        .order_by("submitted_at", "id")
    )


def template_recently_reviewed(*, limit: int = 20) -> list[ProductTemplate]:
    return list(
        ProductTemplate.objects.filter(reviewed_at__isnull=False, part_kind="")
        .select_related("designer", "reviewed_by")
        .order_by("-reviewed_at", "-id")[:limit]
    )


def template_get_for_review(*, template_id: int) -> ProductTemplate:
    """Any version of a product (not a part template) with its definition, for staff; 404 when missing."""
    template = (
        _with_definition(ProductTemplate.objects.filter(pk=template_id, part_kind=""))
        .select_related("designer", "submitted_by", "reviewed_by")
        .first()
    )
    if template is None:
        raise Http404("No such template.")
    return template


def template_published_baseline(*, template: ProductTemplate) -> ProductTemplate | None:
    """The published version `template` is reviewed against: its family's published one, or None when there is
    none or `template` is that version itself."""
    return (
        _with_definition(
            ProductTemplate.objects.filter(family=template.family, status=TemplateStatus.PUBLISHED)
        )
        .exclude(pk=template.pk)
        .select_related("designer")
        .first()
    )


def template_versions_of_family(*, family) -> QuerySet[ProductTemplate]:
    return ProductTemplate.objects.filter(family=family).order_by("-version")


def template_list_for_designer(*, designer) -> QuerySet[ProductTemplate]:
    """The designer's own products, every version, newest version of each family first within the family."""
    if designer is None:
        return ProductTemplate.objects.none()
    return ProductTemplate.objects.filter(designer=designer, part_kind="").order_by("family", "-version")


def template_get_for_designer(*, designer, template_id) -> ProductTemplate:
    """The designer's own version with its definition, or 404 (another designer's looks exactly missing)."""
    if designer is None or not str(template_id).isdecimal():
        raise Http404("No such template.")
    template = _with_definition(
        ProductTemplate.objects.filter(pk=int(template_id), designer=designer, part_kind="")
    ).first()
    if template is None:
        raise Http404("No such template.")
    return template
