"""A company's members: every member sees who is in; the owner invites, revokes invitations and removes members.
And the invitation link's page, where the invited colleague accepts (signing up, or signing in first).

The services refuse a non-owner (PermissionDenied → 403), whatever the page shows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from apps.accounts.backends import SESSION_BACKEND
from apps.core.errors import form_add_service_error
from apps.portal.forms import InviteeSignupForm, InviteForm
from apps.portal.mixins import CarrierPortalView, SupplierPortalView
from apps.suppliers.models import AssetOwner
from apps.suppliers.selectors import invitation_list_open, member_list_for_participant
from apps.suppliers.services.invitations import (
    InvitationRefused,
    invitation_accept,
    invitation_by_token,
    invitation_check,
    invitation_link_base,
    invitation_needs_sign_in,
    invitation_revoke,
    member_invite,
    member_remove,
)

TEMPLATE = "portal/members.html"


class _Members(TemplateView):
    """GET: members and open invitations. POST: invite (owner only); inline errors keep the input (400)."""

    template_name = TEMPLATE
    url_prefix = ""  # "portal:" or "portal:carrier_"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            members=member_list_for_participant(participant=self.company),
            invitations=invitation_list_open(participant=self.company),
            form=form or InviteForm(),
            is_owner=self.member.role == "owner",
            members_url=reverse(f"{self.url_prefix}members"),
            revoke_url_name=f"{self.url_prefix}invitation_revoke",
            remove_url_name=f"{self.url_prefix}member_remove",
        )
        return context

    def get_template_names(self):
        return [f"{TEMPLATE}#members" if self.request.htmx else TEMPLATE]

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = member_invite(
                    member=self.member, accept_url=invitation_link_base(request), **form.cleaned_data
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}; it is valid for 7 days.")
                if request.htmx:
                    return self.render_to_response(self.get_context_data())
                return redirect(reverse(f"{self.url_prefix}members"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _InvitationRevoke(_Members):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = invitation_revoke(member=self.member, invitation_id=kwargs["pk"])
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
        if request.htmx:
            return self.render_to_response(self.get_context_data())
        return redirect(reverse(f"{self.url_prefix}members"))


class _MemberRemove(_Members):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            member_remove(member=self.member, member_id=kwargs["pk"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if request.htmx:
                return self.render_to_response(self.get_context_data(), status=409)
            return redirect(reverse(f"{self.url_prefix}members"))
        if str(kwargs["pk"]) == str(self.member.pk):  # left the company: its portal is not theirs any more
            messages.success(request, f"You left {self.company.name}.")
            return self.done(reverse("storefront:home"))
        messages.success(request, "The member was removed.")
        if request.htmx:
            return self.render_to_response(self.get_context_data())
        return redirect(reverse(f"{self.url_prefix}members"))


class SupplierMembersView(SupplierPortalView, _Members):
    url_prefix = "portal:"


class SupplierInvitationRevokeView(SupplierPortalView, _InvitationRevoke):
    url_prefix = "portal:"


class SupplierMemberRemoveView(SupplierPortalView, _MemberRemove):
    url_prefix = "portal:"


class CarrierMembersView(CarrierPortalView, _Members):
    url_prefix = "portal:carrier_"


class CarrierInvitationRevokeView(CarrierPortalView, _InvitationRevoke):
    url_prefix = "portal:carrier_"


class CarrierMemberRemoveView(CarrierPortalView, _MemberRemove):
    url_prefix = "portal:carrier_"


# --- the invitation link -----------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class InvitationAcceptView(TemplateView):
    """GET: what the invitation is, and how to accept. POST: accept (sign up, or join when signed in).

    Unknown link → 404; expired, used or withdrawn → 410 with the reason; signed in as someone else → 403."""

    template_name = "portal/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = invitation_by_token(token=kwargs["token"])
        if self.invitation is None:
            raise Http404("No such invitation.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitation = self.invitation
        context.update(invitation=invitation, company=invitation.participant)
        return context

    def _refused(self, refused: InvitationRefused):
        return self.render_to_response(self.get_context_data(refused=refused), status=refused.status_code)

    def _state(self):
        """(signed-in user or None, whether a sign-up form applies) — or a refusal to show."""
        user = self.request.user if self.request.user.is_authenticated else None
        invitation_check(self.invitation, user=user)
        return user, user is None and not invitation_needs_sign_in(self.invitation)

    def get(self, request, *args, **kwargs):
        try:
            user, signs_up = self._state()
        except InvitationRefused as refused:
            return self._refused(refused)
        return self.render_to_response(
            self.get_context_data(signed_in=user, form=InviteeSignupForm() if signs_up else None)
        )

    def post(self, request, *args, **kwargs):
        try:
            user, signs_up = self._state()
        except InvitationRefused as refused:
            return self._refused(refused)
        if user is None and not signs_up:
            return redirect_to_login(request.get_full_path())
        form = InviteeSignupForm(request.POST) if signs_up else None
        if form is None or form.is_valid():
            try:
                member = invitation_accept(
                    token=kwargs["token"], user=user, **(form.cleaned_data if form else {})
                )
            except InvitationRefused as refused:
                return self._refused(refused)
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return self.render_to_response(self.get_context_data(signed_in=user), status=409)
                form_add_service_error(form, error)
            else:
                if user is None:
                    login(request, member.user, backend=SESSION_BACKEND)
                company = self.invitation.participant
                messages.success(request, f"Welcome to {company.name}!")
                return redirect(
                    "portal:dashboard" if isinstance(company, AssetOwner) else "portal:carrier_dashboard"
                )
        return self.render_to_response(self.get_context_data(signed_in=user, form=form), status=400)
