"""The staff dashboard's numbers: a handful of aggregate queries, whatever the size of the network."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.orders.lateness import days_late, order_late_condition
from apps.orders.models import JobProblem, JobProblemStatus, Order, WorkItem
from apps.orders.status import COMMITTED, FINISHED, PAID_STATES, WORK_ITEM_ACTIVE, OrderStatus, WorkItemStatus
from apps.suppliers import calendars
from apps.suppliers.models import Resource
from apps.suppliers.selectors import resource_calendar


@dataclass(frozen=True)
class OnTime:
    delivered: int
    on_time: int
    late_days: dict[str, int]  # bucket label → orders
    open_late: int  # committed orders whose ETA is past the promise

    @property
    def rate(self) -> float | None:
        return None if self.delivered == 0 else self.on_time / self.delivered


@dataclass(frozen=True)
class Utilisation:
    label: str
    planned_minutes: int
    open_minutes: int

    @property
    def ratio(self) -> float:
        return 0.0 if self.open_minutes == 0 else self.planned_minutes / self.open_minutes


def orders_by_status() -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, zeros included."""
    counts = dict(Order.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(status.value, status.label, counts.get(status.value, 0)) for status in OrderStatus]


LATE_BUCKETS = ("on time", "1 day", "2–3 days", "4–7 days", "> 7 days")


def _bucket(days_late: int) -> str:
    if days_late <= 0:
        return LATE_BUCKETS[0]
    if days_late == 1:
        return LATE_BUCKETS[1]
    if days_late <= 3:
        return LATE_BUCKETS[2]
    if days_late <= 7:
        return LATE_BUCKETS[3]
    return LATE_BUCKETS[4]


def on_time_delivery(*, since: datetime, tz: ZoneInfo) -> OnTime:
    """Delivered orders since `since`: how many arrived by the promised day, and how late the others were."""
    rows = (
        Order.objects.filter(status__in=[*FINISHED, OrderStatus.REFUNDED, OrderStatus.DISPUTED])
        .filter(delivered_at__gte=since)
        .values_list("delivered_at", "promised_delivery_date")
    )
    buckets = dict.fromkeys(LATE_BUCKETS, 0)
    on_time = delivered = 0
    for delivered_at, promised in rows:
        delivered += 1
        late_by = days_late(delivered_at, promised, tz)
        on_time += late_by <= 0
        buckets[_bucket(late_by)] += 1
    open_late = Order.objects.filter(order_late_condition(tz), status__in=COMMITTED).count()
    return OnTime(delivered=delivered, on_time=on_time, late_days=buckets, open_late=open_late)


def gross_order_value_by_day(
    *, days: int, tz: ZoneInfo, today: date | None = None
) -> list[tuple[date, int, str]]:
    """(day, total of orders paid that day in minor units, currency) for the last `days` days, zeros included."""
    today = today or timezone.now().astimezone(tz).date()
    start = today - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(status__in=PAID_STATES, paid_at__date__gte=start)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day", "currency")
        .annotate(total=Sum("total_minor"))
    )
    totals: dict[date, int] = defaultdict(int)
    currency = ""
    for row in rows:
        totals[row["day"]] += row["total"]
        currency = row["currency"]
    return [
        (start + timedelta(days=i), totals.get(start + timedelta(days=i), 0), currency) for i in range(days)
    ]


def utilisation_next(
    *, start: datetime, days: int, tz: ZoneInfo
) -> tuple[list[Utilisation], list[Utilisation]]:
    """Planned minutes against open calendar minutes per asset owner and per resource over [start, start+days).

    Planned work counts the overlap of each active work item's window with the period.
    """
    end = start + timedelta(days=days)
    items = WorkItem.objects.filter(
        status__in=WORK_ITEM_ACTIVE, resource__isnull=False, planned_start__lt=end, planned_end__gt=start
    ).values_list("resource_id", "planned_start", "planned_end")
    planned: dict[int, int] = defaultdict(int)
    for resource_id, item_start, item_end in items:
        overlap = min(item_end, end) - max(item_start, start)
        planned[resource_id] += max(0, int(overlap.total_seconds() // 60))
    resources = (
        Resource.objects.select_related("asset_owner")
        .prefetch_related("opening_hours", "calendar_exceptions")
        .order_by("asset_owner__name", "name")
    )
    per_resource: list[Utilisation] = []
    per_owner: dict[str, list[int]] = {}
    for resource in resources:
        calendar = resource_calendar(resource=resource, time_zone=str(tz))
        open_total = calendars.open_minutes_total(calendar, start, end) * max(1, resource.capacity)
        used = planned.get(resource.pk, 0)
        per_resource.append(Utilisation(f"{resource.asset_owner.name} · {resource.name}", used, open_total))
        totals = per_owner.setdefault(resource.asset_owner.name, [0, 0])
        totals[0] += used
        totals[1] += open_total
    owners = [Utilisation(name, used, open_total) for name, (used, open_total) in per_owner.items()]
    return owners, per_resource


def orders_needing_attention(limit: int = 10) -> tuple[list[Order], int]:
    """Committed orders running late, or paid and not planned (soonest promise first, first `limit`), and how
    many there are: staff look at these first. Two queries."""
    late = Order.objects.filter(Q(order_late_condition(), status__in=COMMITTED) | Q(status=OrderStatus.PAID))
    return list(
        late.select_related("customer").order_by("promised_delivery_date", "id")[:limit]
    ), late.count()


def offers_unanswered(limit: int = 10) -> tuple[list[WorkItem], int]:
    """Jobs offered to a workshop and not answered yet, the nearest answer deadline first (passed ones lead),
    and how many there are. Two queries."""
    offered = WorkItem.objects.filter(status=WorkItemStatus.OFFERED)
    rows = offered.select_related("order", "asset_owner").order_by("offer_deadline", "id")[:limit]
    return list(rows), offered.count()


def busiest(rows: list[Utilisation], limit: int) -> tuple[list[Utilisation], int]:
    """The `limit` most utilised rows (busiest first, then by name) and how many were left out: a chart of the
    resources that matter, not sixty bars at 0 %."""
    ranked = sorted(rows, key=lambda u: (-u.ratio, u.label))
    return ranked[:limit], max(0, len(ranked) - limit)


def job_problems_open(limit: int = 10) -> tuple[list[JobProblem], int]:
    """The oldest open problems suppliers reported (first `limit`) and how many are open: two queries."""
    open_problems = JobProblem.objects.filter(status=JobProblemStatus.OPEN)
    oldest = list(open_problems.select_related("order", "work_item").order_by("created_at", "id")[:limit])
    return oldest, open_problems.count()
