"""Personal access tokens: the token format, the services that issue and revoke them, and their reads.

A token is `cf_<prefix>_<secret>`: the prefix (public, 10 hex characters) finds the row, the secret (256 random
bits) proves possession. Only the SHA-256 of the whole token is stored, and it is shown once, when issued.
A token acts as its user and never as more: it stops working when the user is deactivated, revoked or expired,
and each network's tokens live in that network's schema.

Keys of the former plain-text tokens (40 hex characters, hashed by migration 0004) are still accepted; their
prefix is their first 10 characters.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import ApiToken, User

TOKEN_PREFIX = "cf"  # noqa: S105 - the public start of every token, not a secret
PREFIX_LENGTH = 10
MAX_TOKEN_LENGTH = 200
MAX_ACTIVE_TOKENS_PER_USER = 20
MAX_EXPIRY_DAYS = 366
# last_used_at is written at most this often per token: no write per request.
LAST_USED_PRECISION = timedelta(minutes=1)

_PREFIX = re.compile(rf"[0-9a-f]{{{PREFIX_LENGTH}}}")
_LEGACY_KEY = re.compile(r"[0-9a-f]{40}")


class TokenRejected(Exception):
    """The presented token is unknown, malformed, revoked, expired, or its user is deactivated."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token the client sends; exists only in this object, never stored


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _lookup_prefix(raw: str) -> str | None:
    if raw.startswith(f"{TOKEN_PREFIX}_"):
        parts = raw.split("_", 2)
        return parts[1] if len(parts) == 3 and _PREFIX.fullmatch(parts[1]) and parts[2] else None
    if _LEGACY_KEY.fullmatch(raw):
        return raw[:PREFIX_LENGTH]
    return None


def _new_prefix() -> str:
    for _ in range(5):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix
    raise RuntimeError("Could not draw an unused token prefix.")  # 40 bits: unreachable in practice


# --- reads ----------------------------------------------------------------------------------------------------


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included (the page says which)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get_for_user(*, user: User, token_id) -> ApiToken:
    """One of the user's own tokens, or Http404: another user's token and no token look the same."""
    try:
        return ApiToken.objects.get(pk=token_id, user=user)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token.") from None


def token_authenticate(*, raw: str) -> ApiToken:
    """The active token `raw` names, with its user loaded; raises TokenRejected otherwise.

    Marks the token used, at most once per LAST_USED_PRECISION (a conditional update, so concurrent requests
    write once too).
    """
    prefix = _lookup_prefix(raw) if len(raw) <= MAX_TOKEN_LENGTH else None
    if prefix is None:
        raise TokenRejected("Invalid token.")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, token_hash(raw)):
        raise TokenRejected("Invalid token.")
    now = timezone.now()
    if not token.is_active_at(now):
        raise TokenRejected("Token revoked." if token.revoked_at is not None else "Token expired.")
    if not token.user.is_active:
        raise TokenRejected("User inactive or deleted.")
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is None or token.last_used_at <= stale:
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- writes ---------------------------------------------------------------------------------------------------


@transaction.atomic
def token_create(
    *, user: User, name: str, expires_in_days: int | None, issued_with: ApiToken | None = None
) -> IssuedToken:
    """Issues a token for `user` and returns it with its secret (the only time the secret exists).

    `issued_with` is the token that authenticated the request, if any: a token never outlives the token that
    issued it, so a leaked expiring token cannot mint a permanent one. Raises ValidationError per field.
    """
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the token a name, e.g. the machine or script that will use it."
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = "At most 100 characters."
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = f"Between 1 and {MAX_EXPIRY_DAYS} days, or no expiry."
    if errors:
        raise ValidationError(errors)
    # The user's row lock serialises concurrent issues, so the cap below holds.
    locked = User.objects.select_for_update().filter(pk=user.pk, is_active=True).first()
    if locked is None:
        raise ValidationError("This account is deactivated.")
    now = timezone.now()
    if ApiToken.objects.active_at(now).filter(user=user).count() >= MAX_ACTIVE_TOKENS_PER_USER:
        raise ValidationError(
            f"You already have {MAX_ACTIVE_TOKENS_PER_USER} active tokens; revoke one you no longer use first."
        )
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days is not None else None
    if issued_with is not None and issued_with.expires_at is not None:
        expires_at = min(expires_at or issued_with.expires_at, issued_with.expires_at)
    prefix = _new_prefix()
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=token_hash(secret), expires_at=expires_at
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, user: User, token_id) -> ApiToken:
    """Revokes one of `user`'s own tokens (Http404 for anyone else's); revoking twice changes nothing."""
    token = token_get_for_user(user=user, token_id=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token
