"""Reads of the supplier network. Each owns its select_related/prefetch_related."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.suppliers import calendars
from apps.suppliers.models import (
    AssetOwner,
    CalendarException,
    CalendarExceptionKind,
    Carrier,
    MemberInvitation,
    OpeningHours,
    Participant,
    Resource,
    SupplierOutcome,
    SupplierOutcomeKind,
    onboarded_q,
    participant_models,
)
from apps.suppliers.quality import QUALITY_WINDOW_DAYS, QualityScore, quality_score
from apps.suppliers.status import ParticipantStatus, ResourceStatus
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_current

# --- the network --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    currency: str
    time_zone: str
    name: str


def network_settings() -> NetworkSettings:
    """Currency, time zone and name of the network whose schema the connection is set to.

    Under schema_context() the connection only knows a schema name (django-tenants' FakeTenant), so the row
    is read then.
    """
    tenant = tenant_current()
    if tenant is None:
        raise Tenant.DoesNotExist(f"No network has the schema {connection.schema_name!r}.")
    return NetworkSettings(currency=tenant.currency, time_zone=tenant.time_zone, name=tenant.name)


# --- eligibility (the matching engine's inputs) -------------------------------------------------------------

_ONBOARDED = Q(status=ParticipantStatus.APPROVED) & onboarded_q()


def _with_calendar(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    return queryset.select_related("asset_owner").prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
        Prefetch("calendar_exceptions", queryset=CalendarException.objects.order_by("starts_at")),
    )


def asset_owner_list_eligible() -> QuerySet[AssetOwner]:
    """Approved asset owners whose Stripe account can receive transfers and pay out."""
    return AssetOwner.objects.filter(_ONBOARDED).order_by("id")


def resource_list_eligible(*, process: str | None = None) -> QuerySet[Resource]:
    """Resources that are up, of eligible asset owners, with their calendars prefetched."""
    queryset = Resource.objects.filter(
        onboarded_q("asset_owner__"), status=ResourceStatus.UP, asset_owner__status=ParticipantStatus.APPROVED
    )
    if process is not None:
        queryset = queryset.filter(process=process)
    return _with_calendar(queryset).order_by("id")


def carrier_list_eligible() -> QuerySet[Carrier]:
    """Approved, onboarded carriers that have a rate card."""
    return (
        Carrier.objects.filter(_ONBOARDED, rate_card__isnull=False).select_related("rate_card").order_by("id")
    )


# --- portal scoping -----------------------------------------------------------------------------------------


def resource_list_for_asset_owner(*, asset_owner: AssetOwner) -> QuerySet[Resource]:
    return _with_calendar(Resource.objects.filter(asset_owner=asset_owner)).order_by("name", "id")


def participant_by_stripe_account(*, account_id: str) -> Participant | None:
    if not account_id:
        return None
    # Every kind of participant (asset owners, carriers, designers) has a connected account.
    for model in participant_models():
        if found := model.objects.filter(stripe_account_id=account_id).first():
            return found
    return None


# --- calendars ----------------------------------------------------------------------------------------------


def resource_calendar(*, resource: Resource, time_zone: str | None = None) -> calendars.Calendar:
    """The resource's calendar as a value (uses prefetched hours and exceptions when present)."""
    weekly = tuple(
        calendars.WeeklyHours(weekday=h.weekday, opens=h.opens, closes=h.closes)
        for h in resource.opening_hours.all()
    )
    exceptions = tuple(
        calendars.ExceptionSpan(
            starts_at=e.starts_at, ends_at=e.ends_at, open=e.kind == CalendarExceptionKind.OPEN
        )
        for e in resource.calendar_exceptions.all()
    )
    return calendars.Calendar(
        time_zone=time_zone or network_settings().time_zone, weekly=weekly, exceptions=exceptions
    )


def resource_closed_minutes(
    *, resource: Resource, origin: datetime, end: datetime, time_zone: str | None = None
) -> tuple[tuple[int, int], ...]:
    """Closed hours of a resource over [origin, end) in minutes from origin (for the matching engine)."""
    return calendars.closed_minutes(resource_calendar(resource=resource, time_zone=time_zone), origin, end)


# --- quality ------------------------------------------------------------------------------------------------


def quality_scores(
    *, asset_owner_ids: list[int], now: datetime | None = None, window_days: int = QUALITY_WINDOW_DAYS
) -> dict[int, QualityScore]:
    """Quality score per asset owner over the rolling window ending `now` (one query for all of them)."""
    until = now or timezone.now()
    since = until - timedelta(days=window_days)
    rows = (
        SupplierOutcome.objects.filter(asset_owner_id__in=asset_owner_ids, at__gt=since, at__lte=until)
        .values("asset_owner_id")
        .annotate(
            passes=Count("id", filter=Q(kind=SupplierOutcomeKind.QUALITY_PASS)),
            fails=Count("id", filter=Q(kind=SupplierOutcomeKind.QUALITY_FAIL)),
            on_time=Count("id", filter=Q(kind=SupplierOutcomeKind.ON_TIME)),
            late=Count("id", filter=Q(kind=SupplierOutcomeKind.LATE)),
        )
    )
    counts = {row["asset_owner_id"]: row for row in rows}
    result = {}
    for owner_id in asset_owner_ids:
        row = counts.get(owner_id, {})
        result[owner_id] = quality_score(
            passes=row.get("passes", 0),
            fails=row.get("fails", 0),
            on_time=row.get("on_time", 0),
            late=row.get("late", 0),
            window_days=window_days,
        )
    return result


def asset_owner_quality(*, asset_owner: AssetOwner, now: datetime | None = None) -> QualityScore:
    return quality_scores(asset_owner_ids=[asset_owner.pk], now=now)[asset_owner.pk]


# --- members and invitations --------------------------------------------------------------------------------


def member_list_for_participant(*, participant: Participant) -> QuerySet:
    """The company's portal members, owners first, with their users."""
    return participant.members.select_related("user").order_by("-role", "user__email")


def invitation_list_open(*, participant: Participant) -> QuerySet[MemberInvitation]:
    """The company's invitations that can still be accepted, newest first."""
    scope = {"asset_owner": participant} if isinstance(participant, AssetOwner) else {"carrier": participant}
    return (
        MemberInvitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now(), **scope
        )
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )
