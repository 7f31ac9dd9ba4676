"""The staff dashboard of the network: orders by state, punctuality, lateness, utilisation and order value."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts.access import network_staff_required
from apps.backoffice.charts import LineChart, hbar_chart, line_chart
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
from apps.core.fragments import fragments_render
from apps.core.money import format_minor
from apps.core.when import format_day, format_short_day
from apps.payouts.selectors import transfers_needing_attention

UTILISATION_DAYS = 14
VALUE_DAYS = 30
BUSIEST_OWNERS, BUSIEST_RESOURCES = 8, 10
ACTION_ROWS = 5
HBAR_CHART, LINE_CHART = "backoffice/_hbar.html", "backoffice/_line.html"
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
    tz = ZoneInfo(request.tenant.time_zone)
    now = timezone.now()
    by_status = orders_by_status()
    on_time = on_time_delivery(since=now - timedelta(days=90), tz=tz)
    # From this minute on: every view in the minute shares the cached answer (the rows it reads unchanged).
    owners, resources = utilisation_next_cached(
        start=now.replace(second=0, microsecond=0), days=UTILISATION_DAYS, tz=tz
    )
    value = gross_order_value_by_day(days=VALUE_DAYS, tz=tz)
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
        "problems": problems,
        "problems_open": problems_open,
        "utilisation_days": UTILISATION_DAYS,
    }
    return render(request, "backoffice/dashboard.html", context)
