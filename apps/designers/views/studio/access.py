"""Who enters the studio: a signed-in member of an approved designer. `request.designer` is that designer; every
other visitor gets 404 (anonymous ones are sent to sign in), like the other portals."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from apps.accounts.access import may_enter_designer_portal
from apps.designers.access import designer_membership_get
from apps.designers.models import Designer
from apps.suppliers.status import ParticipantStatus


def studio_designer_of(user) -> Designer | None:
    """The approved designer `user` works for, or None (an applicant or a suspended designer composes nothing)."""
    if not may_enter_designer_portal(user):
        return None
    try:
        designer = designer_membership_get(user=user).designer
    except Http404:
        return None
    return designer if designer.status == ParticipantStatus.APPROVED else None


def designer_studio_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        designer = studio_designer_of(request.user)
        if designer is None:
            raise Http404("No such page.")
        request.designer = designer
        return view(request, *args, **kwargs)

    return wrapped
