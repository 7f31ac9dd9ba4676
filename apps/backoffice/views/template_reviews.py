"""Staff review of product versions that designers submit: the queue, and one version's review page with its
diff against the published version, the template's checks, the operations at its defaults and the decision
(approve with notes, or request changes with notes). The designer is told by e-mail (apps.catalog.versions)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.access import network_staff_required
from apps.catalog.diff import template_diff
from apps.catalog.fixed_parts import template_issues
from apps.catalog.models import TemplateStatus
from apps.catalog.selectors import (
    template_get_for_review,
    template_published_baseline,
    template_recently_reviewed,
    template_review_queue,
    template_versions_of_family,
)
from apps.catalog.versions import APPROVE, DECISIONS, NOTES_MAX, template_review
from apps.core.errors import Conflict, InvalidInput, form_add_service_error
from apps.uploads.viewing import PartView, part_drawing_response, part_view


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS], widget=forms.HiddenInput)
    notes = forms.CharField(
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when asking for changes; the designer reads them.",
    )


@require_GET
@network_staff_required
def review_list(request):
    return render(
        request,
        "backoffice/templates/review_list.html",
        {"queue": template_review_queue(), "recent": template_recently_reviewed()},
    )


@require_http_methods(["GET", "POST"])
@network_staff_required
def review_detail(request, template_id: int):
    template = template_get_for_review(template_id=template_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template_review(
                actor=request.user,
                template=template,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
            )
        except (InvalidInput, Conflict) as error:
            form_add_service_error(form, error)
        else:
            verb = "published" if form.cleaned_data["decision"] == APPROVE else "sent back with your notes"
            messages.success(request, f"{template.name} v{template.version} is {verb}.")
            return redirect("backoffice:template_review_list")
    published = template_published_baseline(template=template)
    context = {
        "template": template,
        "published": published,
        "changes": template_diff(published, template),
        "issues": template_issues(template),
        "part": _part(template),
        "versions": template_versions_of_family(family=template.family),
        "form": form,
        "in_review": template.status == TemplateStatus.IN_REVIEW,
    }
    return render(
        request, "backoffice/templates/review_detail.html", context, status=400 if form.errors else 200
    )


def _part(template) -> PartView | None:
    """A CAD product's part as the uploads pages draw it (3D view or drawing, measurements, findings)."""
    if not template.is_cad_product:
        return None
    return part_view(
        template.part_upload, drawing_url=reverse("backoffice:template_review_drawing", args=[template.pk])
    )


@require_GET
@network_staff_required
def review_drawing(request, template_id: int):
    template = template_get_for_review(template_id=template_id)
    return part_drawing_response(template.part_upload if template.is_cad_product else None)
