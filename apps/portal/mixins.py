"""Base views of the supplier and carrier portals.

A portal view resolves the signed-in member's company once (`self.company`; Http404 for anyone who is not a
member) and every queryset it uses comes from `scoped()`, which filters by that company. A view that needs
an object by id calls `get_scoped_object(pk)`; there is no unscoped getter, so forgetting the scope is hard.
Pages render in the network's time zone (forms read local times in it too).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from apps.core.errors import form_add_service_error
from apps.suppliers import access
from apps.suppliers.status import MemberRole


@method_decorator(vary_on_headers("HX-Request"), name="dispatch")
class PortalView(LoginRequiredMixin):
    """Common plumbing; use SupplierPortalView or CarrierPortalView."""

    portal: str = ""
    scoped_model: type[Model] | None = None
    scope_lookup: str = (
        ""  # path from scoped_model to the company, e.g. "asset_owner" or "resource__asset_owner"
    )
    owner_only = False  # True: operators get 403 (a member, but not allowed to do this)
    along_value = None  # what `along()` asked the membership's statement for

    def along(self) -> access.Along | None:
        """An SQL expression of the member's company (its page body's fingerprint) to read in the same statement
        as the membership: the value lands in `along_value`. None: the membership alone."""
        return None

    def resolve_member(self, user):
        raise NotImplementedError

    def company_of(self, member):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.member = self.resolve_member(request.user)
        self.company = self.company_of(self.member)
        if self.owner_only and self.member.role != MemberRole.OWNER:
            return HttpResponse("Only the company's owner can do this.", status=403)
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, model: type[Model] | None = None, lookup: str | None = None) -> QuerySet:
        """`model`'s rows that belong to the member's company."""
        model = model or self.scoped_model
        return model.objects.filter(**{lookup or self.scope_lookup: self.company})

    def get_scoped_object(self, pk, model: type[Model] | None = None, lookup: str | None = None):
        try:
            return self.scoped(model, lookup).get(pk=pk)
        except (ValueError, TypeError, (model or self.scoped_model).DoesNotExist):
            raise Http404("Not found.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(portal=self.portal, company=self.company, member=self.member)
        return context

    def done(self, url: str):
        """After a successful post: a full redirect, also for htmx requests (which follow HX-Redirect)."""
        if getattr(self.request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


class PortalFormMixin:
    """A portal form whose valid input goes to one service: a refusal lands on the form (400, input kept),
    success is said once and redirects."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def submit(self, form, call, *, success, next_url: str):
        """Runs `call()`; `success` is the message, or a function of what the call returned."""
        try:
            result = call()
        except ValidationError as error:
            form_add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, success(result) if callable(success) else success)
        return self.done(next_url)


class SupplierPortalView(PortalView):
    portal = "supplier"
    scope_lookup = "asset_owner"

    def resolve_member(self, user):
        member, self.along_value = access.asset_owner_membership_with(user=user, along=self.along())
        return member

    def company_of(self, member):
        return member.asset_owner


class CarrierPortalView(PortalView):
    portal = "carrier"
    scope_lookup = "carrier"

    def resolve_member(self, user):
        member, self.along_value = access.carrier_membership_with(user=user, along=self.along())
        return member

    def company_of(self, member):
        return member.carrier
