"""Reads about a network's people that other apps need."""

from django.contrib.auth.models import Group

from apps.accounts.access import ROLE_PERMISSIONS
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


def role_permissions_current() -> bool:
    """Whether every role group of the current schema exists and has exactly the permissions ROLE_PERMISSIONS
    lists, i.e. whether `role_permissions_apply` would change nothing (one query; the fleet's migrate skips the
    post_migrate work of a schema whose groups are current: apps/tenants/schema_migrate.py)."""
    wanted = {role.value: set(permissions) for role, permissions in ROLE_PERMISSIONS.items()}
    granted: dict[str, set[str]] = {}
    rows = Group.objects.filter(name__in=wanted).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    for name, app_label, codename in rows:
        permissions = granted.setdefault(name, set())
        if codename is not None:
            permissions.add(f"{app_label}.{codename}")
    return granted == wanted
