"""The designer portal's base view: the signed-in member's designer, resolved once (Http404 for anyone else).

Every queryset of a designer page comes from `scoped()` (filtered by the designer) or `get_scoped_object(pk)`,
as in the supplier and carrier portals (apps/portal/mixins.py): another designer's rows are 404.
"""

from apps.designers.access import designer_membership_get
from apps.portal.mixins import PortalView


class DesignerPortalView(PortalView):
    portal = "designer"
    scope_lookup = "designer"

    def resolve_member(self, user):
        return designer_membership_get(user=user)

    def company_of(self, member):
        return member.designer
