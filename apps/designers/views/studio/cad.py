"""The studio's CAD products (/designer/studio/cad/…): upload a CAD file (the customers' upload, analysis, checks
and repairs), see the analysis as customers see theirs, choose the options customers may pick, name, describe
and set the royalty, preview the product page with a test quote exactly as customers will see it, then submit
it for review (the studio's own submit, apps.catalog.versions). Another designer's product or upload is a 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.catalog.selectors import template_get_for_designer
from apps.core.errors import Conflict, service_error_fields
from apps.designers.views.studio.access import designer_studio_required
from apps.designers.views.studio.cad_forms import CadProductForm
from apps.storefront.forms_uploads import PartUploadForm
from apps.storefront.views.cad_products import cad_product_context
from apps.uploads.display import repair_texts, units_readings
from apps.uploads.offer import Offer, network_offer
from apps.uploads.options import part_choices
from apps.uploads.products import cad_product_create, cad_product_issues, cad_product_update, offered_values
from apps.uploads.services import upload_create, upload_repair, upload_units_set
from apps.uploads.status import OPEN, UploadStatus
from apps.uploads.viewing import part_analysis, part_drawing_response, part_view

NEW = "designers/studio/cad_new.html"
EDITOR = "designers/studio/cad_editor.html"


def _cad_product(request, template_id):
    template = template_get_for_designer(designer=request.designer, template_id=template_id)
    if not template.is_cad_product:
        raise Http404("No such CAD product.")
    return template


@require_http_methods(["GET", "POST"])
@designer_studio_required
def studio_cad_new(request):
    """One file makes one product (a version-1 draft named after the file unless a name is given)."""
    if request.method == "GET":
        return render(request, NEW, {"form": PartUploadForm()})
    form = PartUploadForm(request.POST, request.FILES)
    name = request.POST.get("name", "").strip()[:120]
    if form.is_valid() and len(form.cleaned_data["files"]) > 1:
        form.add_error("files", "Upload one file: one file makes one product.")
    if form.is_valid():
        uploaded = form.cleaned_data["files"][0]
        try:
            upload = upload_create(actor=request.user, uploaded_file=uploaded, name=name)
            template = cad_product_create(
                actor=request.user,
                designer=request.designer,
                upload_id=upload.pk,
                definition={"name": name or upload.name},
            )
        except ValidationError as error:
            for messages_ in service_error_fields(error).values():
                for message in messages_:
                    form.add_error("files", message)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect("designers:studio_cad_edit", template.pk)
    return render(request, NEW, {"form": form, "name": name}, status=400)


def _form(template, data=None, *, offer: Offer | None = None) -> CadProductForm:
    analysis = part_analysis(template.part_upload)
    offered = offered_values(part_choices(analysis.kind, offer or network_offer())) if analysis else {}
    initial = {name: getattr(template, name) for name in ("name", "category", "description", "royalty_kind")}
    initial |= {"royalty_bp": template.royalty_bp, "royalty_minor": template.royalty_minor}
    return CadProductForm(data, initial=initial, offered=offered, chosen=template.part_options)


def _context(request, template, *, form=None, preview_data=None, offer: Offer | None = None, **extra) -> dict:
    upload = template.part_upload
    part = part_view(upload, drawing_url=reverse("designers:studio_cad_drawing", args=[template.pk]))
    if offer is None and part.analysis is not None:
        # the form, the checks and the preview each need it: read once a request, and not while the file is
        # being analysed (the page polls then, and none of them reads it)
        offer = network_offer()
    context = {
        "template": template,
        "upload": upload,
        "part": part,
        "analysing": upload.status in OPEN,
        "repairs": repair_texts(upload.repairs),
        "units_readings": units_readings(part.analysis)
        if part.analysis and not upload.units_from_file
        else [],
        "repairable": [n for n in part.findings if n.finding.repairable],
        "form": form or _form(template, offer=offer),
        "issues": cad_product_issues(template, offer=offer) if upload.status == UploadStatus.READY else [],
        **extra,
    }
    context["submit_blocked"] = bool(context["issues"]) or context["analysing"]
    context["preview"] = _preview_context(request, template, preview_data, offer=offer)
    return context


def _preview_context(request, template, data=None, *, offer: Offer | None = None) -> dict:
    """The product page's options-and-quote panel as customers will see it, on this version."""
    context = cad_product_context(
        request,
        template,
        data,
        drawing_url=reverse("designers:studio_cad_drawing", args=[template.pk]),
        order_url=reverse("designers:studio_cad_preview", args=[template.pk]),
        offer=offer,
    )
    context["preview_only"] = True
    return context


@require_http_methods(["GET", "POST"])
@designer_studio_required
@vary_on_headers("HX-Request")
def studio_cad_edit(request, template_id):
    template = _cad_product(request, template_id)
    if request.htmx and request.method == "GET":  # polled while the file is analysed
        return render(request, f"{EDITOR}#part", _context(request, template))
    if request.method == "GET":
        return render(request, EDITOR, _context(request, template))
    offer = network_offer()
    form = _form(template, request.POST, offer=offer)
    status = 400
    if not template.is_editable:
        form.add_error(None, "Published versions never change: make a new version to edit it.")
        status = 409
    elif form.is_valid():
        try:
            template = cad_product_update(
                actor=request.user, designer=request.designer, template=template, definition=form.definition()
            )
        except ValidationError as error:
            form.add_service_errors(service_error_fields(error))
        except Conflict as error:
            form.add_error(None, str(error))
            status = 409
        else:
            return redirect("designers:studio_cad_edit", template.pk)
    return render(request, EDITOR, _context(request, template, form=form, offer=offer), status=status)


@require_POST
@designer_studio_required
@vary_on_headers("HX-Request")
def studio_cad_preview(request, template_id):
    """A test quote with the options the designer tries (htmx: the panel again)."""
    template = _cad_product(request, template_id)
    context = _preview_context(request, template, request.POST)
    if request.htmx:
        return render(request, "storefront/uploads/detail.html#order", context)
    return render(request, EDITOR, _context(request, template, preview_data=request.POST))


def _upload_action(request, template_id, action):
    template = _cad_product(request, template_id)
    try:
        action(template.part_upload)
    except ValidationError as error:
        message = " ".join(m for ms in service_error_fields(error).values() for m in ms)
        return render(request, EDITOR, _context(request, template, action_error=message), status=400)
    except (Conflict, PermissionDenied) as error:
        return render(request, EDITOR, _context(request, template, action_error=str(error)), status=409)
    return redirect("designers:studio_cad_edit", template.pk)


@require_POST
@designer_studio_required
def studio_cad_units(request, template_id):
    return _upload_action(
        request,
        template_id,
        lambda upload: upload_units_set(actor=request.user, upload=upload, units=request.POST.get("units")),
    )


@require_POST
@designer_studio_required
def studio_cad_repair(request, template_id):
    return _upload_action(
        request, template_id, lambda upload: upload_repair(actor=request.user, upload=upload)
    )


@require_GET
@designer_studio_required
def studio_cad_drawing(request, template_id):
    return part_drawing_response(_cad_product(request, template_id).part_upload)
