from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.throttle import signup_throttled, throttled_response
from apps.core.errors import form_add_service_error
from apps.tenants.forms import NetworkFindForm, NetworkSignupForm
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_domain_url, tenant_find
from apps.tenants.services import tenant_create


@require_http_methods(["GET", "POST"])
def network_signup(request):
    """The public site's home: what Cloud Factory is, and the form that provisions a network."""
    form = NetworkSignupForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid():
        # Each sign-up clones a whole schema: counted per client address and per admin e-mail.
        wait = signup_throttled(request, form, email=form.cleaned_data["admin_email"])
    if request.method == "POST" and form.is_valid() and not wait:
        data = form.cleaned_data
        try:
            tenant = tenant_create(
                name=data["name"],
                subdomain=data["subdomain"],
                currency=data["currency"],
                admin_email=data["admin_email"],
                admin_password=data["admin_password"],
                admin_name=data["admin_name"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return redirect("network_created", slug=tenant.slug)
    response = render(request, "public/home.html", {"form": form}, status=400 if form.errors else 200)
    return throttled_response(response, wait) if wait else response


@require_GET
def network_find(request):
    """ "Sign in to your network": a person who knows the network's name or subdomain is sent to its sign-in page."""
    form = NetworkFindForm(request.GET if "network" in request.GET else None)
    if form.is_valid():
        tenant = tenant_find(form.cleaned_data["network"])
        if tenant is not None:
            return redirect(tenant_domain_url(tenant, path="/accounts/login/"))
        form.add_error(
            "network", "No network has that name or subdomain. Check the address in your invitation."
        )
    return render(request, "public/find.html", {"form": form}, status=400 if form.errors else 200)


def network_created(request, slug: str):
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None or tenant.is_template:
        return redirect("network_signup")
    return render(
        request,
        "public/created.html",
        {
            "tenant": tenant,
            "url": tenant_domain_url(tenant),
            "login_url": tenant_domain_url(tenant, path="/accounts/login/"),
        },
    )
