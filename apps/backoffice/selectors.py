"""The staff dashboard's numbers: a handful of aggregate queries, whatever the size of the network."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.core.content_cache import content_cached
from apps.core.first_rows import first_rows_and_count
from apps.core.fragments import rows_fingerprint_sql, table_sql
from apps.orders.lateness import days_late, order_late_condition
from apps.orders.models import JobProblem, JobProblemStatus, Order, WorkItem
from apps.orders.status import COMMITTED, FINISHED, PAID_STATES, WORK_ITEM_ACTIVE, OrderStatus, WorkItemStatus
from apps.suppliers import calendars
from apps.suppliers.models import AssetOwner, CalendarException, CalendarExceptionKind, OpeningHours, Resource


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
    # Plain rows, not model instances: building ~450 prefetched objects cost more than the statements.
    resources = Resource.objects.order_by("asset_owner__name", "name").values_list(
        "pk", "name", "capacity", "asset_owner__name"
    )
    weekly: dict[int, list[calendars.WeeklyHours]] = defaultdict(list)
    for resource_id, weekday, opens, closes in OpeningHours.objects.order_by(
        "resource_id", "weekday", "opens"
    ).values_list("resource_id", "weekday", "opens", "closes"):
        weekly[resource_id].append(calendars.WeeklyHours(weekday=weekday, opens=opens, closes=closes))
    # Only the exceptions that touch the cached local days: past ones pile up for ever, and would be read, hashed
    # into every key and carried in every calendar on each visit without changing a minute of the answer.
    window_start, window_end = _local_days(start, days, tz)
    exceptions: dict[int, list[calendars.ExceptionSpan]] = defaultdict(list)
    for resource_id, starts_at, ends_at, kind in (
        CalendarException.objects.filter(starts_at__lt=window_end, ends_at__gt=window_start)
        .order_by("resource_id", "starts_at")
        .values_list("resource_id", "starts_at", "ends_at", "kind")
    ):
        exceptions[resource_id].append(
            calendars.ExceptionSpan(
                starts_at=starts_at, ends_at=ends_at, open=kind == CalendarExceptionKind.OPEN
            )
        )
    with_keys = []
    for resource_id, name, capacity, owner_name in resources:
        calendar = calendars.Calendar(
            time_zone=str(tz),
            weekly=tuple(weekly.get(resource_id, ())),
            exceptions=tuple(exceptions.get(resource_id, ())),
        )
        with_keys.append(((resource_id, name, capacity, owner_name), _calendar_key(calendar), calendar))
    spans = _open_spans_by_calendar({key: calendar for _, key, calendar in with_keys}, start, days, tz)
    per_resource: list[Utilisation] = []
    per_owner: dict[str, list[int]] = {}
    for (resource_id, name, capacity, owner_name), key, _ in with_keys:
        open_total = _open_minutes_within(spans[key], start, end) * max(1, capacity)
        used = planned.get(resource_id, 0)
        per_resource.append(Utilisation(f"{owner_name} · {name}", used, open_total))
        totals = per_owner.setdefault(owner_name, [0, 0])
        totals[0] += used
        totals[1] += open_total
    owners = [Utilisation(name, used, open_total) for name, (used, open_total) in per_owner.items()]
    return owners, per_resource


def utilisation_inputs_sql() -> str:
    """SQL for the hex SHA-256 of every row utilisation_next reads for the parameters start, end (the window),
    window_start, window_end (its whole local days) and active (the active work item statuses): the planned
    windows of the active work items in it, every resource with its asset owner, every opening hour, and the
    exceptions touching those days. Keep in step with utilisation_next."""
    return rows_fingerprint_sql(
        [
            (
                "ROW(w.id, w.resource_id, w.planned_start, w.planned_end)::text",
                f"FROM {table_sql(WorkItem)} w WHERE w.status = ANY(%(active)s) AND w.resource_id IS NOT NULL "
                "AND w.planned_start < %(end)s AND w.planned_end > %(start)s",
                "w.id",
            ),
            (
                "r::text || coalesce(a::text, '')",
                f"FROM {table_sql(Resource)} r LEFT JOIN {table_sql(AssetOwner)} a ON a.id = r.asset_owner_id",
                "r.id",
            ),
            ("h::text", f"FROM {table_sql(OpeningHours)} h", "h.id"),
            (
                "e::text",
                f"FROM {table_sql(CalendarException)} e "
                "WHERE e.starts_at < %(window_end)s AND e.ends_at > %(window_start)s",
                "e.id",
            ),
        ]
    )


def utilisation_next_cached(
    *, start: datetime, days: int, tz: ZoneInfo
) -> tuple[list[Utilisation], list[Utilisation]]:
    """utilisation_next, from the cache while none of the rows it reads changed (apps/core/content_cache.py):
    one statement and one cache read instead of four reads and the calendars' arithmetic. The answer depends
    on `start` to the second: callers pass a whole minute, so every view in that minute shares one entry."""
    end = start + timedelta(days=days)
    window_start, window_end = _local_days(start, days, tz)
    return content_cached(
        key=lambda fingerprint: f"utilisation:{start.isoformat()}:{days}:{tz.key}:{fingerprint}",
        fingerprint=None,
        fingerprint_sql=utilisation_inputs_sql(),
        params={
            "start": start,
            "end": end,
            "window_start": window_start,
            "window_end": window_end,
            "active": sorted(WORK_ITEM_ACTIVE),
        },
        compute=lambda: utilisation_next(start=start, days=days, tz=tz),
    )


# Expanding weekly hours into UTC spans costs a local-time conversion per opening per day (~1,600 for 50
# resources over 14 days): the dashboard's largest cost. The spans of one calendar over whole local days are
# cached for the day, keyed by the calendar's own content (hours, the exceptions touching those days, time zone): a change to any of them
# is a new key, so there is nothing to invalidate, and the tenant-aware cache key function (settings.CACHES)
# keeps each network's entries apart.
OPEN_SPANS_TTL = 26 * 3600


def _local_days(start: datetime, days: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The whole local days whose open spans are cached for [start, start + days]: midnight to midnight in `tz`."""
    first_day = start.astimezone(tz).date()
    return (
        datetime.combine(first_day, datetime.min.time(), tzinfo=tz),
        datetime.combine(first_day + timedelta(days=days + 1), datetime.min.time(), tzinfo=tz),
    )


def _calendar_key(calendar: calendars.Calendar) -> str:
    return hashlib.sha256(repr(calendar).encode()).hexdigest()[:32]


def _open_spans_by_calendar(
    by_key: dict[str, calendars.Calendar], start: datetime, days: int, tz: ZoneInfo
) -> dict[str, list[tuple[float, float]]]:
    """Open spans (UTC epoch seconds) of each distinct calendar over the local days covering
    [start, start + days]: from the cache, computing and storing only the missing ones."""
    window_start, window_end = _local_days(start, days, tz)
    cache_keys = {key: f"open-spans:{key}:{window_start.date().isoformat()}:{days}" for key in by_key}
    found = cache.get_many(list(cache_keys.values()))
    spans: dict[str, list[tuple[float, float]]] = {}
    missing: dict[str, list[tuple[float, float]]] = {}
    for key, calendar in by_key.items():
        cached = found.get(cache_keys[key])
        if cached is None:
            cached = [
                (s.timestamp(), e.timestamp())
                for s, e in calendars.open_intervals(calendar, window_start, window_end)
            ]
            missing[cache_keys[key]] = cached
        spans[key] = cached
    if missing:
        cache.set_many(missing, OPEN_SPANS_TTL)
    return spans


def _open_minutes_within(spans: list[tuple[float, float]], start: datetime, end: datetime) -> int:
    """Open minutes of `spans` inside [start, end), rounded down as `calendars.open_minutes_total` does."""
    lo, hi = start.astimezone(UTC).timestamp(), end.astimezone(UTC).timestamp()
    return int(sum(min(e, hi) - max(s, lo) for s, e in spans if s < hi and e > lo) // 60)


def orders_needing_attention(limit: int = 10) -> tuple[list[Order], int]:
    """Committed orders running late, or paid and not planned (soonest promise first, first `limit`), and how
    many there are: staff look at these first. One query."""
    late = Order.objects.filter(Q(order_late_condition(), status__in=COMMITTED) | Q(status=OrderStatus.PAID))
    rows = late.select_related("customer").only(
        "id", "status", "promised_delivery_date", "eta", "customer__full_name", "customer__email"
    )
    return first_rows_and_count(rows.order_by("promised_delivery_date", "id"), limit)


def offers_unanswered(limit: int = 10) -> tuple[list[WorkItem], int]:
    """Jobs offered to a workshop and not answered yet, the nearest answer deadline first (passed ones lead),
    and how many there are. One query."""
    offered = WorkItem.objects.filter(status=WorkItemStatus.OFFERED)
    rows = offered.select_related("order", "asset_owner").only(
        "id", "order_id", "name", "offer_deadline", "asset_owner__name", "order__id"
    )
    return first_rows_and_count(rows.order_by("offer_deadline", "id"), limit)


def busiest(rows: list[Utilisation], limit: int) -> tuple[list[Utilisation], int]:
    """The `limit` most utilised rows (busiest first, then by name) and how many were left out: a chart of the
    resources that matter, not sixty bars at 0 %."""
    ranked = sorted(rows, key=lambda u: (-u.ratio, u.label))
    return ranked[:limit], max(0, len(ranked) - limit)


def job_problems_open(limit: int = 10) -> tuple[list[JobProblem], int]:
    """The oldest open problems suppliers reported (first `limit`) and how many are open: one query."""
    open_problems = JobProblem.objects.filter(status=JobProblemStatus.OPEN)
    rows = open_problems.select_related("order", "work_item").only(
        "id", "order_id", "company_name", "gave_back", "text", "created_at", "order__id", "work_item__name"
    )
    return first_rows_and_count(rows.order_by("created_at", "id"), limit)
