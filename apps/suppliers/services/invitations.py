"""A company's members: the owner invites colleagues by e-mail, they accept, the owner removes members.

The acting party is always the signed-in member (`AssetOwnerMember` or `CarrierMember`); only an owner may
invite, revoke or remove, and only inside their own company (others' rows are Http404).

The link's secret is never stored: the outbox carries only the invitation's id to the e-mail task, which
draws the secret, stores its SHA-256 and hands the rendered mail to the outbox's e-mail task. A task that runs
twice draws a second secret and mails it; the first link then stops working (the newest mail always works).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create, user_grant_role, user_revoke_role
from apps.outbox.services import outbox_enqueue
from apps.suppliers.models import AssetOwner, AssetOwnerMember, CarrierMember, MemberInvitation, Participant
from apps.suppliers.selectors import network_settings
from apps.suppliers.services.participants import participant_member_add
from apps.suppliers.status import PORTAL_OPEN, MemberRole

INVITATION_EMAIL_TASK = "suppliers.invitation_email"
INVITATION_VALID_FOR = timedelta(days=7)
MAX_OPEN_INVITATIONS = 20
EMAIL_MAX_LENGTH = 254
_OPEN = Q(accepted_at__isnull=True, revoked_at__isnull=True)

Member = AssetOwnerMember | CarrierMember


class InvitationRefused(Exception):
    """The invitation cannot be accepted (now, or by this person). `reason`: expired, accepted, revoked,
    closed (the company's portal is closed), wrong_account, sign_in (the address has an account here) or
    member (the signed-in user already belongs to the company)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def status_code(self) -> int:
        """Another account 403; sign in first or already a member 409; the link is spent (expired, used,
        withdrawn, company closed) 410 — for the page and the API alike."""
        return {"wrong_account": 403, "sign_in": 409, "member": 409}.get(self.reason, 410)


def invitation_link_base(request) -> str:
    """The absolute URL on the request's network host that an invitation's secret is appended to (the portal's
    accept page, …/portal/invitations/<secret>/), for the pages and the API alike."""
    placeholder = "SECRET"
    url = reverse("portal:invitation_accept", kwargs={"token": placeholder})
    return request.build_absolute_uri(url).removesuffix(f"{placeholder}/")


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _company(member: Member) -> Participant:
    return member.asset_owner if isinstance(member, AssetOwnerMember) else member.carrier


def _scope(participant: Participant) -> dict:
    return {"asset_owner": participant} if isinstance(participant, AssetOwner) else {"carrier": participant}


def _role_of(participant: Participant) -> Role:
    return Role.SUPPLIER_MEMBER if isinstance(participant, AssetOwner) else Role.CARRIER_MEMBER


def _require_owner(member: Member) -> None:
    if member.role != MemberRole.OWNER:
        raise PermissionDenied("Only the company's owner can manage its members.")


# --- inviting ------------------------------------------------------------------------------------------------


@transaction.atomic
def member_invite(
    *, member: Member, email: str, role: str = MemberRole.OPERATOR, accept_url: str
) -> MemberInvitation:
    """The owner `member` invites `email` to their company as `role`; the e-mail leaves through the outbox.

    `accept_url` is the absolute URL the link's secret is appended to (…/portal/invitations/). Inviting an
    address again replaces its open invitation. Raises PermissionDenied for a non-owner and ValidationError
    per field; nothing is written then.
    """
    _require_owner(member)
    email = (email or "").strip().lower()
    errors = {}
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter a valid e-mail address."
    if role not in MemberRole.values:
        errors["role"] = "Choose owner or operator."
    if errors:
        raise ValidationError(errors)
    participant = _company(member)
    # The company's row lock serialises its invitations, so the cap and the one-open-per-address rule hold.
    type(participant).objects.select_for_update().filter(pk=participant.pk).first()
    if participant.members.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {participant.name}."})
    now = timezone.now()
    invitations = MemberInvitation.objects.filter(_OPEN, **_scope(participant))
    invitations.filter(email=email).update(revoked_at=now)
    if invitations.filter(expires_at__gt=now).count() >= MAX_OPEN_INVITATIONS:
        raise ValidationError(
            f"{MAX_OPEN_INVITATIONS} invitations are still open; revoke some or wait until they are accepted."
        )
    invitation = MemberInvitation.objects.create(
        **_scope(participant),
        email=email,
        role=role,
        invited_by=member.user,
        expires_at=now + INVITATION_VALID_FOR,
    )
    outbox_enqueue(
        task_name=INVITATION_EMAIL_TASK,
        kwargs={"invitation_id": invitation.pk, "accept_url": accept_url},
        dedup_key=f"invitation:{invitation.pk}:email",
    )
    return invitation


def invitation_email_compose(*, invitation_id: int, accept_url: str) -> dict | None:
    """Draws the link's secret of a still-open invitation, stores its hash and returns the e-mail to send
    (`to`, `subject`, `body`), or None when the invitation was accepted, revoked or expired meanwhile.

    Called by the e-mail task only: the secret exists in the returned mail and nowhere else.
    """
    invitation = (
        MemberInvitation.objects.select_related("asset_owner", "carrier", "invited_by")
        .filter(_OPEN, pk=invitation_id, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        return None
    secret = secrets.token_urlsafe(32)
    stored = MemberInvitation.objects.filter(_OPEN, pk=invitation.pk).update(
        token_hash=invitation_token_hash(secret)
    )
    if not stored:
        return None
    context = {
        "invitation": invitation,
        "company": invitation.participant,
        "network_name": network_settings().name,
        "link": f"{accept_url}{secret}/",
    }
    return {
        "to": [invitation.email],
        "subject": render_to_string("email/suppliers/invitation_subject.txt", context).strip(),
        "body": render_to_string("email/suppliers/invitation.txt", context),
    }


@transaction.atomic
def invitation_revoke(*, member: Member, invitation_id) -> MemberInvitation:
    """The owner revokes one of their company's invitations (another company's: Http404). Its link stops
    working; revoking an accepted or revoked invitation changes nothing."""
    _require_owner(member)
    invitation = _get(MemberInvitation.objects.filter(**_scope(_company(member))), invitation_id)
    MemberInvitation.objects.filter(_OPEN, pk=invitation.pk).update(revoked_at=timezone.now())
    invitation.refresh_from_db(fields=["revoked_at"])
    return invitation


# --- accepting -----------------------------------------------------------------------------------------------


def invitation_by_token(*, token: str) -> MemberInvitation | None:
    """The invitation the link's secret names (in any state), or None."""
    if not token or len(token) > 100:
        return None
    return (
        MemberInvitation.objects.select_related("asset_owner", "carrier", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitation_check(invitation: MemberInvitation, *, user: User | None = None) -> None:
    """Raises InvitationRefused unless the invitation can be accepted now (by `user`, when signed in)."""
    state = invitation.state_at(timezone.now())
    if state == "expired":
        raise InvitationRefused(state, "This invitation has expired. Ask the company's owner for a new one.")
    if state == "accepted":
        raise InvitationRefused(state, "This invitation has already been used.")
    if state == "revoked":
        raise InvitationRefused(
            state, "This invitation was withdrawn. Ask the company's owner for a new one."
        )
    if invitation.participant.status not in PORTAL_OPEN:
        raise InvitationRefused("closed", f"{invitation.participant.name} can no longer add members.")
    if user is not None and user.email.lower() != invitation.email:
        raise InvitationRefused(
            "wrong_account",
            f"This invitation is for {invitation.email}; you are signed in as {user.email}. "
            "Sign out, then open the link again.",
        )
    if user is not None and invitation.participant.members.filter(user=user).exists():
        # Accepting must not change the role of someone already in the company (an owner made an operator).
        raise InvitationRefused("member", f"You are already a member of {invitation.participant.name}.")


def invitation_needs_sign_in(invitation: MemberInvitation) -> bool:
    """The invited address already has an account in this network: its owner signs in to accept."""
    return User.objects.filter(email__iexact=invitation.email).exists()


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> Member:
    """Accepts the invitation the link's secret names, once.

    Signed in (`user`): that user joins, if the invitation was sent to their address. Not signed in: an
    account is created for the invited address with `full_name` and `password`, unless the address already
    has one here (then InvitationRefused "sign_in"). Raises Http404 for an unknown link, InvitationRefused
    when it cannot be used, ValidationError per field; nothing is written then.
    """
    found = invitation_by_token(token=token)
    if found is None:
        raise Http404("No such invitation.")
    invitation = (
        MemberInvitation.objects.select_for_update(of=("self",))
        .select_related("asset_owner", "carrier")
        .get(pk=found.pk)
    )
    invitation_check(invitation, user=user)
    participant = invitation.participant
    if user is None and invitation_needs_sign_in(invitation):
        raise InvitationRefused(
            "sign_in", f"{invitation.email} already has an account here: sign in to accept."
        )
    if user is None:  # a new account, created with the company's role
        user = _invitee_create(
            email=invitation.email, full_name=full_name, password=password, role=_role_of(participant)
        )
    else:
        user_grant_role(user=user, role=_role_of(participant))
    member = participant_member_add(participant=participant, user=user, role=invitation.role)
    MemberInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)
    return member


def _invitee_create(*, email: str, full_name: str, password: str, role: Role) -> User:
    full_name = (full_name or "").strip()
    errors = {}
    if not full_name:
        errors["full_name"] = "Tell your colleagues your name."
    elif len(full_name) > 150:
        errors["full_name"] = "At most 150 characters."
    try:
        password_validation.validate_password(password or "", User(email=email, full_name=full_name))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    return user_create(email=email, password=password, role=role, full_name=full_name)


# --- members -------------------------------------------------------------------------------------------------


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


@transaction.atomic
def member_remove(*, member: Member, member_id) -> None:
    """The owner removes a member of their company (another company's: Http404). The company always keeps an
    owner: the last owner cannot be removed, not even by themselves. The person's account stays; only their
    place in the company and its portal role go."""
    _require_owner(member)
    participant = _company(member)
    members = type(member).objects.filter(**_scope(participant))
    # Locking every member row of the company serialises removals: two owners cannot remove each other at once.
    locked = list(members.select_for_update().order_by("pk"))
    target = _get(members, member_id)
    if target.role == MemberRole.OWNER and sum(m.role == MemberRole.OWNER for m in locked) <= 1:
        raise ValidationError(
            f"{target.user.email} is the last owner of {participant.name} and cannot be removed."
        )
    target.delete()
    user_revoke_role(user=target.user, role=_role_of(participant))
