from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from apps.accounts.models import User
from apps.accounts.roles import ADMIN_ROLES, Role
from apps.outbox.services import outbox_enqueue_email


class EmailInUse(ValidationError):
    """The e-mail already has an account in this network. Pages a stranger can reach must not say so (that
    tells whether someone has an account): they answer "check your e-mail" and call `account_exists_note`."""

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
        subject=render_to_string("accounts/email/account_exists_subject.txt", context),
        body=render_to_string("accounts/email/account_exists.txt", context),
    )


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

    `password_hash` (from make_password) replaces `password` for callers that hashed it ahead of time.
    Raises EmailInUse if the network already has a user with this e-mail."""
    user_email_available_ensure(email=email)
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
