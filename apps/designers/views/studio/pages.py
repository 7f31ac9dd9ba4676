"""The designer studio (/designer/studio/): a designer's products and their versions; the editor of a draft with
the template's checks inline as the designer types (htmx autosave of the draft); a live preview of the
configurator exactly as customers see it (the storefront's own context and partials, on the draft); test quotes
against the network and the options it cannot make; submit for review, make a new version, retire, discard.

Another designer's product is a 404, like a missing one; every write goes through apps.catalog.drafts/versions,
which check again that the signed-in member acts for the product's designer.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.catalog.definitions import issue_location, template_definition
from apps.catalog.drafts import template_draft_create, template_draft_discard, template_draft_update
from apps.catalog.selectors import template_get_for_designer, template_spec_for
from apps.catalog.template_checks import template_check
from apps.catalog.validation import InvalidConfiguration
from apps.catalog.versions import (
    TemplateHasIssues,
    template_retire,
    template_submit,
    template_version_create,
)
from apps.core.errors import Conflict, InvalidInput, service_error_fields
from apps.designers.selectors import DesignerProduct, designer_products_all
from apps.designers.views.studio.access import designer_studio_required
from apps.designers.views.studio.coverage import options_unmakeable
from apps.designers.views.studio.forms import StudioEditor
from apps.storefront.views.catalog import configurator_context

EDITOR = "designers/studio/editor.html"


def _families_recent_first(designer) -> list[DesignerProduct]:
    return sorted(designer_products_all(designer=designer), key=lambda p: p.latest.updated_at, reverse=True)


@require_GET
@designer_studio_required
def studio_home(request):
    return render(
        request, "designers/studio/home.html", {"families": _families_recent_first(request.designer)}
    )


@require_POST
@designer_studio_required
def studio_new(request):
    name = request.POST.get("name", "").strip()[:120]
    category = request.POST.get("category", "").strip()[:60]
    try:
        template = template_draft_create(
            actor=request.user,
            designer=request.designer,
            definition={"name": name, "slug": name, "category": category},
        )
    except ValidationError as error:
        for messages_ in service_error_fields(error).values():
            for message in messages_:
                messages.error(request, message)
        return redirect("designers:studio")
    return redirect("designers:studio_edit", template.pk)


def _issues(template) -> list[tuple[str, str]]:
    return [(issue_location(i), i.message) for i in template_check(template_spec_for(template))]


def _preview_context(request, template, data=None) -> dict:
    """The storefront configurator's own context for the draft (its defaults, or the values tried)."""
    spec = template_spec_for(template)
    if not spec.parameters:
        return {"preview_empty": True}
    if data is None:
        data = {key: str(value) for key, value in spec.defaults().items()}
    try:
        context = configurator_context(request, template, data)
    except InvalidConfiguration:  # pragma: no cover - the form validates before quoting
        return {"preview_empty": True}
    context["cart_enabled"] = False  # a draft is tried, never bought
    return context


@require_http_methods(["GET", "POST"])
@designer_studio_required
@vary_on_headers("HX-Request")
def studio_edit(request, template_id):
    template = template_get_for_designer(designer=request.designer, template_id=template_id)
    if template.is_cad_product:  # an uploaded part: its own editor (studio/cad.py)
        return redirect("designers:studio_cad_edit", template.pk)
    leftover: list[str] = []
    status = 200
    saved = False
    if request.method == "POST" and template.is_editable:
        editor = StudioEditor(data=request.POST)
        if editor.is_valid():
            definition = editor.definition()
            try:
                template_draft_update(
                    actor=request.user, designer=request.designer, template=template, definition=definition
                )
            except ValidationError as error:
                leftover = editor.add_errors(service_error_fields(error))
                status = 400
            except Conflict as error:
                leftover = [str(error)]
                status = 409
            template = template_get_for_designer(designer=request.designer, template_id=template.pk)
            saved = status == 200
        else:
            status = 400
    else:
        editor = StudioEditor(definition=template_definition(template))
    issues = _issues(template)
    if saved:  # the template's checks go next to the inputs they are about
        by_place: dict[str, list[str]] = {}
        for where, message in issues:
            by_place.setdefault(where, []).append(message)
        leftover = editor.add_errors(by_place)
    context = {
        "template": template,
        "editor": editor,
        "leftover": leftover,
        "issues": issues,
        "saved": saved,
    }
    if request.htmx:
        # htmx swaps 200 answers only; the fragment carries the inline errors either way.
        response = render(request, f"{EDITOR}#editor", context)
        if saved:
            response["HX-Trigger"] = "studio-saved"
        return response
    context.update(_preview_context(request, template))
    return render(request, EDITOR, context, status=status)


@require_POST
@designer_studio_required
@vary_on_headers("HX-Request")
def studio_preview(request, template_id):
    """The configurator as customers see it, on the draft, with the values the designer tries (htmx: the
    storefront's own `live` fragment)."""
    template = template_get_for_designer(designer=request.designer, template_id=template_id)
    data = request.POST if request.POST.get("tried") else None
    context = _preview_context(request, template, data)
    if context.get("preview_empty"):
        return render(request, "designers/studio/_preview_empty.html", context)
    return render(request, "designers/studio/_preview.html", context)


@require_GET
@designer_studio_required
def studio_coverage(request, template_id):
    """Which options (and extremes of each number) the network cannot make, and why."""
    template = template_get_for_designer(designer=request.designer, template_id=template_id)
    rows = options_unmakeable(template=template, tenant=request.tenant) if not _issues(template) else None
    return render(request, "designers/studio/_coverage.html", {"template": template, "rows": rows})


def _act(request, template_id, action, done: str):
    template = template_get_for_designer(designer=request.designer, template_id=template_id)
    try:
        result = action(template)
    except TemplateHasIssues as error:
        messages.error(
            request,
            "Fix the problems listed first: "
            + "; ".join(f"{where}: {' '.join(m)}" for where, m in error.field_errors.items()),
        )
    except (Conflict, InvalidInput) as error:
        messages.error(request, str(error))
    except ObjectDoesNotExist:
        raise Http404("No such product.") from None
    else:
        messages.success(request, done)
        if result is not None:
            return redirect("designers:studio_edit", result.pk)
        return redirect("designers:studio")
    return redirect("designers:studio_edit", template.pk)


@require_POST
@designer_studio_required
def studio_submit(request, template_id):
    note = request.POST.get("note", "")[:4000]
    return _act(
        request,
        template_id,
        lambda t: template_submit(actor=request.user, designer=request.designer, template=t, note=note),
        "Submitted for review: the network's staff will answer by e-mail.",
    )


@require_POST
@designer_studio_required
def studio_new_version(request, template_id):
    return _act(
        request,
        template_id,
        lambda t: template_version_create(actor=request.user, designer=request.designer, template=t),
        "A new draft version: edit it, then submit it for review.",
    )


@require_POST
@designer_studio_required
def studio_retire(request, template_id):
    return _act(
        request,
        template_id,
        lambda t: template_retire(actor=request.user, designer=request.designer, template=t),
        "Retired: customers no longer see it; orders already placed are made as bought.",
    )


@require_POST
@designer_studio_required
def studio_discard(request, template_id):
    return _act(
        request,
        template_id,
        lambda t: template_draft_discard(actor=request.user, designer=request.designer, template=t),
        "Draft discarded.",
    )
