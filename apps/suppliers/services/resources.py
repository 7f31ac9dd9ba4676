"""Writes on resources and their calendars. Every write validates first and changes nothing on error."""

from __future__ import annotations

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from apps.suppliers import calendars
from apps.suppliers.models import (
    AssetOwner,
    CalendarException,
    CalendarExceptionKind,
    OpeningHours,
    Resource,
)
from apps.suppliers.selectors import network_settings

RESOURCE_FIELDS = frozenset(
    {
        "name",
        "process",
        "capacity",
        "max_length_mm",
        "max_width_mm",
        "max_height_mm",
        "materials",
        "tolerance_mm",
        "setup_cost_minor",
        "cost_per_minute_minor",
        "minimum_charge_minor",
        "speed_factor",
        "status",
    }
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - RESOURCE_FIELDS
    if unknown:
        raise TypeError(f"Not resource fields: {', '.join(sorted(unknown))}")


def _normalise_materials(materials) -> list[str]:
    seen: dict[str, None] = {}
    for material in materials or []:
        value = str(material).strip().lower()
        if value:
            seen.setdefault(value, None)
    return list(seen)


@transaction.atomic
def resource_create(*, asset_owner: AssetOwner, **fields) -> Resource:
    """A new resource of `asset_owner`, priced in the network's currency. Raises ValidationError per field."""
    _check_fields(fields)
    if "materials" in fields:
        fields["materials"] = _normalise_materials(fields["materials"])
    resource = Resource(asset_owner=asset_owner, currency=network_settings().currency, **fields)
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, **fields) -> Resource:
    _check_fields(fields)
    if "materials" in fields:
        fields["materials"] = _normalise_materials(fields["materials"])
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def resource_delete(*, resource: Resource) -> None:
    """Deletes a resource. One that work refers to cannot be deleted; set it down instead."""
    try:
        Resource.objects.filter(pk=resource.pk).delete()
    except ProtectedError:
        raise ValidationError(
            "This resource has work assigned; set it down instead of deleting it."
        ) from None


# --- calendars ----------------------------------------------------------------------------------------------


@transaction.atomic
def opening_hours_add(*, resource: Resource, weekday: int, opens: time, closes: time) -> OpeningHours:
    """Adds a weekly opening interval. Rejects an inverted interval or one overlapping the day's others.

    Holds the resource row lock, so two concurrent additions cannot both pass the overlap check.
    """
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    candidate = calendars.WeeklyHours(weekday=weekday, opens=opens, closes=closes)
    if problems := calendars.weekly_problems([candidate]):
        raise ValidationError({"closes": problems})
    existing = [
        calendars.WeeklyHours(weekday=h.weekday, opens=h.opens, closes=h.closes)
        for h in locked.opening_hours.filter(weekday=weekday)
    ]
    if problems := calendars.weekly_problems([*existing, candidate]):
        raise ValidationError({"opens": problems})
    hours = OpeningHours(resource=locked, weekday=weekday, opens=opens, closes=closes)
    hours.full_clean()
    hours.save()
    return hours


@transaction.atomic
def opening_hours_replace(
    *, resource: Resource, intervals: list[tuple[int, time, time]]
) -> list[OpeningHours]:
    """Replaces the whole week at once (all or nothing)."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    weekly = [calendars.WeeklyHours(weekday=d, opens=o, closes=c) for d, o, c in intervals]
    if problems := calendars.weekly_problems(weekly):
        raise ValidationError({"opening_hours": problems})
    locked.opening_hours.all().delete()
    return OpeningHours.objects.bulk_create(
        [OpeningHours(resource=locked, weekday=h.weekday, opens=h.opens, closes=h.closes) for h in weekly]
    )


@transaction.atomic
def opening_hours_delete(*, opening_hours: OpeningHours) -> None:
    OpeningHours.objects.filter(pk=opening_hours.pk).delete()


EXCEPTION_YEARS = (2000, 2099)


@transaction.atomic
def calendar_exception_add(
    *, resource: Resource, kind: str, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> CalendarException:
    """Adds a closure or extra opening. Rejects an inverted range or one overlapping another exception of the
    same resource (which of two overlapping exceptions would win is ambiguous). Holds the resource row lock."""
    if kind not in CalendarExceptionKind.values:
        raise ValidationError({"kind": f"Choose one of {', '.join(CalendarExceptionKind.values)}."})
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    candidate = calendars.ExceptionSpan(
        starts_at=starts_at, ends_at=ends_at, open=kind == CalendarExceptionKind.OPEN
    )
    if problems := calendars.exception_problems([candidate]):
        raise ValidationError({"ends_at": problems})
    if not (EXCEPTION_YEARS[0] <= starts_at.year and ends_at.year <= EXCEPTION_YEARS[1]):
        # Typing slips such as 0202 or 20026; far-off years also have odd historic UTC offsets.
        raise ValidationError(
            {
                "starts_at": f"An exception must lie between the years {EXCEPTION_YEARS[0]} and {EXCEPTION_YEARS[1]}."
            }
        )
    overlapping = locked.calendar_exceptions.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if overlapping is not None:
        raise ValidationError(
            {"starts_at": f"Overlaps the exception {overlapping}; change or delete that one first."}
        )
    exception = CalendarException(
        resource=locked, kind=kind, starts_at=starts_at, ends_at=ends_at, reason=reason
    )
    exception.full_clean()
    exception.save()
    return exception


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException) -> None:
    CalendarException.objects.filter(pk=exception.pk).delete()
