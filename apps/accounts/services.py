from django.contrib.auth.models import Group
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.roles import ADMIN_ROLES, Role


def role_groups_ensure() -> None:
    """Creates one group per role in the current schema (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: Role,
    full_name: str = "",
    is_superuser: bool = False,
    password_hash: str = "",
) -> User:
    """Creates a user in the current schema with one role; staff and finance may use the network's admin.

    `password_hash` (from make_password) replaces `password` for callers that hashed it ahead of time."""
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_staff=role in ADMIN_ROLES or is_superuser,
        is_superuser=is_superuser,
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.__dict__.pop("role_names", None)
    return user


def user_grant_role(*, user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.__dict__.pop("role_names", None)  # the cached roles are stale now
    if role in ADMIN_ROLES and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)


def user_revoke_role(*, user: User, role: Role) -> None:
    """Takes one role away (e.g. a member removed from their company); the account and its other roles stay."""
    user.groups.remove(*Group.objects.filter(name=role.value))
    user.__dict__.pop("role_names", None)
