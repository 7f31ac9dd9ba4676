"""Confirming the e-mail of an account made on a page anyone can reach (customer sign-up, partner application).

Such an account starts inactive (it cannot sign in: the login page says what it says to a wrong password) and
`email_confirmation_pending`. The e-mailed link carries a token signed with the site's key and a timestamp: it
names the network's schema, the user and the e-mail, so it means nothing on another network's host or after the
address changed, expires after CONFIRMATION_MAX_AGE, and works once (confirming clears the pending flag).
"""

from datetime import timedelta

from django.core import signing
from django.db import connection, transaction
from django.template.loader import render_to_string

from apps.accounts.models import User
from apps.outbox.services import outbox_enqueue_email

CONFIRMATION_MAX_AGE = timedelta(days=3)
CONFIRMATION_SALT = "apps.accounts.confirmation"


class ConfirmationLinkInvalid(Exception):
    """The link is malformed, expired, already used, or for another network or address."""


def confirmation_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=CONFIRMATION_SALT)


def confirmation_token_make(user: User) -> str:
    return confirmation_signer().sign_object(
        {"schema": connection.schema_name, "user": user.pk, "email": user.email}
    )


def confirmation_link_send(*, user: User, confirm_url_for, network_name: str) -> None:
    """E-mails the confirmation link (through the outbox, so it leaves after commit); `confirm_url_for(token)`
    builds the absolute URL on the network's host."""
    context = {"network_name": network_name, "confirm_url": confirm_url_for(confirmation_token_make(user))}
    outbox_enqueue_email(
        to=[user.email],
        subject=render_to_string("email/accounts/confirm_email_subject.txt", context),
        body=render_to_string("email/accounts/confirm_email.txt", context),
    )


def pending_user_by_email(email: str) -> User | None:
    """The account with this e-mail that still waits for its confirmation, if any."""
    return User.objects.filter(email__iexact=email.strip(), email_confirmation_pending=True).first()


def confirmation_user_get(token: str) -> User:
    """The pending account the token confirms; raises ConfirmationLinkInvalid otherwise."""
    try:
        claim = confirmation_signer().unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise ConfirmationLinkInvalid from error
    if not isinstance(claim, dict) or claim.get("schema") != connection.schema_name:
        raise ConfirmationLinkInvalid
    user = User.objects.filter(
        pk=claim.get("user"), email=claim.get("email"), email_confirmation_pending=True
    )
    if (found := user.first()) is None:
        raise ConfirmationLinkInvalid
    return found


@transaction.atomic
def user_email_confirm(*, token: str) -> User:
    """Activates the account the token names, once: a second use (or a race of two) is refused."""
    user = confirmation_user_get(token)
    activated = User.objects.filter(pk=user.pk, email_confirmation_pending=True).update(
        is_active=True, email_confirmation_pending=False
    )
    if not activated:
        raise ConfirmationLinkInvalid
    user.is_active, user.email_confirmation_pending = True, False
    return user
