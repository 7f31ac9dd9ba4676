"""Checks shared by matching's database tests: an applied plan is sound (validator + the rows themselves)."""

from __future__ import annotations

from datetime import datetime

from apps.matching.models import MatchingRun
from apps.matching.services import order_plan_violations
from apps.orders.models import WorkItem
from apps.orders.status import WORK_ITEM_ACTIVE
from apps.suppliers import calendars
from apps.suppliers.selectors import resource_calendar


def run_origin(run: MatchingRun) -> datetime:
    return datetime.fromisoformat(run.statistics["origin"])


def assert_plan_valid(order_id: int, run: MatchingRun) -> None:
    """The validator finds nothing wrong with the order's plan as stored (against the network as it is now)."""
    violations = order_plan_violations(order_id=order_id, origin=run_origin(run))
    assert violations == [], violations


def assert_no_double_booking(resource) -> None:
    """At no moment does a resource hold more active jobs than its capacity."""
    items = WorkItem.objects.filter(resource=resource, status__in=WORK_ITEM_ACTIVE)
    events = sorted(
        [(i.planned_start, 1) for i in items] + [(i.planned_end, -1) for i in items],
        key=lambda e: (e[0], e[1]),
    )
    level = 0
    for _, delta in events:
        level += delta
        assert level <= resource.capacity, f"{resource} double-booked"


def assert_within_opening_hours(item: WorkItem, time_zone: str = "Europe/Amsterdam") -> None:
    """A planned job lies inside one opening of its resource's calendar (closed hours are never planned)."""
    calendar = resource_calendar(resource=item.resource, time_zone=time_zone)
    spans = calendars.open_intervals(calendar, item.planned_start, item.planned_end)
    assert spans == [(item.planned_start, item.planned_end)], f"{item} overlaps closed hours: {spans}"
