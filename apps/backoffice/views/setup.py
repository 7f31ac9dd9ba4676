"""The owner's first minutes: where the owner starts, the setup checklist and the network's brand."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.access import network_owner_required
from apps.backoffice.setup import network_setup_steps
from apps.core.currencies import currency_label
from apps.core.errors import form_add_service_error
from apps.tenants.services import tenant_brand_update


class BrandForm(forms.Form):
    name = forms.CharField(label="Network name", max_length=100)
    accent_color = forms.CharField(
        label="Colour",
        max_length=7,
        help_text="Used for the header's line, links and buttons.",
        widget=forms.TextInput(attrs={"type": "color"}),
    )


@require_GET
@network_owner_required
def start(request):
    """Where the owner lands after signing in: the checklist until every step is done, then the dashboard."""
    if all(step.done for step in network_setup_steps(tenant=request.tenant)):
        return redirect("backoffice:dashboard")
    return redirect("backoffice:setup")


@require_GET
@network_owner_required
def setup(request):
    steps = network_setup_steps(tenant=request.tenant)
    return render(
        request,
        "backoffice/setup.html",
        {"steps": steps, "done": sum(step.done for step in steps)},
    )


@require_http_methods(["GET", "POST"])
@network_owner_required
def brand(request):
    tenant = request.tenant
    form = BrandForm(request.POST or None, initial={"name": tenant.name, "accent_color": tenant.accent_color})
    if request.method == "POST" and form.is_valid():
        try:
            tenant_brand_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Your brand is saved.")
            return redirect("backoffice:setup")
    return render(
        request,
        "backoffice/brand.html",
        {"form": form, "currency": currency_label(tenant.currency)},
        status=400 if form.errors else 200,
    )
