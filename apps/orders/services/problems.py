"""Problems asset owners report on their jobs, and staff resolving them.

A report is a JobProblem row, a note on the order's audit trail (never shown to the customer) and, once the
transaction commits, an e-mail to the network's staff (through the outbox). A job not started yet may be given back with the report
(work_item_decline: the order is re-planned).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.selectors import staff_email_list
from apps.core.transitions import transition
from apps.orders.models import PROBLEM_TEXT_MAX, EventKind, JobProblem, JobProblemStatus, WorkItem
from apps.orders.notifications import network_name_and_url
from apps.orders.scope import scoped_locked_after_order
from apps.orders.services.transitions import event_record
from apps.orders.services.work import work_item_decline
from apps.orders.status import (
    WORK_ITEM_DECLINABLE,
    WORK_ITEM_OPEN_FOR_PROBLEMS,
    InvalidTransition,
    WorkItemStatus,
)
from apps.outbox.services import outbox_enqueue_email


def _text(value: str, *, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > PROBLEM_TEXT_MAX:
        raise ValidationError({field: f"At most {PROBLEM_TEXT_MAX} characters (it has {len(value)})."})
    return value


@transaction.atomic
def work_item_problem_report(
    *, work_item_id: int, actor, reason: str, give_back: bool = False, scope
) -> JobProblem:
    """Records a problem the asset owner has with one of its jobs and tells the network's staff (after commit).

    A reason is required (ValidationError on "reason"). With `give_back` the job, if offered or accepted, is
    declined with "Problem reported: …" as its reason and the order re-planned; a job already started cannot be
    given back. Otherwise the job must be open (offered, accepted, in progress or failed its check) and stays as
    it is. Out of these states raises InvalidTransition and nothing is written.
    """
    text = _text(reason, field="reason", missing="Describe the problem, so the network's staff can help.")
    item = scoped_locked_after_order(scope, WorkItem, work_item_id)
    if item is None:
        raise WorkItem.DoesNotExist(f"Work item {work_item_id} does not exist.")
    status_label = WorkItemStatus(item.status).label.lower()
    if give_back and item.status not in WORK_ITEM_DECLINABLE:
        raise InvalidTransition(
            f"This job is {status_label}; only a job not started yet can be given back. "
            "Report the problem without giving the job back.",
            current=item.status,
            to=WorkItemStatus.DECLINED,
        )
    if not give_back and item.status not in WORK_ITEM_OPEN_FOR_PROBLEMS:
        raise InvalidTransition(
            f"This job is {status_label}; write to the network's staff instead.", current=item.status
        )
    company = item.asset_owner.name if item.asset_owner_id else ""
    if give_back:
        work_item_decline(work_item_id=item.pk, actor=actor, reason=f"Problem reported: {text}", scope=scope)
    problem = JobProblem.objects.create(
        work_item_id=item.pk,
        order_id=item.order_id,
        company_name=company[:200],
        reported_by=actor if getattr(actor, "pk", None) else None,
        text=text,
        job_status=item.status,
        gave_back=give_back,
    )
    if not give_back:
        # The decline above is its own audit row; a problem that leaves the job as it is gets a note.
        event_record(
            order_id=item.order_id,
            kind=EventKind.NOTE,
            actor=actor,
            reason=f"Problem reported by {company} on job {item.pk}: {text}",
            data={"problem": text, "status": item.status, "job_problem": problem.pk},
            work_item_id=item.pk,
            customer_visible=False,
        )
    _tell_staff(problem=problem)
    return problem


@transaction.atomic
def job_problem_resolve(*, problem_id: int, actor, note: str) -> JobProblem:
    """Staff close an open problem with a note saying what was done; the order's audit trail gets a note.

    Compare-and-swap on status: a problem resolved meanwhile (or twice) raises InvalidTransition and keeps its
    first resolution. A note is required (ValidationError on "note").
    """
    note = _text(note, field="note", missing="Say how the problem was resolved.")
    transition(
        JobProblem,
        problem_id,
        JobProblemStatus.OPEN,
        JobProblemStatus.RESOLVED,
        message=lambda _current: "This problem is already resolved.",
        resolved_by=actor if getattr(actor, "pk", None) else None,
        resolved_at=timezone.now(),
        resolution_note=note,
    )
    problem = JobProblem.objects.get(pk=problem_id)
    event_record(
        order_id=problem.order_id,
        kind=EventKind.NOTE,
        actor=actor,
        reason=f"Problem {problem_id} on job {problem.work_item_id} resolved: {note}",
        data={"job_problem": problem_id, "resolution": note},
        work_item_id=problem.work_item_id,
        customer_visible=False,
    )
    return problem


def _tell_staff(*, problem: JobProblem) -> None:
    """One e-mail to the network's staff with the problem and a link to it, written to the outbox in the
    report's transaction (sent only if the report commits)."""
    problem = JobProblem.objects.select_related("order", "work_item").get(pk=problem.pk)
    network_name, problem_url = network_name_and_url(
        reverse("admin:orders_jobproblem_change", args=[problem.pk])
    )
    context = {"problem": problem, "network_name": network_name, "problem_url": problem_url}
    outbox_enqueue_email(
        to=staff_email_list(),
        subject=render_to_string("email/orders/job_problem_subject.txt", context),
        body=render_to_string("email/orders/job_problem.txt", context),
        dedup_key=f"job_problem:{problem.pk}:reported",
    )
