"""Public pages about designers: applying to design for the network, and each designer's page (their products in
the shop and what customers said)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from apps.designers.forms import DesignerApplyForm
from apps.designers.reviews import rating_of_designer, reviews_of_designer
from apps.designers.selectors import designer_products_in_shop, designer_public_get
from apps.designers.services import designer_apply
from apps.portal.views.apply import application_page

REVIEWS_SHOWN = 20


@require_http_methods(["GET", "POST"])
def apply(request):
    return application_page(
        request, form_class=DesignerApplyForm, apply=designer_apply, template_name="designers/apply.html"
    )


@require_GET
def designer_page(request, slug: str):
    designer = designer_public_get(slug=slug)
    context = {
        "designer": designer,
        "templates": designer_products_in_shop(designer=designer),
        "rating": rating_of_designer(designer=designer),
        "reviews": reviews_of_designer(designer=designer)[:REVIEWS_SHOWN],
    }
    return render(request, "designers/designer_page.html", context)
