from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from apps.accounts.access import ROLE_PERMISSIONS
from apps.accounts.models import User
from apps.accounts.roles import ADMIN_ROLES, Role
from apps.outbox.services import outbox_enqueue_email


class EmailInUse(ValidationError):
    """The e-mail already has an account in this network. Pages a stranger can reach must not say so (that
    tells whether someone has an account): they answer "check your e-mail" as for a new address (whose account
    waits for its e-mail confirmation) through `signup_email_in_use` in apps/accounts/views.py."""

    def __init__(self, field: str = "email"):
        super().__init__({field: ["An account with this e-mail already exists; sign in instead."]})


def user_email_available_ensure(*, email: str, field: str = "email") -> None:
    """Raises EmailInUse if a user of the current network has this e-mail (any case)."""
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise EmailInUse(field)


def account_exists_note(*, email: str, network_name: str, sign_in_url: str, reset_url: str) -> None:
    """Tells the owner of an existing account that someone tried to sign up with their e-mail (through the
    outbox), with where to sign in or reset the password; the page said only "check your e-mail"."""
    context = {"network_name": network_name, "sign_in_url": sign_in_url, "reset_url": reset_url}
    outbox_enqueue_email(
        to=[email.strip().lower()],
        subject=render_to_string("email/accounts/account_exists_subject.txt", context),
        body=render_to_string("email/accounts/account_exists.txt", context),
    )


def role_groups_ensure() -> None:
    """Creates one group per role in the current schema (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


class UnknownPermission(LookupError):
    """The role table names a permission no installed model has (a typo, or a model that was removed)."""


@transaction.atomic
def role_permissions_apply() -> None:
    """Gives each role group in the current schema exactly the permissions ROLE_PERMISSIONS lists (idempotent).

    Needs the permission rows, which Django creates after migrating (the post_migrate hook calls this then)."""
    wanted = {permission for permissions in ROLE_PERMISSIONS.values() for permission in permissions}
    lookup = Q()
    for permission in wanted:
        app_label, codename = permission.split(".", 1)
        lookup |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(lookup).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    if missing := wanted - found.keys():
        raise UnknownPermission(f"The role table names unknown permissions: {sorted(missing)}")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([found[permission] for permission in permissions])


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: Role,
    full_name: str = "",
    is_superuser: bool = False,
    password_hash: str = "",
    email_confirmation_pending: bool = False,
) -> User:
    """Creates a user in the current schema with one role; staff and finance may use the network's admin.

    `password_hash` (from make_password) replaces `password` for callers that hashed it ahead of time.
    `email_confirmation_pending` makes an account that stays inactive until its e-mail is confirmed
    (apps/accounts/confirmation.py): what a page anyone can reach creates.
    Raises EmailInUse if the network already has a user with this e-mail."""
    user_email_available_ensure(email=email)
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_staff=role in ADMIN_ROLES or is_superuser,
        is_superuser=is_superuser,
        is_active=not email_confirmation_pending,
        email_confirmation_pending=email_confirmation_pending,
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    _forget_cached_roles(user)
    return user


def _forget_cached_roles(user: User) -> None:
    """The user object's cached roles and permissions are stale once its groups change."""
    for cached in ("role_names", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)


def user_grant_role(*, user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    _forget_cached_roles(user)
    if role in ADMIN_ROLES and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)


def user_revoke_role(*, user: User, role: Role) -> None:
    """Takes one role away (e.g. a member removed from their company); the account and its other roles stay."""
    user.groups.remove(*Group.objects.filter(name=role.value))
    _forget_cached_roles(user)
