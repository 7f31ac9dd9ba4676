"""The public "become a partner" page of a network: a workshop or a carrier applies to join."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.errors import form_add_service_error
from apps.portal.forms import ApplyForm
from apps.suppliers.services import participant_apply
from apps.suppliers.status import ParticipantKind


@require_http_methods(["GET", "POST"])
def apply(request):
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_apply(**form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            user = participant.members.select_related("user").get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Thank you! {participant.name} has applied; we will e-mail you once staff have decided.",
            )
            is_carrier = participant.kind == ParticipantKind.CARRIER
            return redirect("portal:carrier_dashboard" if is_carrier else "portal:dashboard")
    return render(request, "portal/apply.html", {"form": form}, status=400 if form.errors else 200)
