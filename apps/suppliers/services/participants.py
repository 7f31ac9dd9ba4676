"""Writes on asset owners and carriers: applying, staff decisions, profile and Stripe Connect state."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create, user_email_available_ensure
from apps.core.countries import country_code_normalize
from apps.core.transitions import InvalidTransition, transition
from apps.outbox.services import outbox_enqueue, outbox_enqueue_email
from apps.suppliers.models import (
    CARRIER_PROFILE_FIELDS,
    PROFILE_FIELDS,
    AssetOwner,
    Carrier,
    Participant,
    ParticipantStatusChange,
    RateCard,
)
from apps.suppliers.selectors import network_settings, participant_by_stripe_account
from apps.suppliers.status import (
    TRANSITIONS,
    MemberRole,
    ParticipantKind,
    ParticipantStatus,
)

logger = logging.getLogger(__name__)

REPLAN_TASK = "matching.replan_for_supplier"
CARRIER_REPLAN_TASK = "matching.replan_for_carrier"


def _model_for(kind: str) -> type[Participant]:
    if kind == ParticipantKind.ASSET_OWNER:
        return AssetOwner
    if kind == ParticipantKind.CARRIER:
        return Carrier
    raise ValueError(f"Unknown participant kind {kind!r}.")


def _clean(instance, exclude=None) -> None:
    """Runs model validation (field validators, choices, constraints); raises ValidationError per field."""
    instance.full_clean(exclude=exclude)


# --- applying -----------------------------------------------------------------------------------------------


@transaction.atomic
def participant_apply(
    *,
    kind: str,
    name: str,
    contact_name: str,
    contact_email: str,
    password: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
    latitude: Decimal,
    longitude: Decimal,
    phone: str = "",
) -> Participant:
    """A company applies to join: the company (status applied) and its first portal login (role owner), which
    stays inactive until its e-mail is confirmed (apps/accounts/confirmation.py).

    Raises ValidationError (per field) for invalid company data or an e-mail address already in use; nothing
    is written then.
    """
    model = _model_for(kind)
    participant = model(
        name=name,
        contact_name=contact_name,
        contact_email=contact_email,
        phone=phone,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        latitude=latitude,
        longitude=longitude,
    )
    role = Role.SUPPLIER_MEMBER if kind == ParticipantKind.ASSET_OWNER else Role.CARRIER_MEMBER
    participant_register(participant=participant, password=password, role=role)
    if isinstance(participant, Carrier):
        RateCard.objects.create(carrier=participant, currency=network_settings().currency)
    return participant


@transaction.atomic
def participant_register(*, participant: Participant, password: str, role: Role) -> Participant:
    """Saves a new applicant (any kind: designers apply through apps.designers) and its first portal login, the
    owner, with `role`; the login stays inactive until its e-mail is confirmed.

    Raises ValidationError (per field) for invalid data or an e-mail address already in use; nothing is written."""
    participant.contact_email = participant.contact_email.strip().lower()
    participant.country = country_code_normalize(participant.country)
    _clean(participant)
    # After the company checks: an address in use and a new one get the same field errors for bad company data.
    user_email_available_ensure(email=participant.contact_email, field="contact_email")
    participant.save()
    user = user_create(
        email=participant.contact_email,
        password=password,
        role=role,
        full_name=participant.contact_name,
        email_confirmation_pending=True,
    )
    participant_member_add(participant=participant, user=user, role=MemberRole.OWNER)
    return participant


@transaction.atomic
def participant_member_add(*, participant: Participant, user: User, role: str = MemberRole.OPERATOR):
    """Makes `user` a portal member of the participant (asset owner, carrier or designer). A user belongs to at
    most one participant of each kind."""
    members = participant.members  # AssetOwnerMember, CarrierMember or DesignerMember rows
    company_field = members.field.name
    member, created = members.model.objects.get_or_create(
        user=user, defaults={company_field: participant, "role": role}
    )
    if getattr(member, f"{company_field}_id") != participant.pk:
        raise ValidationError({"user": f"{user.email} is already a member of another company."})
    if not created and member.role != role:
        type(member).objects.filter(pk=member.pk).update(role=role)
        member.role = role
    return member


def _replan_request(participant: Participant, *, reason: str, dedup_key: str) -> None:
    """Asks matching, by task name through the outbox, to re-plan the participant's unstarted work (asset owner)
    or legs not picked up (carrier): `matching.replan_for_supplier` / `matching.replan_for_carrier`."""
    if isinstance(participant, AssetOwner):
        task, kwargs = REPLAN_TASK, {"asset_owner_id": participant.pk, "reason": reason}
    elif isinstance(participant, Carrier):
        task, kwargs = CARRIER_REPLAN_TASK, {"carrier_id": participant.pk, "reason": reason}
    else:  # a designer has no work or legs in a plan
        return
    outbox_enqueue(task_name=task, kwargs=kwargs, dedup_key=dedup_key)


# --- staff decisions ----------------------------------------------------------------------------------------


@transaction.atomic
def participant_transition(
    *, participant: Participant, to: str, actor: User | None = None, reason: str = ""
) -> Participant:
    """Moves a participant to `to` if TRANSITIONS allow it from its current status (compare-and-swap) and
    writes the audit row. Raises InvalidTransition otherwise, or when the status changed meanwhile."""
    model = type(participant)
    current = model.objects.filter(pk=participant.pk).values_list("status", flat=True).first()
    if current is None or to not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            f"{participant} cannot go from {current} to {to}.", current=current or "", to=to
        )
    now = timezone.now()
    transition(
        model,
        participant.pk,
        current,
        to,
        message=lambda _now: f"{participant} changed status meanwhile.",
        status_changed_at=now,
    )
    # The audit row's foreign keys are named as the participant kinds (asset_owner, carrier, designer).
    ParticipantStatusChange.objects.create(
        **{participant.kind: participant}, from_status=current, to_status=to, reason=reason, actor=actor
    )
    participant.status = to
    participant.status_changed_at = now
    return participant


def _recipients(participant: Participant) -> list[str]:
    emails = {participant.contact_email.lower()}
    emails.update(m.user.email.lower() for m in participant.members.select_related("user"))
    return sorted(e for e in emails if e)


def _notify(*, participant: Participant, template: str, reason: str = "", portal_url: str = "") -> None:
    """Writes the decision e-mail to the outbox: sent after the transaction commits (never for a rolled-back
    decision), retried by its task if the mail server fails, and never in the way of the decision's other work."""
    context = {"participant": participant, "reason": reason, "portal_url": portal_url}
    outbox_enqueue_email(
        to=_recipients(participant),
        subject=render_to_string(f"email/suppliers/{template}_subject.txt", context),
        body=render_to_string(f"email/suppliers/{template}.txt", context),
    )


@transaction.atomic
def participant_approve(*, participant: Participant, actor: User | None, portal_url: str = "") -> Participant:
    """Approves an applicant (or reinstates a suspended participant) and e-mails its members."""
    participant_transition(participant=participant, to=ParticipantStatus.APPROVED, actor=actor)
    _notify(participant=participant, template="approved", portal_url=portal_url)
    return participant


@transaction.atomic
def participant_reject(*, participant: Participant, actor: User | None, reason: str) -> Participant:
    if not reason.strip():
        raise ValidationError({"reason": "Give the applicant a reason."})
    participant_transition(participant=participant, to=ParticipantStatus.REJECTED, actor=actor, reason=reason)
    _notify(participant=participant, template="rejected", reason=reason)
    return participant


@transaction.atomic
def carrier_suspend(*, carrier: Carrier, actor: User | None, reason: str) -> Carrier:
    """Suspends a carrier and asks the matching engine, through the outbox, to re-plan the orders with legs it
    has not picked up yet (by name, `matching.replan_for_carrier`, like asset_owner_suspend). Legs already
    picked up stay with it: the parts are on its truck."""
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the suspension."})
    participant_transition(participant=carrier, to=ParticipantStatus.SUSPENDED, actor=actor, reason=reason)
    _notify(participant=carrier, template="suspended", reason=reason)
    _replan_request(
        carrier,
        reason=reason,
        dedup_key=f"carrier:{carrier.pk}:replan:{carrier.status_changed_at.isoformat()}",
    )
    return carrier


@transaction.atomic
def asset_owner_suspend(*, asset_owner: AssetOwner, actor: User | None, reason: str) -> AssetOwner:
    """Suspends an asset owner and asks the matching engine to re-plan its work not yet started.

    The task is written to the outbox by name (`matching.replan_for_supplier`, kwargs `asset_owner_id` and
    `reason`) so this layer need not import matching; it is sent after commit in this network's schema.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the suspension."})
    participant_transition(
        participant=asset_owner, to=ParticipantStatus.SUSPENDED, actor=actor, reason=reason
    )
    _notify(participant=asset_owner, template="suspended", reason=reason)
    _replan_request(
        asset_owner,
        reason=reason,
        dedup_key=f"asset_owner:{asset_owner.pk}:replan:{asset_owner.status_changed_at.isoformat()}",
    )
    return asset_owner


def participant_suspend(*, participant: Participant, actor: User | None, reason: str) -> Participant:
    if isinstance(participant, AssetOwner):
        return asset_owner_suspend(asset_owner=participant, actor=actor, reason=reason)
    if isinstance(participant, Carrier):
        return carrier_suspend(carrier=participant, actor=actor, reason=reason)
    return _participant_suspend_without_work(participant=participant, actor=actor, reason=reason)


@transaction.atomic
def _participant_suspend_without_work(*, participant: Participant, actor: User | None, reason: str):
    """Suspends a participant that holds no planned work (a designer): its products stay as they are."""
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the suspension."})
    participant_transition(
        participant=participant, to=ParticipantStatus.SUSPENDED, actor=actor, reason=reason
    )
    _notify(participant=participant, template="suspended", reason=reason)
    return participant


# --- profile ------------------------------------------------------------------------------------------------


@transaction.atomic
def participant_profile_update(*, participant: Participant, **fields) -> Participant:
    """Updates company details (and a carrier's speed, handling time and coverage). Validates everything first;
    on a ValidationError nothing is saved."""
    allowed = {*PROFILE_FIELDS, *(CARRIER_PROFILE_FIELDS if isinstance(participant, Carrier) else ())}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    locked = type(participant).objects.select_for_update().get(pk=participant.pk)
    for name, value in fields.items():
        setattr(locked, name, country_code_normalize(value) if name == "country" else value)
    _clean(locked)
    locked.save(update_fields=[*fields])
    return locked


# --- Stripe Connect state -----------------------------------------------------------------------------------


@transaction.atomic
def participant_connect_account_set(
    *, participant: Participant, account_id: str, replace: bool = False
) -> Participant:
    """Stores the participant's connected account id, once. Setting the same id again is a no-op; a different
    one raises (a participant has exactly one connected account).

    `replace=True` is for the demo seed only: the in-memory local Stripe server forgets accounts when it
    restarts, and the demo then swaps in a new one (the mirrored state is reset with it).
    """
    if not account_id.startswith("acct_"):
        raise ValueError(f"{account_id!r} is not a Stripe account id.")
    model = type(participant)
    rows = model.objects.filter(pk=participant.pk)
    if replace:
        rows.exclude(stripe_account_id=account_id).update(
            stripe_account_id=account_id,
            charges_enabled=False,
            payouts_enabled=False,
            details_submitted=False,
            transfers_active=False,
            requirements_due=[],
            connect_updated_at=timezone.now(),
        )
    else:
        rows.filter(stripe_account_id="").update(
            stripe_account_id=account_id, connect_updated_at=timezone.now()
        )
    stored = model.objects.get(pk=participant.pk)
    if stored.stripe_account_id != account_id:
        raise ValueError(f"{participant} already has connected account {stored.stripe_account_id}.")
    return stored


def _restriction_reason(participant: Participant) -> str:
    if participant.requirements_past_due:
        return f"Stripe restricted {participant}: past due {', '.join(participant.requirements_past_due)}"
    if not participant.payouts_enabled:
        return f"Stripe disabled the payouts of {participant}"
    return f"The Stripe transfers capability of {participant} is not active"


@transaction.atomic
def participant_connect_update(
    *,
    account_id: str,
    charges_enabled: bool,
    payouts_enabled: bool,
    details_submitted: bool,
    transfers_active: bool,
    requirements_due: list[str],
    requirements_past_due: list[str] = (),
) -> Participant | None:
    """Mirrors the connected account's state as just read from Stripe. Returns the participant, or None when
    no participant of this network has that account (events of other accounts are ignored).

    Idempotent and order-independent: callers pass the account's current state, never a delta. A participant
    that was eligible for work and no longer is (payouts disabled, transfers capability not active, requirements
    past due) leaves matching at once (the eligibility selectors read these fields) and its unstarted work is
    re-planned, once per change, after commit.
    """
    found = participant_by_stripe_account(account_id=account_id)
    if found is None:
        return None
    participant = type(found).objects.select_for_update().get(pk=found.pk)
    was_eligible = participant.eligible
    values = {
        "charges_enabled": bool(charges_enabled),
        "payouts_enabled": bool(payouts_enabled),
        "details_submitted": bool(details_submitted),
        "transfers_active": bool(transfers_active),
        "requirements_due": sorted(requirements_due),
        "requirements_past_due": sorted(requirements_past_due),
        "connect_updated_at": timezone.now(),
    }
    type(participant).objects.filter(pk=participant.pk).update(**values)
    for name, value in values.items():
        setattr(participant, name, value)
    if was_eligible and not participant.eligible:
        reason = _restriction_reason(participant)
        logger.info("%s %s can no longer receive payouts: %s", participant.kind, participant.pk, reason)
        _replan_request(
            participant,
            reason=reason,
            dedup_key=f"{participant.kind}:{participant.pk}:replan:connect:{values['connect_updated_at'].isoformat()}",
        )
    return participant
