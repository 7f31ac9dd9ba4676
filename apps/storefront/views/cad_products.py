"""A designer's CAD product in the storefront (/catalog/<slug>/ when the product is made of an uploaded part): the
part's 3D view or drawing and its measurements as the uploads pages draw them, the options the designer offers
(apps/uploads/products.py), the network's quote with the designer's royalty, and "Add to cart" — which saves the
customer's choice as a design version pinned to this version of the product. The buyer sees the part, never the
designer's file.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.catalog.models import ProductTemplate
from apps.designers.reviews import rating_of_template, reviews_of_template
from apps.storefront.part_ordering import cad_product_quote_parameters, options_quote_context, part_cart_add
from apps.uploads.offer import Offer, network_offer
from apps.uploads.options import part_choices, part_choices_narrow
from apps.uploads.products import (
    cad_product_compile,
    cad_product_default_options,
    cad_product_design_save,
    cad_product_get_published,
)
from apps.uploads.viewing import part_drawing_response, part_view

PAGE = "storefront/cad_product.html"
REVIEWS_SHOWN = 20


def cad_product_context(
    request,
    template: ProductTemplate,
    data=None,
    *,
    drawing_url: str,
    order_url: str,
    offer: Offer | None = None,
) -> dict:
    """The product page's context (the studio previews a draft with it: `drawing_url` and `order_url` are the
    caller's, and so is `offer`, the network's, when it has it already)."""
    part = part_view(template.part_upload, drawing_url=drawing_url)
    context = {"template": template, "part": part, "order_url": order_url, "options_form": None}
    context["blocking"] = part.analysis is None
    if part.analysis is None:
        return context
    offer = offer or network_offer()
    context.update(
        options_quote_context(
            request,
            choices=part_choices_narrow(part_choices(part.analysis.kind, offer), template.part_options),
            initial=cad_product_default_options(template=template, offer=offer),
            data=data,
            compile_part=lambda options: cad_product_compile(template=template, options=options, offer=offer),
            template_for=lambda _compiled: template,
            parameters=cad_product_quote_parameters(template),
        )
    )
    return context


def _page_context(request, template: ProductTemplate, data=None) -> dict:
    context = cad_product_context(
        request,
        template,
        data,
        drawing_url=reverse("storefront:cad_product_drawing", args=[template.slug]),
        order_url=reverse("storefront:configurator", args=[template.slug]),
    )
    context.update(
        rating=rating_of_template(template=template),
        reviews=reviews_of_template(template=template)[:REVIEWS_SHOWN],
    )
    return context


def cad_product_page(request, template: ProductTemplate):
    """GET: the product with the first choice of options; POST: other options (htmx: the order panel again), or
    "Add to cart" (signed-in customers; others are sent to sign in first)."""
    if request.method == "GET":
        return render(request, PAGE, _page_context(request, template))
    if request.POST.get("action") == "cart" and not request.user.is_authenticated:
        return redirect_to_login(request.path)
    context = _page_context(request, template, data=request.POST)
    form = context["options_form"]
    if request.POST.get("action") == "cart" and form is not None and context.get("compiled"):
        added = part_cart_add(
            request,
            form,
            name=template.name,
            design_save=lambda options: cad_product_design_save(
                actor=request.user, template=template, options=options
            ),
        )
        if added is not None:
            return added
    if request.htmx:
        return render(request, "storefront/uploads/detail.html#order", context)
    return render(request, PAGE, context, status=200 if form is not None and form.is_valid() else 400)


@require_GET
def cad_product_drawing(request, slug: str):
    """The drawing of a published CAD product made of a DXF profile (an image; never the file itself)."""
    return part_drawing_response(cad_product_get_published(slug=slug).part_upload)
