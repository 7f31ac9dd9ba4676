"""The dashboard's utilisation: open minutes from cached calendar spans equal the calendar's own arithmetic,
a change to a resource's hours or exceptions shows on the next request, and one network's cached spans are
never read by another."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from apps.backoffice import selectors
from apps.backoffice.selectors import utilisation_next
from apps.suppliers import calendars
from apps.suppliers.models import CalendarException, CalendarExceptionKind, OpeningHours, Resource
from apps.suppliers.selectors import resource_calendar

pytestmark = pytest.mark.django_db

DAYS = 14


def _open_minutes_by_label(tz: ZoneInfo, start: datetime) -> dict[str, int]:
    _, per_resource = utilisation_next(start=start, days=DAYS, tz=tz)
    return {row.label: row.open_minutes for row in per_resource}


def _label(resource: Resource) -> str:
    return f"{resource.asset_owner.name} · {resource.name}"


def test_open_minutes_match_the_calendar_arithmetic_across_a_dst_change(network_a, in_tenant_a):
    tz = ZoneInfo("Europe/Amsterdam")
    start = datetime(2026, 3, 20, 9, 17, tzinfo=UTC)  # 29 March 2026: summer time starts in the window
    resource = Resource.objects.select_related("asset_owner").order_by("pk").first()
    CalendarException.objects.create(
        resource=resource,
        starts_at=start + timedelta(days=2, hours=1),
        ends_at=start + timedelta(days=3, hours=5),
        kind=CalendarExceptionKind.CLOSED,
    )
    CalendarException.objects.create(
        resource=resource,
        starts_at=start + timedelta(days=5, hours=13),
        ends_at=start + timedelta(days=5, hours=20),
        kind=CalendarExceptionKind.OPEN,
    )
    cache.clear()
    for _ in range(2):  # computed, then read back from the cache
        shown = _open_minutes_by_label(tz, start)
        for each in Resource.objects.select_related("asset_owner").prefetch_related(
            "opening_hours", "calendar_exceptions"
        ):
            calendar = resource_calendar(resource=each, time_zone=str(tz))
            expected = calendars.open_minutes_total(calendar, start, start + timedelta(days=DAYS))
            assert shown[_label(each)] == expected * max(1, each.capacity)


def test_a_change_to_opening_hours_or_exceptions_shows_on_the_next_request(network_a, in_tenant_a):
    tz = ZoneInfo("Europe/Amsterdam")
    start = timezone.now()
    resource = Resource.objects.select_related("asset_owner").order_by("pk").first()
    before = _open_minutes_by_label(tz, start)[_label(resource)]
    assert before > 0

    OpeningHours.objects.filter(resource=resource).delete()
    OpeningHours.objects.create(resource=resource, weekday=0, opens=time(8), closes=time(9))
    only_mondays = _open_minutes_by_label(tz, start)[_label(resource)]
    assert only_mondays == 2 * 60 * max(1, resource.capacity)  # two Mondays in any 14 days

    monday = next(
        day
        for day in ((start + timedelta(days=n)).astimezone(tz).date() for n in range(1, 8))
        if day.weekday() == 0
    )
    CalendarException.objects.create(
        resource=resource,
        starts_at=datetime.combine(monday, time(0), tzinfo=tz),
        ends_at=datetime.combine(monday, time(23), tzinfo=tz),
        kind=CalendarExceptionKind.CLOSED,
    )
    assert _open_minutes_by_label(tz, start)[_label(resource)] == 60 * max(1, resource.capacity)


def test_one_networks_cached_spans_are_not_read_by_another(network_a, tenant_a, tenant_b):
    tz = ZoneInfo("Europe/Amsterdam")
    start = timezone.now()
    connection.set_tenant(tenant_a)
    try:
        resource = Resource.objects.order_by("pk").first()
        calendar = resource_calendar(resource=resource, time_zone=str(tz))
        key = selectors._calendar_key(calendar)
        cache.clear()
        written = selectors._open_spans_by_calendar({key: calendar}, start, DAYS, tz)[key]
        assert written
        entry = f"open-spans:{key}:{start.astimezone(tz).date().isoformat()}:{DAYS}"
        assert cache.get(entry) == written
        connection.set_tenant(tenant_b)
        assert cache.get(entry) is None
    finally:
        connection.set_schema_to_public()


def test_an_exception_that_ended_before_the_window_is_neither_read_nor_cached(network_a, in_tenant_a):
    """Past closures pile up for ever: the dashboard reads only those that touch its days, so an old one leaves
    the cached calendar (and its key) as it was."""
    tz = ZoneInfo("Europe/Amsterdam")
    start = timezone.now()
    resource = Resource.objects.select_related("asset_owner").order_by("pk").first()
    cache.clear()
    before = _open_minutes_by_label(tz, start)[_label(resource)]
    CalendarException.objects.create(
        resource=resource,
        starts_at=start - timedelta(days=400),
        ends_at=start - timedelta(days=399),
        kind=CalendarExceptionKind.CLOSED,
    )

    assert _open_minutes_by_label(tz, start)[_label(resource)] == before
    with_the_old_closure = resource_calendar(
        resource=Resource.objects.prefetch_related("opening_hours", "calendar_exceptions").get(
            pk=resource.pk
        ),
        time_zone=str(tz),
    )
    key = selectors._calendar_key(with_the_old_closure)
    assert cache.get(f"open-spans:{key}:{start.astimezone(tz).date().isoformat()}:{DAYS}") is None
