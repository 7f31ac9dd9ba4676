"""Orders' design check (settings.ORDERS_DESIGN_CHECK): a design the network cannot make is never added to a
cart or ordered (apps.matching.makeable: the checks that need no search). Saving such a design stays allowed."""

from apps.catalog.models import DesignVersion
from apps.matching.makeable import DesignUnmakeable, design_version_unmakeable
from apps.tenants.selectors import tenant_current


def design_version_check(*, design_version: DesignVersion) -> None:
    """Raises DesignUnmakeable (a Conflict: 409 with the reasons in the API) naming each step nobody can do."""
    reasons = design_version_unmakeable(design_version=design_version, tenant=tenant_current())
    if reasons:
        raise DesignUnmakeable(reasons)
