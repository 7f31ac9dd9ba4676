"""The public "become a partner" page of a network: a workshop or a carrier applies to join. Designers apply on
their own page (apps/designers/views/public.py), served by the same `application_page`."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.services import EmailInUse
from apps.accounts.throttle import signup_throttled, throttled_response
from apps.accounts.views import signup_confirmation_sent, signup_email_in_use
from apps.core.errors import form_add_service_error
from apps.portal.forms import ApplyForm
from apps.suppliers.services import participant_apply


def application_page(request, *, form_class, apply, template_name: str):
    """Shows `form_class`; a valid post goes to `apply(**cleaned_data)`, which returns the new participant."""
    form = form_class(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid():
        wait = signup_throttled(request, form, email=form.cleaned_data["contact_email"])
    if request.method == "POST" and form.is_valid() and not wait:
        try:
            participant = apply(**form.cleaned_data)
        except EmailInUse:
            return signup_email_in_use(
                request, email=form.cleaned_data["contact_email"], password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            # The login works once the e-mail is confirmed; until then the answer is the one an address that
            # already has an account gets, so the page never tells the two apart.
            user = participant.members.select_related("user").get().user
            return signup_confirmation_sent(request, user=user)
    response = render(request, template_name, {"form": form}, status=400 if form.errors else 200)
    return throttled_response(response, wait) if wait else response


@require_http_methods(["GET", "POST"])
def apply(request):
    return application_page(
        request, form_class=ApplyForm, apply=participant_apply, template_name="portal/apply.html"
    )
