"""The supplier's job page: its card kept in the cache under a fingerprint of every row the card shows.

One statement, written once per process (`job_head_sql`), finds the member's company's job and asks PostgreSQL for
the SHA-256 of the text of every row the card (portal/jobs/_card_body.html) is drawn from: the job's row with its
order's city, its resource, its process's name and the design version it is made from (the spec); its quality
checks and problems; the jobs of its order line and the legs bound for it with their carriers' names (what it
waits for, orders.selectors.work_item_waiting_for); and everything its pay statement is computed from
(payouts.statement_cache.statement_inputs_sql). Any change to any of them, by whatever path, is a new key; nothing
is invalidated (apps/core/fragments.py: page bodies). A repeat view is that statement and one cache read.

What time alone changes is an open offer's countdown: the card is kept until its text may change
(`card_valid_until`). The forms' CSRF token is a slot filled per response (fragments.csrf_fill).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import connection

from apps.catalog.models import DesignVersion
from apps.core.fragments import page_body_key, rows_fingerprint_sql, table_sql
from apps.orders.models import JobProblem, Order, OrderLine, QualityCheck, TransportLeg, WorkItem
from apps.orders.status import WorkItemStatus
from apps.payouts.statement_cache import statement_inputs_sql
from apps.processes.models import Process
from apps.suppliers.models import Carrier, Resource
from apps.uploads.models import PartUpload

CARD_BODY = "portal/jobs/_card_body.html"
# Every template the kept card is drawn from: a deploy that changes one of them misses.
CARD_TEMPLATES = (
    CARD_BODY,
    "portal/jobs/_status.html",
    "portal/jobs/_deadline.html",
    "portal/jobs/_statement.html",
    "_form_errors.html",
    "_form_field.html",
)


@dataclass(frozen=True)
class JobHead:
    """What the page shows around its card (title, heading, the customer's part), read with the fingerprint."""

    job_id: int
    name: str
    order_id: int
    design_id: int
    has_part: bool
    fingerprint: str


def _card_fingerprint_sql() -> str:
    """For the outer query of job_head_sql (the job `w`, its order `o`, resource `res`, design version `dv`)."""
    return rows_fingerprint_sql(
        [
            (
                f"ROW(w.*, o.city, res.id, res.name, (SELECT p.name FROM {table_sql(Process)} p "  # noqa: S608 - our tables' names only
                "WHERE p.code = w.process LIMIT 1), dv.design_id, dv.operations)::text",
                "",
                "",
            ),
            ("q::text", f"FROM {table_sql(QualityCheck)} q WHERE q.work_item_id = w.id", "q.id"),
            ("p::text", f"FROM {table_sql(JobProblem)} p WHERE p.work_item_id = w.id", "p.id"),
            (
                "ROW(s.id, s.step_key, s.name, s.status)::text",
                f"FROM {table_sql(WorkItem)} s WHERE s.line_id = w.line_id",
                "s.id",
            ),
            (
                "ROW(g.id, g.status, g.planned_arrival, c.name)::text",
                f"FROM {table_sql(TransportLeg)} g LEFT JOIN {table_sql(Carrier)} c ON c.id = g.carrier_id "
                "WHERE g.to_work_item_id = w.id",
                "g.id",
            ),
            (statement_inputs_sql("w.order_id"), "", ""),
        ]
    )


@lru_cache(maxsize=1)
def job_head_sql() -> str:
    """The page's one statement (parameters: job id, company id), built once per process: the job's tables are
    named unqualified, so it runs in the request's network's schema."""
    parts = table_sql(PartUpload)
    return (
        f"SELECT w.id, w.name, w.order_id, dv.design_id, "  # noqa: S608 - our tables' names only
        f"EXISTS (SELECT 1 FROM {parts} u WHERE u.design_id = dv.design_id), {_card_fingerprint_sql()} "
        f"FROM {table_sql(WorkItem)} w JOIN {table_sql(Order)} o ON o.id = w.order_id "
        f"JOIN {table_sql(OrderLine)} l ON l.id = w.line_id "
        f"JOIN {table_sql(DesignVersion)} dv ON dv.id = l.design_version_id "
        f"LEFT JOIN {table_sql(Resource)} res ON res.id = w.resource_id "
        "WHERE w.id = %s AND w.asset_owner_id = %s"
    )


ID_MAX = 2**63 - 1  # a bigint: a larger id in the address names no job (and must not reach the database)


def job_head(*, company_id: int, job_id: int) -> JobHead | None:
    """The company's job `job_id` with its card's fingerprint, or None when the company has no such job."""
    if not 0 < job_id <= ID_MAX:
        return None
    with connection.cursor() as cursor:
        cursor.execute(job_head_sql(), [job_id, company_id])
        row = cursor.fetchone()
    return JobHead(*row) if row else None


def job_card_fingerprint(*, company_id: int, job_id: int) -> str | None:
    head = job_head(company_id=company_id, job_id=job_id)
    return head.fingerprint if head else None


def card_key(*, company_id: int, role: str, job_id: int, fingerprint: str) -> str:
    """The kept card's key: the company and the member's role (whose card it is), the job and its rows'
    fingerprint; page_body_key adds the time zone, the language and the templates' sources."""
    return page_body_key(
        "job-card", templates=CARD_TEMPLATES, content=(company_id, str(role), job_id, fingerprint)
    )


def card_valid_until(job: WorkItem, *, now: datetime) -> datetime | None:
    """The first moment the card drawn at `now` may read differently with time alone: an open offer's countdown
    (whole minutes left, from the `timeuntil` filter) reaching its next minute, and the deadline passing. Never
    later than the text changes; at worst a redraw a moment early."""
    deadline = job.offer_deadline
    if job.status != WorkItemStatus.OFFERED or deadline is None or deadline <= now:
        return None
    whole_minutes_left = int((deadline - now).total_seconds()) // 60
    return deadline - timedelta(minutes=whole_minutes_left)
