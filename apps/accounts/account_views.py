"""The signed-in user's account page: who they are and their personal access tokens for the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.forms import ApiTokenForm
from apps.accounts.tokens import token_create, token_list_for_user, token_revoke

TEMPLATE = "accounts/account.html"


def _render(request, *, form, issued=None, status=200):
    context = {
        "form": form,
        "issued": issued,
        "tokens": token_list_for_user(user=request.user),
        "now": timezone.now(),
    }
    # htmx swaps the token panel only; without JavaScript the whole page comes back.
    template = f"{TEMPLATE}#tokens" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


@never_cache  # the answer to a create shows the token's secret: no cache may keep it
@vary_on_headers("HX-Request")
@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """GET: the page. POST: issue a token and show its secret, this once; errors keep the input (400)."""
    if request.method == "GET":
        return _render(request, form=ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            issued = token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _render(
                request,
                form=ApiTokenForm(),
                issued=issued,
            )
    return _render(request, form=form, status=400)


@never_cache
@vary_on_headers("HX-Request")
@login_required
@require_POST
def token_revoke_view(request, pk: int):
    """Revokes one of the user's own tokens (anyone else's: 404)."""
    token = token_revoke(user=request.user, token_id=pk)
    if request.htmx:
        return _render(request, form=ApiTokenForm())
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("accounts:account")
