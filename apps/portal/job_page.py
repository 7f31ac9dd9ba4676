"""The supplier's job page: its card kept in the cache under a fingerprint of every row the card shows.

One SQL expression, written once per process (`job_head_sql`) and read in the portal membership's own statement
(apps/suppliers/access.py `Along`), finds the member's company's job and asks PostgreSQL for the SHA-256 of the text
of every row the card (portal/jobs/_card_body.html) is drawn from: the job's row with its order's city, its
resource, its process's name and the design version it is made from (the spec); its quality checks and problems; the
jobs of its order line and the legs bound for it with their carriers' names (what it waits for,
orders.selectors.work_item_waiting_for); and everything its pay statement is computed from
(payouts.statement_cache.statement_inputs_sql). Any change to any of them, by whatever path, is a new key; nothing
is invalidated (apps/core/fragments.py: page bodies). A repeat view is the membership's statement and one cache
read.

What time alone changes is an open offer's countdown: the card is kept until its text may change
(`card_valid_until`). The forms' CSRF token is a slot filled per response (fragments.csrf_fill).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from apps.catalog.models import Design, DesignVersion, ProductTemplate
from apps.core.fragments import fingerprint_select, page_body_key, rows_fingerprint_sql, table_sql
from apps.orders.models import JobProblem, Order, OrderLine, QualityCheck, TransportLeg, WorkItem
from apps.orders.status import WorkItemStatus
from apps.payouts.statement_cache import statement_inputs_sql
from apps.portal.jobs import countdown_valid_until
from apps.processes.models import Process
from apps.suppliers.access import Along
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


JOB_PARAM = "job_page_job"
ID_MAX = 2**63 - 1  # a bigint: a larger id in the address names no job (and must not reach the database)


def _has_part_sql() -> str:
    """Whether the design `dv.design_id` is made from an uploaded part: its own (a customer's) or its product's (a
    designer's CAD product). The rule is uploads.selectors.made_from_design; written out here as two EXISTS (each
    on its own index) for the page's prepared statement."""
    return (
        f"EXISTS (SELECT 1 FROM {table_sql(PartUpload)} u WHERE u.design_id = dv.design_id) "  # noqa: S608 - our tables' names only
        f"OR EXISTS (SELECT 1 FROM {table_sql(Design)} d JOIN {table_sql(ProductTemplate)} t ON t.id = d.template_id "
        "WHERE d.id = dv.design_id AND t.part_upload_id IS NOT NULL)"
    )


@lru_cache(maxsize=4)
def job_head_sql(company_id_sql: str) -> str:
    """An SQL expression (parameter %(job_page_job)s): the job of the company `company_id_sql` names, as text —
    id, name, order id, design id, whether an uploaded part is its design's, its card's fingerprint — or NULL when
    the company has no such job. Built once per process; read in the portal membership's statement
    (`head_along`) or alone (`job_head`). The tables are unqualified: the request's network's schema."""
    return (
        "(SELECT ARRAY[w.id::text, w.name, w.order_id::text, dv.design_id::text, "  # noqa: S608 - our tables' names only
        f"({_has_part_sql()})::text, {_card_fingerprint_sql()}] "
        f"FROM {table_sql(WorkItem)} w JOIN {table_sql(Order)} o ON o.id = w.order_id "
        f"JOIN {table_sql(OrderLine)} l ON l.id = w.line_id "
        f"JOIN {table_sql(DesignVersion)} dv ON dv.id = l.design_version_id "
        f"LEFT JOIN {table_sql(Resource)} res ON res.id = w.resource_id "
        f"WHERE w.id = %({JOB_PARAM})s AND w.asset_owner_id = {company_id_sql})"
    )


def head_along(job_id: int) -> Along | None:
    """The job's head to read along with the member's membership (one statement for both); None for an id no
    job can have."""
    if not 0 < job_id <= ID_MAX:
        return None
    return Along(sql=job_head_sql, params={JOB_PARAM: job_id})


def head_of(values: list[str] | None) -> JobHead | None:
    """The head job_head_sql read (None: no such job of the company)."""
    if values is None:
        return None
    job_id, name, order_id, design_id, has_part, fingerprint = values
    return JobHead(int(job_id), name, int(order_id), int(design_id), has_part == "true", fingerprint)


def job_head(*, company_id: int, job_id: int) -> JobHead | None:
    """The company's job `job_id` with its card's fingerprint, or None when the company has no such job."""
    along = head_along(job_id)  # the same statement the page reads with the membership, on its own
    if along is None:
        return None
    values = fingerprint_select(
        f"SELECT {along.sql('%(job_page_company)s')}", {**along.params, "job_page_company": company_id}
    )
    return head_of(values)


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
    (jobs.countdown_valid_until)."""
    if job.status != WorkItemStatus.OFFERED or job.offer_deadline is None:
        return None
    return countdown_valid_until(job.offer_deadline, now=now)
