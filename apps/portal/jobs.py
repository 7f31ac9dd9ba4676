"""What the supplier's job pages (and their API) show, read from the orders models (the carrier's legs:
apps/portal/legs.py).

Every function takes a queryset the caller already scoped to the member's company (PortalView.scoped(),
SupplierScoped.get_queryset()); nothing here widens it. Customers' personal data stays out: a supplier sees the
order's reference and the delivery city, never the name or street of the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from apps.core.fragments import rows_fingerprint_sql, table_sql
from apps.orders.actions import work_items_allowed
from apps.orders.models import JobProblem, Order, QualityCheck, TransportLeg, WorkItem
from apps.orders.status import WorkItemStatus
from apps.payouts.statement_cache import STATEMENT_FINGERPRINT, statement_fingerprint_of
from apps.processes.models import Process
from apps.processes.selectors import process_name_annotation
from apps.suppliers.models import Carrier, Resource
from apps.uploads.models import PartUpload
from apps.uploads.selectors import made_from_design, upload_for_design

W = WorkItemStatus

# The inbox's sections, in the order a supplier works through them.
OFFERS = frozenset({W.OFFERED})
UPCOMING = frozenset({W.ACCEPTED})
IN_PROGRESS = frozenset({W.IN_PROGRESS, W.FAILED})
DONE = frozenset({W.DONE})
# On the schedule: what the plan holds on the supplier's machines (offered ones too: the plan reserved them).
BOOKED = frozenset({W.OFFERED, W.ACCEPTED, W.IN_PROGRESS, W.FAILED, W.DONE})
DONE_SHOWN = 50


# --- supplier jobs ------------------------------------------------------------------------------------------


def job_rows(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """The joins a job row needs: order (reference, city), resource, and the process's name."""
    return queryset.select_related("order", "resource").annotate(process_name=process_name_annotation())


def job_rows_with_spec(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """Rows plus the ordered design's compiled operations, for job_spec (material, dimensions)."""
    return job_rows(queryset).select_related("line__design_version")


def job_detail(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    return job_rows_with_spec(queryset).prefetch_related(
        Prefetch("quality_checks", queryset=_newest_first(QualityCheck.objects)),
        Prefetch("problems", queryset=_newest_first(JobProblem.objects)),
    )


def job_page(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """A job as its page shows it: the row with the spec, and whether it has quality checks, problems and an
    uploaded part (EXISTS in the same statement), so a job without them reads none of them (job_checks,
    job_problems; the view asks for the part only when `has_part`); and the fingerprint of what its pay
    statement is computed from, so an unchanged statement comes from the cache without a statement of its own."""
    return (
        job_rows_with_spec(queryset)
        .only(*JOB_PAGE_COLUMNS)
        .annotate(
            **{STATEMENT_FINGERPRINT: statement_fingerprint_of(WorkItem)},
            has_checks=Exists(QualityCheck.objects.filter(work_item_id=OuterRef("pk"))),
            has_problems=Exists(JobProblem.objects.filter(work_item_id=OuterRef("pk"))),
            has_part=Exists(
                PartUpload.objects.filter(made_from_design(OuterRef("line__design_version__design_id")))
            ),
        )
    )


# The job's own columns and, of the joined rows, what the page shows (the order's city; its reference derives from
# its id) and job_spec reads: the order's 40 columns and the order line's are neither compiled, read nor decoded.
JOB_PAGE_COLUMNS = (
    *(field.name for field in WorkItem._meta.concrete_fields),
    "order__city",
    "resource__name",
    "line__design_version__operations",
    "line__design_version__design_id",
)


def _newest_first(rows: QuerySet) -> QuerySet:
    return rows.order_by("-created_at", "-id")


def job_checks(job: WorkItem) -> list[QualityCheck]:
    """The job's quality checks, newest first (a job from job_page)."""
    return list(_newest_first(job.quality_checks.all())) if job.has_checks else []


def job_problems(job: WorkItem) -> list[JobProblem]:
    """The problems reported on the job, newest first (a job from job_page)."""
    return list(_newest_first(job.problems.all())) if job.has_problems else []


@dataclass(frozen=True)
class JobSpec:
    """The compiled operation behind a job: what to make, from what, how big."""

    material: str
    dimensions_mm: tuple[float, ...] | None
    duration_minutes: float | None

    @property
    def dimensions_text(self) -> str:
        if not self.dimensions_mm:
            return ""
        return " × ".join(f"{Decimal(str(d)).normalize():f}" for d in self.dimensions_mm) + " mm"


def job_spec(item: WorkItem) -> JobSpec:
    """Read from the design version the order line is pinned to (immutable, so the job never drifts)."""
    for operation in item.line.design_version.operations or []:
        if operation.get("step_key") == item.step_key:
            dimensions = operation.get("dimensions_mm")
            return JobSpec(
                material=operation.get("material") or "",
                dimensions_mm=tuple(float(d) for d in dimensions) if dimensions else None,
                duration_minutes=operation.get("duration_minutes"),
            )
    return JobSpec(material="", dimensions_mm=None, duration_minutes=None)


def job_part(item: WorkItem) -> PartUpload | None:
    """The customer's uploaded part the job's order line was designed from, if it was (None for a template
    design). Read through the job, which the caller scoped to the member's company."""
    return upload_for_design(design_id=item.line.design_version.design_id)


@dataclass
class JobInbox:
    offers: list[WorkItem]
    upcoming: list[WorkItem]
    in_progress: list[WorkItem]
    done: list[WorkItem]

    @property
    def count(self) -> int:
        return len(self.offers) + len(self.upcoming) + len(self.in_progress) + len(self.done)


# What the inbox's rows show and what work_items_allowed reads (what a job waits for): the rest of the job, its
# order (40 columns) and its resource are neither compiled, read nor decoded.
INBOX_COLUMNS = (
    "name",
    "process",
    "quantity",
    "status",
    "planned_start",
    "planned_end",
    "actual_end",
    "offer_deadline",
    "predecessor_keys",
    "line_id",
    "order__city",
    "resource__name",
)


def job_inbox(queryset: QuerySet[WorkItem]) -> JobInbox:
    """Offers by response deadline, upcoming and running work by planned start, the latest done jobs.

    One statement (UNION ALL) reads the live jobs and the latest DONE_SHOWN done ones. Each live job carries
    `waiting_for`: "Waiting for …" while it may not start yet, else ""."""
    live_statuses = OFFERS | UPCOMING | IN_PROGRESS
    rows = job_rows(queryset).only(*INBOX_COLUMNS)
    latest_done = rows.filter(status__in=DONE).order_by("-actual_end", "-id")[:DONE_SHOWN]
    both = list(rows.filter(status__in=live_statuses).order_by().union(latest_done, all=True))
    live = sorted(
        (i for i in both if i.status in live_statuses),
        key=lambda i: (i.planned_start is None, i.planned_start.timestamp() if i.planned_start else 0, i.pk),
    )
    # As the statement's ORDER BY -actual_end, -id put them (PostgreSQL: no end first).
    done = sorted(
        (i for i in both if i.status in DONE),
        key=lambda i: (i.actual_end is not None, -i.actual_end.timestamp() if i.actual_end else 0, -i.pk),
    )
    allowed = work_items_allowed(live)
    for item in live:
        item.waiting_for = allowed[item.pk].waiting_text
    return JobInbox(
        # The most urgent answer first; an offer without a deadline last.
        offers=sorted(
            (i for i in live if i.status in OFFERS),
            key=lambda i: (
                i.offer_deadline is None,
                i.offer_deadline.timestamp() if i.offer_deadline else 0,
                i.pk,
            ),
        ),
        upcoming=[i for i in live if i.status in UPCOMING],
        in_progress=[i for i in live if i.status in IN_PROGRESS],
        done=done,
    )


# --- the inbox's fingerprint: one statement says whether the body drawn before still stands -------------------


@cache
def inbox_fingerprint_sql(company: str = "%(company)s") -> str:
    """SQL for the inbox's fingerprint of the company whose id `company` is (an SQL expression: the parameter
    %(company)s, or the company's column in the membership's statement; parameters live, done and done_shown:
    inbox_fingerprint_params): the hex SHA-256 of every row its body shows or is drawn from — the company's live
    jobs and latest `done_shown` done ones (job_inbox's two halves, in its order) with their order's city,
    resource and process names; every job on the live jobs' order lines and every leg bound for them, with its
    carrier's name (what a job waits for). Keep in step with job_inbox, portal/jobs/_inbox.html and
    orders.selectors.work_item_waiting_for."""
    work, order, resource = table_sql(WorkItem), table_sql(Order), table_sql(Resource)
    process, leg, carrier = table_sql(Process), table_sql(TransportLeg), table_sql(Carrier)
    shown = (
        f"(SELECT w.* FROM {work} w WHERE w.asset_owner_id = {company} AND w.status = ANY(%(live)s)) "  # noqa: S608 - our tables' names only
        f"UNION ALL (SELECT w.* FROM {work} w WHERE w.asset_owner_id = {company} AND w.status = %(done)s "
        "ORDER BY w.actual_end DESC, w.id DESC LIMIT %(done_shown)s)"
    )
    digest = rows_fingerprint_sql(
        [
            (
                "s::text || ROW(o.city, r.name, "  # noqa: S608 - our tables' names only
                f"(SELECT p.name FROM {process} p WHERE p.code = s.process LIMIT 1))::text",
                f"FROM shown s JOIN {order} o ON o.id = s.order_id LEFT JOIN {resource} r ON r.id = s.resource_id",
                "s.id",
            ),
            (
                "ROW(w.id, w.line_id, w.step_key, w.name, w.status)::text",
                f"FROM {work} w WHERE w.line_id IN (SELECT line_id FROM shown WHERE status = ANY(%(live)s))",  # noqa: S608 - our tables' names only
                "w.id",
            ),
            (
                "ROW(l.id, l.to_work_item_id, l.status, l.planned_arrival, c.name)::text",
                f"FROM {leg} l LEFT JOIN {carrier} c ON c.id = l.carrier_id "  # noqa: S608 - our tables' names only
                "WHERE l.to_work_item_id IN (SELECT id FROM shown WHERE status = ANY(%(live)s))",
                "l.id",
            ),
        ]
    )
    return f"(WITH shown AS ({shown}) SELECT {digest})"


def inbox_fingerprint_params(company_id: int) -> dict:
    return {"company": company_id, **INBOX_ROW_PARAMS}


# The fingerprint's parameters besides the company (read with the membership, the company is a column).
INBOX_ROW_PARAMS = {
    "live": sorted(OFFERS | UPCOMING | IN_PROGRESS),
    "done": W.DONE,
    "done_shown": DONE_SHOWN,
}


def countdown_valid_until(deadline: datetime, *, now: datetime) -> datetime | None:
    """The first moment after `now` the countdown to `deadline` (portal/jobs/_deadline.html) may read
    differently: its next minute (`timeuntil` counts the whole seconds left: with exactly m minutes left it still
    reads m, a microsecond later m - 1), or the deadline passing in its last minute. None once passed: then it no
    longer moves."""
    if deadline <= now:
        return None
    whole_minutes_left = int((deadline - now).total_seconds()) // 60
    if whole_minutes_left == 0:
        return deadline
    return deadline - timedelta(minutes=whole_minutes_left) + timedelta(microseconds=1)


def inbox_valid_until(inbox: JobInbox, *, now: datetime) -> datetime | None:
    """The first moment after `now` the inbox drawn at `now` may read differently with time alone: the soonest
    change of an open offer's countdown. None: only when its rows change."""
    changes = (countdown_valid_until(o.offer_deadline, now=now) for o in inbox.offers if o.offer_deadline)
    return min((change for change in changes if change is not None), default=None)


def job_bookings(queryset: QuerySet[WorkItem], *, start: datetime, end: datetime) -> QuerySet[WorkItem]:
    """Jobs holding the company's machines inside [start, end): what the dashboard's Gantt draws."""
    return (
        queryset.filter(
            status__in=BOOKED,
            resource__isnull=False,
            planned_start__isnull=False,
            planned_end__isnull=False,
            planned_start__lt=end,
            planned_end__gt=start,
        )
        .select_related("order")
        .order_by("planned_start", "id")
    )


def job_upcoming(queryset: QuerySet[WorkItem], *, now: datetime, limit: int = 8) -> list[WorkItem]:
    """Work still to do, soonest first (including offers waiting for an answer)."""
    return list(
        job_rows(queryset)
        .filter(status__in=OFFERS | UPCOMING | IN_PROGRESS, planned_end__gte=now - timedelta(days=1))
        .order_by("planned_start", "id")[:limit]
    )
