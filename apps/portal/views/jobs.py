"""Supplier job inbox and job pages: offers with a response deadline, upcoming, running and done work, and what
the supplier is paid for each job (the profit-share statement) before it accepts."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views import View
from django.views.generic import TemplateView

from apps.core.content_cache import fingerprint_read
from apps.core.errors import form_add_service_error
from apps.core.fragments import CSRF_SLOT, csrf_fill, fragment_key, page_body_cached
from apps.orders.actions import work_item_allowed
from apps.orders.models import WorkItem
from apps.orders.models.order import order_reference
from apps.orders.services import (
    work_item_accept,
    work_item_complete,
    work_item_decline,
    work_item_problem_report,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import WorkItemStatus
from apps.payouts.selectors import statement_for_work_item
from apps.portal import job_page, jobs
from apps.portal.forms import DeclineForm, MeasurementRows, ProblemForm, QualityCheckForm
from apps.portal.mixins import SupplierPortalView
from apps.portal.views.actions import CardPage, FormRejected
from apps.suppliers.access import Along
from apps.uploads.selectors import upload_file_urls, upload_for_design
from apps.uploads.viewing import part_drawing_response, part_view

W = WorkItemStatus
INBOX = "portal/jobs/_inbox.html"


def inbox_key(company_id: int, fingerprint: str) -> str:
    """The inbox body's cache key: the company and its rows' digest (the offers' deadlines are among its rows)."""
    return fragment_key(INBOX, (company_id, fingerprint))


class JobInboxView(SupplierPortalView, TemplateView):
    """The company's jobs in four sections. The list re-polls every minute (htmx) to keep deadlines honest."""

    template_name = "portal/jobs/inbox.html"
    scoped_model = WorkItem

    def get_template_names(self):
        return [f"{self.template_name}#inbox" if self.request.htmx else self.template_name]

    def along(self) -> Along:
        # The inbox's fingerprint is read with the membership: one statement for both.
        return Along(sql=jobs.inbox_fingerprint_sql, params=jobs.INBOX_ROW_PARAMS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(inbox_html=self.inbox_html(now), now=now)
        return context

    def inbox_html(self, now) -> SafeString:
        """The inbox's body, kept under the company and the fingerprint of every row it is drawn from
        (jobs.inbox_fingerprint_sql) until an offer's countdown turns (jobs.inbox_valid_until): meanwhile one
        statement (the membership's, which read the fingerprint along) and one cache read; another company never
        reads the entry. Drawn again, from rows read in the fingerprint's own snapshot, when anything changed
        (fragments.page_body_cached)."""
        company_id = self.company.pk

        def draw() -> tuple[str, datetime | None]:
            inbox = jobs.job_inbox(self.scoped())
            html = render_to_string(INBOX, {"inbox": inbox, "now": now})
            return html, jobs.inbox_valid_until(inbox, now=now)

        return page_body_cached(
            key_of=lambda fingerprint: inbox_key(company_id, fingerprint),
            fingerprint=self.along_value,
            read_fingerprint=lambda: fingerprint_read(
                jobs.inbox_fingerprint_sql(), jobs.inbox_fingerprint_params(company_id)
            ),
            draw=draw,
            now=now,
        )


class JobView(SupplierPortalView, CardPage):
    """GET: one job with its statement. POST …/<action>/: accept, decline, start, complete, problem, quality."""

    template_name = "portal/jobs/detail.html"
    card = "job-card"
    object_name = "job"
    scoped_model = WorkItem
    actions = {
        "accept": ("Could not accept", "accept"),
        "decline": ("Could not decline", "decline"),
        "start": ("Could not start", "start"),
        "complete": ("Could not mark production finished", "complete"),
        "problem": ("Could not report the problem", "problem"),
        "quality": ("Could not record the quality check", "quality"),
    }

    def along(self) -> Along | None:
        """A GET of the page reads its job and its card's fingerprint with the membership: one statement."""
        if self.request.method != "GET" or self.kwargs.get("action"):
            return None
        return job_page.head_along(self.kwargs["pk"])

    def get_object_for_page(self) -> WorkItem:
        try:
            return jobs.job_page(self.scoped()).get(pk=self.kwargs["pk"])
        except (WorkItem.DoesNotExist, ValueError, TypeError):
            raise Http404("Not found.") from None

    def page_url(self, obj) -> str:
        return reverse("portal:job", args=[obj.pk])

    def get(self, request, *args, **kwargs):
        """The page, its card from the cache while none of the rows it shows changed (apps/portal/job_page.py): the
        membership's statement (which read the job's head along) and one cache read. Drawn again, in the
        fingerprint's own snapshot, when one did."""
        if kwargs.get("action"):
            return HttpResponseNotAllowed(["POST"])
        now = timezone.now()
        company_id, job_id = self.company.pk, self.kwargs["pk"]
        head = job_page.head_of(self.along_value)  # read with the membership (along())
        if head is None:
            raise Http404("Not found.")

        def draw() -> tuple[str, datetime | None]:
            job = self.get_object_for_page()
            return self._card_body(job), job_page.card_valid_until(job, now=now)

        body = page_body_cached(
            key_of=lambda fingerprint: job_page.card_key(
                company_id=company_id, role=self.member.role, job_id=job_id, fingerprint=fingerprint
            ),
            fingerprint=head.fingerprint,
            read_fingerprint=lambda: job_page.job_card_fingerprint(company_id=company_id, job_id=job_id),
            draw=draw,
            now=now,
        )
        return self._page(head, card_body=body)

    def render_card(self, obj, *, status: int = 200, error: str = "", **forms) -> TemplateResponse:
        """The card drawn afresh (after an action: bound forms, an error), not kept."""
        head = job_page.JobHead(
            job_id=obj.pk,
            name=obj.name,
            order_id=obj.order_id,
            design_id=obj.line.design_version.design_id,
            has_part=obj.has_part,
            fingerprint="",
        )
        return self._page(head, card_body=self._card_body(obj, **forms), status=status, error=error)

    def _page(self, head: job_page.JobHead, *, card_body: str, status: int = 200, error: str = ""):
        context = self.get_context_data(
            job_name=head.name,
            reference=order_reference(head.order_id),
            card_body=csrf_fill(card_body, self.request),
            action_error=error,
        )
        if not self.request.htmx and head.has_part:
            context.update(self._part_context(head))
        suffix = f"#{self.card}" if self.request.htmx else ""
        return TemplateResponse(self.request, f"{self.template_name}{suffix}", context, status=status)

    def _card_body(self, job: WorkItem, **forms) -> str:
        return render_to_string(
            job_page.CARD_BODY, {**self.card_context(job, **forms), "csrf_token": CSRF_SLOT}
        )

    def card_context(self, job: WorkItem, **forms) -> dict:
        """What the card is drawn from: the job and its rows only (job_page's fingerprint covers them all)."""
        allowed = work_item_allowed(job)
        return {
            "job": job,
            "spec": jobs.job_spec(job),
            "process_label": job.process_name,
            "statement": statement_for_work_item(job),
            "checks": jobs.job_checks(job),
            "problems": jobs.job_problems(job),
            "can_accept": allowed.can("accept"),
            "can_decline": allowed.can("decline"),
            "can_start": allowed.can("start"),
            # Instead of a Start button that can only be refused: what the job still waits for.
            "waiting_for": allowed.waiting_text,
            "can_complete": allowed.can("complete"),
            "can_check": allowed.can("quality"),
            "can_report": allowed.can("problem"),
            "decline_form": forms.get("decline_form") or DeclineForm(),
            "problem_form": forms.get("problem_form") or ProblemForm(can_give_back=allowed.can("decline")),
            "quality_form": forms.get("quality_form") or QualityCheckForm(),
            "measurement_rows": forms.get("measurement_rows") or MeasurementRows(prefix="m"),
        }

    def _part_context(self, head: job_page.JobHead) -> dict:
        """The customer's file, when the job's design is an uploaded part: shown beside the job (outside the
        card, so an action does not reload the viewer), with downloads through the private media view."""
        upload = upload_for_design(design_id=head.design_id)
        if upload is None:
            return {}
        return {
            "part": part_view(upload, drawing_url=reverse("portal:job_part_drawing", args=[head.job_id])),
            "part_files": upload_file_urls(upload),
        }

    # --- actions: each calls one orders service inside the company's scope ------------------------------

    def _service_kwargs(self, job: WorkItem) -> dict:
        # The plain scoped queryset: the services lock rows through it (no outer joins allowed there).
        return {"work_item_id": job.pk, "actor": self.request.user, "scope": self.scoped()}

    def accept(self, job: WorkItem) -> str:
        work_item_accept(**self._service_kwargs(job))
        return "Job accepted: it is on your schedule."

    def decline(self, job: WorkItem) -> str:
        form = DeclineForm(self.request.POST)
        if not form.is_valid():
            raise FormRejected(decline_form=form)
        try:
            work_item_decline(**self._service_kwargs(job), reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_add_service_error(form, error)
            raise FormRejected(decline_form=form) from None
        return "Job declined: the network plans it elsewhere."

    def start(self, job: WorkItem) -> str:
        rework = job.status == W.FAILED
        work_item_start(**self._service_kwargs(job))
        return "Rework started." if rework else "Production started."

    def complete(self, job: WorkItem) -> str:
        work_item_complete(**self._service_kwargs(job))
        return "Production finished: record the quality check to close the job."

    def problem(self, job: WorkItem) -> str:
        """A job not started yet can be given back (declined with the problem as its reason, re-planned);
        otherwise the problem is recorded for the network's staff (not shown to the customer), who are
        e-mailed."""
        form = ProblemForm(self.request.POST, can_give_back=work_item_allowed(job).can("decline"))
        if not form.is_valid():
            raise FormRejected(problem_form=form)
        give_back = bool(form.cleaned_data.get("give_back"))
        try:
            work_item_problem_report(
                **self._service_kwargs(job), reason=form.cleaned_data["reason"], give_back=give_back
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            raise FormRejected(problem_form=form) from None
        if give_back:
            return "Problem reported and the job given back: the network plans it elsewhere."
        return "Problem reported: the network's staff have been told."

    def quality(self, job: WorkItem) -> str:
        form = QualityCheckForm(self.request.POST, self.request.FILES)
        rows = MeasurementRows(self.request.POST, prefix="m")
        if not (form.is_valid() & rows.is_valid()):
            raise FormRejected(quality_form=form, measurement_rows=rows)
        try:
            work_item_quality_record(
                **self._service_kwargs(job),
                passed=form.passed,
                measurements=rows.measurements(),
                notes=form.cleaned_data["notes"],
                photo=form.cleaned_data.get("photo"),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            raise FormRejected(quality_form=form, measurement_rows=rows) from None
        if form.passed:
            return "Quality check passed: the job is done."
        return "Quality check failed: start the rework when you are ready."


class JobPartDrawingView(SupplierPortalView, View):
    """The DXF drawing of a job's uploaded part, as an image (the media view would only offer a download)."""

    scoped_model = WorkItem

    def get(self, request, pk):
        job = self.get_scoped_object(pk)
        return part_drawing_response(jobs.job_part(job))
