"""Access helpers: the requesting user's designer, or Http404 ("not yours" looks like "missing")."""

from django.http import Http404

from apps.accounts.access import is_signed_in
from apps.designers.models import DesignerMember
from apps.suppliers.status import PORTAL_OPEN


def designer_membership_get(*, user) -> DesignerMember:
    """The user's membership of a designer whose portal is open (not rejected); else Http404."""
    if not is_signed_in(user):
        raise Http404("No designer here.")
    member = (
        DesignerMember.objects.select_related("designer")
        .filter(user=user, designer__status__in=PORTAL_OPEN)
        .first()
    )
    if member is None:
        raise Http404("No designer here.")
    return member
