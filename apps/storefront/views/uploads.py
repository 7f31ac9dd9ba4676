"""The customer's own parts: upload CAD files, watch the analysis, answer the units question, repair, choose the
options and quantity, see the quote and add the part to the cart; and the list of their parts.

A customer must be signed in (the files are their own IP). Each view parses, checks that the part is the
customer's (another's answers 404 like a missing one), and calls one service of apps.uploads; the pages work as
plain form posts and htmx only makes them live (the analysis is polled, the quote follows the options).
"""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.catalog.part_templates import part_template_ensure
from apps.core.errors import Conflict, form_add_service_error
from apps.storefront.forms_uploads import MAX_FILES_PER_UPLOAD, PartUploadForm, UnitsForm
from apps.storefront.part_ordering import options_quote_context, part_cart_add
from apps.uploads.access import upload_get_for_owner
from apps.uploads.designs import (
    part_compile,
    part_design_save,
)
from apps.uploads.display import repair_texts, units_readings
from apps.uploads.models import PartUpload
from apps.uploads.offer import network_offer
from apps.uploads.options import part_choices, part_options_default
from apps.uploads.selectors import upload_list_for_owner
from apps.uploads.services import upload_create, upload_repair, upload_units_set
from apps.uploads.status import OPEN
from apps.uploads.storage import max_upload_bytes
from apps.uploads.throttles import AnalysisRateThrottle
from apps.uploads.viewing import part_analysis, part_drawing_response, part_view

UPLOAD = "storefront/uploads/upload.html"
DETAIL = "storefront/uploads/detail.html"


def _upload_for_owner(request, upload_id) -> PartUpload:
    return upload_get_for_owner(user=request.user, upload_id=upload_id)


def _limits() -> list[str]:
    megabytes = max_upload_bytes() // (1024 * 1024)
    return [
        f"Up to {megabytes} MB per upload, {MAX_FILES_PER_UPLOAD} files at a time.",
        "Units: millimetres unless the file says otherwise; you can switch to inches after the upload.",
        "Files are checked by their content: a file must be what its name says.",
    ]


@login_required
@require_GET
def part_list(request):
    uploads = upload_list_for_owner(owner=request.user)
    return render(request, "storefront/uploads/list.html", {"uploads": uploads})


@login_required
@require_http_methods(["GET", "POST"])
def part_upload(request):
    """One part per file. A file that is refused gets its message inline and nothing of it is kept; the files
    accepted beside it are uploaded."""
    if request.method == "GET":
        return render(request, UPLOAD, {"form": PartUploadForm(), "limits": _limits()})
    form = PartUploadForm(request.POST, request.FILES)
    created: list[PartUpload] = []
    if form.is_valid():
        for uploaded in form.cleaned_data["files"]:
            if wait := _analysis_limit_wait(request):
                form.add_error("files", f"{uploaded.name}: {wait}")
                continue
            try:
                created.append(upload_create(actor=request.user, uploaded_file=uploaded))
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error("files", f"{uploaded.name}: {message}")
            except PermissionDenied as error:
                form.add_error(None, str(error))
                break
    if created and not form.errors:
        if len(created) == 1:
            return redirect("storefront:part_detail", upload_id=created[0].pk)
        messages.success(request, f"{len(created)} parts uploaded: each is being checked.")
        return redirect("storefront:part_list")
    if created:
        names = ", ".join(upload.original_name for upload in created)
        messages.success(request, f"Uploaded {names}; the other files were not.")
    return render(request, UPLOAD, {"form": form, "limits": _limits(), "created": created}, status=400)


def _analysis_limit_wait(request) -> str:
    """Counts one analysis asked by this customer (as the uploads API does): "" while within the limit, else
    when they may ask again, in words."""
    throttle = AnalysisRateThrottle()
    if throttle.allow_request(request, None):
        return ""
    minutes = max(1, math.ceil((throttle.wait() or 60) / 60))
    return (
        "You have asked for many analyses in a short time; "
        f"try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _part_context(request, upload: PartUpload, **extra) -> dict:
    part = part_view(upload, drawing_url=reverse("storefront:part_drawing", args=[upload.pk]))
    context = {
        "upload": upload,
        "order_url": reverse("storefront:part_quote", args=[upload.pk]),
        "part": part,
        "analysing": upload.status in OPEN,
        "units_readings": [],
        "repairable": [],
        "repairs": repair_texts(upload.repairs),
        "blocking": True,
        "options_form": None,
    }
    analysis = part.analysis
    if analysis is not None:
        context["units_readings"] = [] if upload.units_from_file else units_readings(analysis)
        context["repairable"] = [numbered for numbered in part.findings if numbered.finding.repairable]
        context["blocking"] = bool(analysis.errors)
        if not context["blocking"] and "options_form" not in extra:
            context.update(_order_context(request, upload, analysis))
    context.update(extra)
    return context


def _order_context(request, upload: PartUpload, analysis, data=None) -> dict:
    """The options form (bound to `data`, else the part's saved options or the network's first choice) and, when
    the options are fine, the quote with its lead-time options and price breaks; or why it cannot be made."""
    offer = network_offer()
    saved = upload.design.current_version.values if upload.design_id else None
    return options_quote_context(
        request,
        choices=part_choices(analysis.kind, offer),
        initial=saved or part_options_default(analysis.kind, offer, analysis.features),
        data=data,
        compile_part=lambda options: part_compile(upload=upload, options=options, offer=offer),
        template_for=lambda compiled: part_template_ensure(kind=compiled.kind, currency=offer.currency),
        parameters={"upload": str(upload.pk)},
    )


def _live(request, upload: PartUpload, *, status: int = 200, **extra):
    """The part's live region (htmx) or the whole page."""
    context = _part_context(request, upload, **extra)
    if request.htmx:
        return render(request, f"{DETAIL}#live", context)
    return render(request, DETAIL, context, status=status)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def part_detail(request, upload_id):
    return _live(request, _upload_for_owner(request, upload_id))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def part_units(request, upload_id):
    upload = _upload_for_owner(request, upload_id)
    form = UnitsForm(request.POST)
    if form.is_valid() and (wait := _analysis_limit_wait(request)):
        return _live(request, upload, status=429, action_error=wait)
    if form.is_valid():
        try:
            upload = upload_units_set(actor=request.user, upload=upload, units=form.cleaned_data["units"])
        except ValidationError as error:
            form_add_service_error(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            return (
                redirect("storefront:part_detail", upload_id=upload.pk)
                if not request.htmx
                else _live(request, upload)
            )
    error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    return _live(request, upload, status=400, units_error=error)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def part_repair(request, upload_id):
    upload = _upload_for_owner(request, upload_id)
    if wait := _analysis_limit_wait(request):
        return _live(request, upload, status=429, action_error=wait)
    try:
        upload = upload_repair(actor=request.user, upload=upload)
    except Conflict as error:
        return _live(request, upload, status=409, action_error=str(error))
    if request.htmx:
        return _live(request, upload)
    return redirect("storefront:part_detail", upload_id=upload.pk)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def part_quote_view(request, upload_id):
    """The options changed (htmx: the order panel again) or "Add to cart": the part is saved as a design version
    with these options (part_design_save) and that version goes into the cart."""
    upload = _upload_for_owner(request, upload_id)
    analysis = part_analysis(upload)
    if analysis is None or analysis.errors:
        return _live(request, upload, status=409)
    context = _part_context(request, upload, **_order_context(request, upload, analysis, data=request.POST))
    form = context["options_form"]
    if request.POST.get("action") == "cart" and form is not None and context.get("compiled"):
        added = part_cart_add(
            request,
            form,
            name=upload.name,
            design_save=lambda options: part_design_save(actor=request.user, upload=upload, options=options),
        )
        if added is not None:
            return added
    status = 200 if request.htmx or (form is not None and form.is_valid()) else 400
    if request.htmx:
        return render(request, f"{DETAIL}#order", context)
    return render(request, DETAIL, context, status=status)


@login_required
@require_GET
def part_drawing(request, upload_id):
    """The DXF drawing the analyser made, as an image (the media view would only offer it as a download)."""
    return part_drawing_response(_upload_for_owner(request, upload_id))
