"""The staff dashboard of the network: orders by state, punctuality, lateness, utilisation and order value.

The body is kept in the cache under the network's count of writes to the tables it reads and the current minute
(apps/backoffice/dashboard_page.py): a repeat view is one statement and one cache read."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts.access import network_staff_required
from apps.backoffice.charts import LineChart, hbar_chart, line_chart
from apps.backoffice.dashboard_page import dashboard_body_cached
from apps.backoffice.selectors import (
    busiest,
    gross_order_value_by_day,
    job_problems_open,
    offers_unanswered,
    on_time_delivery,
    orders_by_status,
    orders_needing_attention,
    utilisation_next_cached,
)
from apps.core.first_rows import first_rows_and_count
from apps.core.fragments import fragments_render, page_body_key
from apps.core.money import format_minor
from apps.core.when import format_day, format_short_day
from apps.payouts.selectors import transfers_needing_attention

UTILISATION_DAYS = 14
VALUE_DAYS = 30
BUSIEST_OWNERS, BUSIEST_RESOURCES = 8, 10
ACTION_ROWS = 5
HBAR_CHART, LINE_CHART = "backoffice/_hbar.html", "backoffice/_line.html"
DASHBOARD, DASHBOARD_BODY = "backoffice/dashboard.html", "backoffice/_dashboard_body.html"
# What the failed-transfers card shows (the order's reference derives from its id; the participant shows its name):
# the joined order's and participants' other columns are neither compiled nor read.
FAILING_TRANSFER_COLUMNS = (
    "id",
    "order__id",
    "asset_owner__name",
    "carrier__name",
    "designer__name",
    "amount_minor",
    "currency",
    "status",
    "attempts",
    "last_error",
    "updated_at",
)


def _charts_html(charts: list) -> list[str]:
    """Each chart is a function of its numbers: kept in the cache by its content, all read in one round trip."""
    return fragments_render(
        [
            (LINE_CHART if isinstance(chart, LineChart) else HBAR_CHART, chart, {"chart": chart})
            for chart in charts
        ]
    )


def _utilisation_tone(ratio: float) -> str:
    return "err" if ratio > 0.9 else "warn" if ratio > 0.7 else "ok"


@require_GET
@network_staff_required
def dashboard(request):
    now = timezone.now()
    # Everything that moves with time alone ("3 minutes ago", the last 30 and 90 days, the utilisation window) is
    # drawn as of this minute, and the body is kept until the next one at the latest (dashboard_draw).
    as_of = now.replace(second=0, microsecond=0)

    def key_of(tables_state: str) -> str:
        return page_body_key(
            "dashboard",
            templates=(DASHBOARD_BODY, HBAR_CHART, LINE_CHART),
            content=(request.tenant.pk, request.tenant.currency, tables_state),
        )

    body = dashboard_body_cached(
        key_of=key_of, draw=lambda: dashboard_draw(request, now=now, as_of=as_of), now=now
    )
    return render(request, DASHBOARD, {"body": body})


def dashboard_draw(request, *, now: datetime, as_of: datetime) -> tuple[str, datetime]:
    """The body's html and the first moment it may read differently with time alone: the next minute, the next
    minute of a problem's age ("3 minutes ago" counts from when it was reported), or an offer's answer deadline
    ("answer deadline passed" turns at the deadline)."""
    context = _dashboard_context(request, now=now, as_of=as_of)
    turns = [as_of + timedelta(minutes=1)]
    turns += [
        item.offer_deadline for item in context["offers"] if item.offer_deadline and item.offer_deadline > now
    ]
    turns += [_next_whole_minute_of_age(problem.created_at, now) for problem in context["problems"]]
    return render_to_string(DASHBOARD_BODY, context), min(turns)


def _next_whole_minute_of_age(since: datetime, now: datetime) -> datetime:
    minutes = max(0, int((now - since).total_seconds() // 60)) + 1
    return since + timedelta(minutes=minutes)


def _dashboard_context(request, *, now: datetime, as_of: datetime) -> dict:
    tz = ZoneInfo(request.tenant.time_zone)
    by_status = orders_by_status()
    on_time = on_time_delivery(since=as_of - timedelta(days=90), tz=tz)
    # From this minute on: every view in the minute shares the cached answer (the rows it reads unchanged).
    owners, resources = utilisation_next_cached(start=as_of, days=UTILISATION_DAYS, tz=tz)
    value = gross_order_value_by_day(days=VALUE_DAYS, tz=tz, today=as_of.astimezone(tz).date())
    currency = next((c for _, _, c in value if c), request.tenant.currency)
    problems, problems_open = job_problems_open()
    late_orders, late_count = orders_needing_attention(limit=ACTION_ROWS)
    offers, offers_count = offers_unanswered(limit=ACTION_ROWS)
    failing, failing_count = first_rows_and_count(
        transfers_needing_attention().only(*FAILING_TRANSFER_COLUMNS), ACTION_ROWS
    )
    busy_owners, owners_left_out = busiest(owners, BUSIEST_OWNERS)
    busy_resources, resources_left_out = busiest(resources, BUSIEST_RESOURCES)

    def money(amount_minor: float) -> str:
        # The chart's axis ticks are floats; a tick between two minor units shows the nearest one.
        return format_minor(round(amount_minor), currency)

    charts = {
        "status_chart": hbar_chart("Orders by state", [(label, n, str(n)) for _, label, n in by_status]),
        "lateness_chart": hbar_chart(
            "Delivered orders by days late (last 90 days)",
            [(label, n, str(n)) for label, n in on_time.late_days.items()],
        ),
        "owner_chart": hbar_chart(
            f"Busiest asset owners, next {UTILISATION_DAYS} days",
            [(u.label, u.ratio, f"{u.ratio:.0%} of {u.open_minutes // 60} h") for u in busy_owners],
            scale_max=1.0,
            tone_for=_utilisation_tone,
        ),
        "resource_chart": hbar_chart(
            f"Busiest resources, next {UTILISATION_DAYS} days",
            [(u.label, u.ratio, f"{u.ratio:.0%} of {u.open_minutes // 60} h") for u in busy_resources],
            scale_max=1.0,
            tone_for=_utilisation_tone,
            label_width=300,
        ),
        "value_chart": line_chart(
            f"Gross order value per day, last {VALUE_DAYS} days",
            [(format_short_day(day), total, f"{format_day(day)}: {money(total)}") for day, total, _ in value],
            y_format=money,
        ),
    }
    context = {
        **charts,
        **dict(zip((f"{name}_html" for name in charts), _charts_html(list(charts.values())), strict=True)),
        "on_time": on_time,
        "owners_left_out": owners_left_out,
        "value_total": money(sum(total for _, total, _ in value)),
        "resources_left_out": resources_left_out,
        "attention": late_orders,
        "attention_count": late_count,
        "offers": offers,
        "offers_count": offers_count,
        "failing_transfers": failing,
        "failing_count": failing_count,
        "now": now,
        "as_of": as_of,
        "problems": problems,
        "problems_open": problems_open,
        "utilisation_days": UTILISATION_DAYS,
    }
    return context
