"""Staff pages of the matching engine: runs with live progress, each run's explanation, re-plan an order.

Every page serves its full HTML or, with HX-Request, the fragment htmx polls (django-template-partials): a
queued or running run refreshes itself every second until it is done or failed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.access import network_staff_required, permission_required
from apps.backoffice.explanation import explanation_rows
from apps.matching.models import RunMode
from apps.matching.selectors import run_get, run_latest_for_order, run_list
from apps.matching.services import run_request_replan
from apps.orders.models import Order
from apps.orders.status import PLANNABLE
from apps.processes.selectors import process_names

PAGE_SIZE = 50


def _elapsed(run) -> float | None:
    if run.started_at is None:
        return None
    end = run.finished_at or timezone.now()
    return round((end - run.started_at).total_seconds(), 1)


@require_GET
@network_staff_required
@vary_on_headers("HX-Request")
def run_list_view(request):
    mode = request.GET.get("mode", "")
    mode = mode if mode in RunMode.values else ""
    order = None
    if request.GET.get("order", "").isdecimal():  # isdigit() is true for "²", which int() refuses
        order = get_object_or_404(Order, pk=int(request.GET["order"]))
    runs_qs = run_list(mode=mode, order_id=order.pk if order else None)
    page = Paginator(runs_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    runs = list(page.object_list)
    context = {
        "page": page,
        "runs": [(run, _elapsed(run)) for run in runs],
        "modes": RunMode.choices,
        "mode": mode,
        "order": order,
        "can_replan": order is not None and order.status in PLANNABLE,
        "any_open": any(run.is_open for run in runs),
    }
    name = "backoffice/matching/run_list.html#runs" if request.htmx else "backoffice/matching/run_list.html"
    return render(request, name, context)


@require_GET
@network_staff_required
@vary_on_headers("HX-Request")
def run_detail_view(request, run_id: int):
    run = run_get(run_id=run_id)
    explained = run.explanation if not run.is_open else []
    context = {
        "run": run,
        "explanation": explanation_rows(
            explained,
            currency=request.tenant.currency,
            process_names=process_names(row.get("process", "") for row in explained) if explained else {},
        ),
        "elapsed": _elapsed(run),
        "can_replan": run.order is not None and run.order.status in PLANNABLE,
    }
    name = (
        "backoffice/matching/run_detail.html#status"
        if request.htmx
        else "backoffice/matching/run_detail.html"
    )
    return render(request, name, context)


@require_POST
@permission_required("orders.change_order")  # the admin's re-plan action asks the same
def order_replan_view(request, order_id: int):
    order = get_object_or_404(Order, pk=order_id)
    if order.status not in PLANNABLE:
        messages.error(
            request, f"Order {order.reference} is {order.get_status_display().lower()}; nothing to re-plan."
        )
        latest = run_latest_for_order(order_id=order.pk)
        return (
            redirect("backoffice:matching_run", run_id=latest.pk)
            if latest
            else redirect("backoffice:matching_runs")
        )
    reason = (
        request.POST.get("reason", "").strip()[:200]
        or f"Re-plan requested by {request.user.get_short_name()}"
    )
    run = run_request_replan(order_id=order.pk, requested_by=request.user, reason=reason)
    # Not "queued": the message stays on screen while the run moves on; the run page shows its state live.
    messages.success(request, f"You asked for a re-plan of {order.reference}; its progress is below.")
    return redirect("backoffice:matching_run", run_id=run.pk)
