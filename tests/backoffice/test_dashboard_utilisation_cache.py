"""The dashboard's utilisation comes from the cache while none of the rows it reads changed
(utilisation_next_cached, apps/core/content_cache.py). Each test writes one kind of row with a queryset update
(no save(), no updated_at, no signal) and sees the next answer change — a cache keyed by less than every input
fails one of them; another network never reads the entry."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.cache import reverse_key
from django_tenants.utils import schema_context

from apps.backoffice.selectors import utilisation_next, utilisation_next_cached
from apps.orders.models import WorkItem
from apps.orders.status import WorkItemStatus
from apps.suppliers.models import AssetOwner, CalendarException, CalendarExceptionKind, OpeningHours, Resource
from tests.payouts.money_builders import make_order

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday morning: the window holds two of every weekday
DAYS = 14


def shown():
    return utilisation_next_cached(start=START, days=DAYS, tz=TZ)


def by_label(rows) -> dict:
    return {row.label: row for row in rows}


@pytest.fixture
def resource(network_a):
    return Resource.objects.select_related("asset_owner").order_by("pk").first()


@pytest.fixture
def job(resource, network_a):
    """An active job planned on `resource` inside the window (a planner's row, written as rows are)."""
    order = make_order(total_minor=10_000, items=[(resource.asset_owner, 1_000)])
    WorkItem.objects.filter(order=order).update(
        resource=resource,
        planned_start=START + timedelta(days=1),
        planned_end=START + timedelta(days=1, hours=2),
    )
    return WorkItem.objects.get(order=order)


def label(resource) -> str:
    return f"{resource.asset_owner.name} · {resource.name}"


def cached_then(change):
    """The answer before `change()` — the second read one statement and no computation — and after it."""
    before = shown()
    with CaptureQueriesContext(connection) as queries:
        assert shown() == before
    assert len(queries) == 1, "the fingerprint only"
    change()
    after = shown()
    assert after == utilisation_next(start=START, days=DAYS, tz=TZ), (
        "the cache answers what a computation does"
    )
    return by_label(before[1]), by_label(after[1])


def test_the_cached_answer_is_the_computed_one(network_a):
    assert shown() == utilisation_next(start=START, days=DAYS, tz=TZ)


def test_opening_hours(resource):
    before, after = cached_then(
        lambda: OpeningHours.objects.filter(resource=resource).update(opens=time(11), closes=time(12))
    )
    assert after[label(resource)].open_minutes < before[label(resource)].open_minutes


def test_an_exception_inside_the_window(resource):
    def closed_on_tuesday():
        CalendarException.objects.create(
            resource=resource,
            starts_at=START + timedelta(days=1),
            ends_at=START + timedelta(days=2),
            kind=CalendarExceptionKind.CLOSED,
        )

    before, after = cached_then(closed_on_tuesday)
    assert after[label(resource)].open_minutes < before[label(resource)].open_minutes


def test_an_exception_moved(resource):
    closure = CalendarException.objects.create(
        resource=resource,
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=2),
        kind=CalendarExceptionKind.CLOSED,
    )
    before, after = cached_then(
        lambda: CalendarException.objects.filter(pk=closure.pk).update(ends_at=START + timedelta(days=4))
    )
    assert after[label(resource)].open_minutes < before[label(resource)].open_minutes


def test_a_resources_capacity_and_name(resource):
    before, after = cached_then(
        lambda: Resource.objects.filter(pk=resource.pk).update(capacity=7, name="Renamed")
    )
    renamed = f"{resource.asset_owner.name} · Renamed"
    assert label(resource) in before and renamed in after and label(resource) not in after
    assert (
        after[renamed].open_minutes == before[label(resource)].open_minutes // max(1, resource.capacity) * 7
    )


def test_an_asset_owners_name(resource):
    before, after = cached_then(
        lambda: AssetOwner.objects.filter(pk=resource.asset_owner_id).update(name="Renamed Works")
    )
    assert f"Renamed Works · {resource.name}" in after and label(resource) in before


def test_a_planned_job_moved_or_cancelled(resource, job):
    before, moved = cached_then(
        lambda: WorkItem.objects.filter(pk=job.pk).update(planned_end=START + timedelta(days=1, hours=5))
    )
    assert moved[label(resource)].planned_minutes == before[label(resource)].planned_minutes + 180
    WorkItem.objects.filter(pk=job.pk).update(status=WorkItemStatus.CANCELLED)
    cancelled = by_label(shown()[1])
    assert cancelled[label(resource)].planned_minutes == before[label(resource)].planned_minutes - 120


def test_another_network_never_reads_the_entry(network_a, tenant_a, tenant_b):
    cache.clear()
    shown()
    (stored,) = cache._cache.get_client().keys("*utilisation:*")
    key = reverse_key(stored.decode())
    assert key.startswith("utilisation:") and cache.get(key) is not None
    with schema_context(tenant_b.schema_name):
        assert cache.get(key) is None
