"""Storefront pages: home, catalog, configurator (live validation, preview and quote) and the customer's designs.

Each view serves the full page, or with HX-Request its fragment (django-template-partials), so every page
works without JavaScript and htmx only makes it live.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.catalog.models import Design, ProductTemplate
from apps.catalog.selectors import (
    design_get_by_share_token,
    design_get_for_owner,
    design_list_for_owner,
    design_versions,
    template_categories,
    template_designers,
    template_get_active,
    template_list_active,
    template_spec_for,
)
from apps.catalog.services import InvalidDesignName, design_create, design_update
from apps.catalog.validation import InvalidConfiguration
from apps.core.errors import form_add_service_error
from apps.core.fragments import page_body_cached, page_body_key
from apps.designers.reviews import rating_of_template, reviews_of_template
from apps.matching.makeable import DesignUnmakeable
from apps.matching.quoting import QuoteContext, price_breaks, quote_context
from apps.processes.selectors import process_names
from apps.storefront.catalog_page import catalog_fingerprint
from apps.storefront.display import ValueRow, describe_values
from apps.storefront.forms import DESIGN_NAME, ConfigurationForm
from apps.storefront.part_quoting import part_quote
from apps.storefront.preview import preview_svg
from apps.storefront.throttles import quote_limit_wait, quote_unless_limited
from apps.storefront.views.cad_products import cad_product_page
from apps.uploads.options import part_options_describe

CONFIGURATOR = "storefront/configurator.html"
REVIEWS_SHOWN = 20  # the newest; the API lists more


def home(request):
    """The network's storefront home page, branded with its name and accent colour."""
    return render(request, "storefront/home.html")


def cart_enabled() -> bool:
    """The add-to-cart button appears once the orders app provides `storefront:cart_add`."""
    try:
        reverse("storefront:cart_add")
    except NoReverseMatch:
        return False
    return True


CATALOG = "storefront/catalog.html"
CATALOG_BODY = "storefront/_catalog_body.html"
DESIGNED_BY = "designers/_designed_by.html"
PRODUCT_CARD = "storefront/_product_card.html"


@require_GET
@vary_on_headers("HX-Request")
def catalog(request):
    """The catalogue with its filters (htmx asks for the results only). A repeat view is one statement (the
    fingerprint of the catalogue's rows: catalog_page.py) and one cache read."""
    category = request.GET.get("category", "")[:60]
    query = request.GET.get("q", "").strip()[:100]
    designer = request.GET.get("designer", "")[:80]
    part = "results" if request.htmx else "page"
    viewer = request.user.pk if request.user.is_authenticated else None

    def key_of(fingerprint: str) -> str:
        return page_body_key(
            "catalog",
            templates=(CATALOG_BODY, PRODUCT_CARD, DESIGNED_BY),
            content=(viewer, fingerprint, category, query, designer, part),
        )

    def draw() -> tuple[str, None]:
        context = {
            "templates": template_list_active(category=category, query=query, designer=designer),
            "categories": template_categories(),
            "designers": template_designers(),
            "category": category,
            "designer": designer,
            "q": query,
        }
        html = render_to_string(f"{CATALOG_BODY}#results" if part == "results" else CATALOG_BODY, context)
        return html, None  # nothing on it moves with time

    body = page_body_cached(
        key_of=key_of,
        fingerprint=catalog_fingerprint(),
        read_fingerprint=catalog_fingerprint,
        draw=draw,
        now=timezone.now(),
    )
    if request.htmx:
        return HttpResponse(body)
    return render(request, CATALOG, {"body": body})


def configurator_context(request, template: ProductTemplate, data, *, design: Design | None = None):
    """Binds the form to `data`, validates, and builds the preview and (when valid) the quote: everything the
    configurator's partials render (the designer studio's live preview renders them from this too)."""
    spec = template_spec_for(template)
    form = ConfigurationForm(spec, data, with_name=True)
    quote, quote_wait, breaks = None, "", ()
    if form.is_valid():
        shared = quote_context(tenant=request.tenant, destination=None)
        quote, quote_wait = quote_unless_limited(
            request, template=template, values=form.configuration.values, context=shared
        )
        breaks = _price_breaks(
            request, template, form.configuration.values, quote, shared, form.configuration.operations
        )
    return {
        "template": template,
        "form": form,
        "preview": preview_svg(spec, form.raw_values()),
        "quote": quote,
        "quote_wait": quote_wait,
        "price_breaks": breaks,
        "design": design,
        "cart_enabled": cart_enabled(),
    }


def _price_breaks(
    request, template: ProductTemplate, values, quote, shared: QuoteContext, operations=None
) -> tuple:
    """The table of quantities, when the network can make the design at all (cached quotes each).
    `operations`: the form's, compiled when it validated (not compiled again for the table)."""
    if quote is None or not quote.feasible:
        return ()
    return price_breaks(
        template=template, values=values, tenant=request.tenant, context=shared, operations=operations
    )


def _initial_data(spec, source, name: str) -> dict[str, object]:
    """The template's defaults, overridden by any parameter given in `source` (e.g. a link's query string)."""
    data = {key: str(value) for key, value in spec.defaults().items()}
    data.update({p.key: source[p.key] for p in spec.parameters if p.key in source})
    data[DESIGN_NAME] = source.get(DESIGN_NAME, name)
    return data


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def configurator(request, slug: str):
    template = template_get_active(slug=slug)
    if template.is_cad_product:  # a designer's uploaded part: options of the part, no parameters
        return cad_product_page(request, template)
    spec = template_spec_for(template)
    if request.method == "GET":
        context = configurator_context(
            request, template, _initial_data(spec, request.GET, f"My {template.name.lower()}")
        )
        rating = rating_of_template(template=template)
        # Most products have no review yet: their count says so, without asking for the (empty) list.
        reviews = reviews_of_template(template=template)[:REVIEWS_SHOWN] if rating.count else ()
        context.update(rating=rating, reviews=reviews)
        return render(request, CONFIGURATOR, context)
    if request.POST.get("action") == "save" and not request.user.is_authenticated:
        values = {p.key: request.POST.get(p.key, "") for p in spec.parameters}
        return redirect_to_login(f"{request.path}?{urlencode(values)}")
    context = configurator_context(request, template, request.POST)
    form = context["form"]
    if request.POST.get("action") == "save" and form.is_valid():
        try:
            design = design_create(
                owner=request.user,
                template=template,
                name=form.cleaned_data.get(DESIGN_NAME, ""),
                values=form.configuration.values,
            )
        except (InvalidConfiguration, InvalidDesignName) as error:
            form_add_service_error(form, error, field_map={"name": DESIGN_NAME})
        else:
            messages.success(request, f"Saved “{design.name}”.")
            return redirect("storefront:design_detail", design_id=design.pk)
    name = f"{CONFIGURATOR}#live" if request.htmx else CONFIGURATOR
    return render(request, name, context, status=200 if form.is_valid() else 400)


@require_POST
@vary_on_headers("HX-Request")
def configurator_validate(request, slug: str):
    """Live validation: the fields with inline errors, plus the preview and quote panels (out of band)."""
    template = template_get_active(slug=slug)
    if (
        template.is_cad_product
    ):  # its options are checked by its own page (a template's parameters it has none)
        return cad_product_page(request, template)
    context = configurator_context(request, template, request.POST)
    # htmx swaps 200 responses only; the fragment carries the inline errors either way.
    if request.htmx:
        return render(request, f"{CONFIGURATOR}#live", context)
    return render(request, CONFIGURATOR, context, status=200 if context["form"].is_valid() else 400)


@require_GET
def configurator_preview(request, slug: str):
    """The preview as an image (catalog cards, links); query parameters override the defaults."""
    template = template_get_active(slug=slug)
    spec = template_spec_for(template)
    svg = preview_svg(spec, _initial_data(spec, request.GET, ""))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@require_GET
def design_list(request):
    return render(
        request, "storefront/design_list.html", {"designs": design_list_for_owner(owner=request.user)}
    )


def _part_design_context(request, design: Design) -> dict:
    """An uploaded part's design: its options in words and the quote of its saved operations (no configurator,
    no parametric preview: the part's own page shows the file)."""
    version = design.current_version
    values = part_options_describe(version.values, process_names([version.values.get("process", "")]))
    quote, quote_error, breaks = None, "", ()
    quote_wait = quote_limit_wait(request)
    if not quote_wait:
        try:
            quote, breaks = part_quote(
                template=design.template,
                operations=version.operations,
                values=version.values,
                tenant=request.tenant,
                parameters={"design_version": str(version.pk)},
            )
        except DesignUnmakeable as error:
            quote_error = str(error)
    return {
        "design": design,
        "template": design.template,
        "version": version,
        "values": [ValueRow(label, text) for label, text in values],
        "preview": "",
        "quote": quote,
        "quote_error": quote_error,
        "quote_wait": quote_wait,
        "price_breaks": breaks,
        "cart_enabled": cart_enabled(),
        "configure_url": "",
    }


def _design_context(request, design: Design) -> dict:
    template = design.template
    if template.has_fixed_part:
        return _part_design_context(request, design)
    spec = template_spec_for(template)
    version = design.current_version
    quote, quote_error, quote_wait, breaks = None, "", "", ()
    try:
        shared = quote_context(tenant=request.tenant, destination=None)
        quote, quote_wait = quote_unless_limited(
            request, template=template, values=version.values, context=shared
        )
        breaks = _price_breaks(request, template, version.values, quote, shared)
    except InvalidConfiguration as error:
        quote_error = " ".join(message for messages_ in error.errors.values() for message in messages_)
    return {
        "design": design,
        "template": template,
        "version": version,
        "values": describe_values(spec, version.values),
        "preview": preview_svg(spec, version.values),
        "quote": quote,
        "quote_error": quote_error,
        "quote_wait": quote_wait,
        "price_breaks": breaks,
        "cart_enabled": cart_enabled(),
        "configure_url": f"{reverse('storefront:configurator', args=[template.slug])}?{urlencode(version.values)}",
    }


@login_required
@require_GET
def design_detail(request, design_id: int):
    design = design_get_for_owner(owner=request.user, design_id=design_id)
    context = _design_context(request, design)
    context["versions"] = design_versions(design=design)
    context["share_url"] = request.build_absolute_uri(
        reverse("storefront:design_shared", args=[design.share_token])
    )
    return render(request, "storefront/design_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def design_edit(request, design_id: int):
    """Edits make a new version; the versions before it stay as they were."""
    design = design_get_for_owner(owner=request.user, design_id=design_id)
    template = design.template
    if template.has_fixed_part:
        raise Http404("An uploaded part's options are changed on its own page, not in the configurator.")
    if request.method == "GET":
        data = {key: str(value) for key, value in design.current_version.values.items()}
        data[DESIGN_NAME] = design.name
        return render(request, CONFIGURATOR, configurator_context(request, template, data, design=design))
    context = configurator_context(request, template, request.POST, design=design)
    form = context["form"]
    if form.is_valid():
        try:
            version = design_update(
                design=design, name=form.cleaned_data.get(DESIGN_NAME, ""), values=form.configuration.values
            )
        except InvalidDesignName as error:
            form_add_service_error(form, error, field_map={"name": DESIGN_NAME})
        else:
            messages.success(request, f"Saved version {version.number} of “{design.name}”.")
            return redirect("storefront:design_detail", design_id=design.pk)
    name = f"{CONFIGURATOR}#live" if request.htmx else CONFIGURATOR
    return render(request, name, context, status=200 if form.is_valid() else 400)


@require_GET
def design_shared(request, token: str):
    """Read-only view through the private link; no sign-in needed, nothing can be changed here."""
    design = design_get_by_share_token(token=token)
    response = render(request, "storefront/design_shared.html", _design_context(request, design))
    # The token is the secret: never leak it to other sites through the Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response
