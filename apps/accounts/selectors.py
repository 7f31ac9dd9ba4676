"""Reads about a network's people that other apps need."""

from apps.accounts.models import User
from apps.accounts.roles import Role


def staff_email_list() -> list[str]:
    """The e-mail addresses of the current network's active platform staff (users live in its schema)."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.STAFF)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
