"""Reads about designers: the public page, the portal's home and the catalogue's designer filter."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.selectors import template_list_active, template_list_for_designer
from apps.designers.models import Designer
from apps.suppliers.status import ParticipantStatus


def designer_public_get(*, slug: str) -> Designer:
    """The designer of a public page: an approved designer of this network, or Http404 (applicants, rejected
    and suspended designers have no public page)."""
    designer = Designer.objects.filter(slug=slug, status=ParticipantStatus.APPROVED).first()
    if designer is None:
        raise Http404("No such designer.")
    return designer


def designer_products_in_shop(*, designer: Designer) -> QuerySet[ProductTemplate]:
    """The designer's products customers can configure: the catalogue's own rule, narrowed to the designer."""
    return template_list_active(designer=designer.slug)


@dataclass(frozen=True)
class DesignerProduct:
    """One product of the designer across its versions (newest first)."""

    versions: list[ProductTemplate]

    @property
    def latest(self) -> ProductTemplate:
        return self.versions[0]

    @property
    def in_shop(self) -> ProductTemplate | None:
        """The published version while the product is listed."""
        return next((v for v in self.versions if v.status == TemplateStatus.PUBLISHED and v.active), None)


def designer_products_all(*, designer: Designer) -> list[DesignerProduct]:
    """Every product the designer owns (each once, whatever its versions), by name: the portal and the studio."""
    families: dict = {}
    for template in template_list_for_designer(designer=designer):  # newest version first within a family
        families.setdefault(template.family, []).append(template)
    products = [DesignerProduct(versions=versions) for versions in families.values()]
    return sorted(products, key=lambda product: (product.latest.name.lower(), product.latest.pk))


@dataclass(frozen=True)
class NextStep:
    text: str
    url_name: str = ""  # "designers:…" (reversed by the portal home view); "" for a step with no page


def designer_next_steps(*, designer: Designer, is_owner: bool, has_products: bool) -> list[NextStep]:
    """What the designer should do next, most pressing first (the portal's home page)."""
    steps = []
    if designer.status == ParticipantStatus.APPLIED:
        steps.append(NextStep("Staff are reviewing your application; they will e-mail you once they decide."))
    elif designer.status == ParticipantStatus.SUSPENDED:
        steps.append(NextStep("Your account is suspended; staff have e-mailed you the reason."))
    elif not designer.onboarded:
        if is_owner:
            steps.append(
                NextStep("Finish Stripe onboarding so the network can pay you.", "designers:payouts_setup")
            )
        else:
            steps.append(
                NextStep("Your studio's owner must finish Stripe onboarding before you can be paid.")
            )
    if not has_products:
        steps.append(NextStep("Compose your first product in the studio.", "designers:studio"))
    return steps
