"""What a designer sold and earned (reads only): sales per product and period, royalties earned, and the statement
of one order as far as the designer's own lines go. Every read takes the designer and filters by it: another
designer's order gives None (the pages and the API answer 404).

A sale is an order line of the designer's product on an order that was paid (never a draft, an unpaid or a
cancelled order), dated by when it was paid. The royalty shown for a sale is the one pinned on the line; what
the designer actually receives is the statement's amount (less refunds' shares, reversed pro rata).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from apps.orders.models import OrderLine
from apps.orders.status import PAID_STATES
from apps.payouts.models import ProfitShareStatement, Reversal, ReversalStatus
from apps.payouts.selectors import statement_list_for_participant

PERIODS = {"month": TruncMonth, "week": TruncWeek}


@dataclass(frozen=True)
class SalesRow:
    period: datetime
    template_id: int
    product: str
    currency: str
    orders: int
    units: int
    sales_minor: int  # what customers paid for the lines, the royalty included
    royalty_minor: int  # the royalties pinned on the lines


def designer_sales_lines(*, designer) -> QuerySet[OrderLine]:
    """The designer's sold lines: on orders that were paid (PAID_STATES holds no cancelled order)."""
    return OrderLine.objects.filter(
        designer=designer, order__status__in=PAID_STATES, order__paid_at__isnull=False
    )


def designer_sales(
    *, designer, period: str = "month", start: datetime | None = None, end: datetime | None = None
) -> list[SalesRow]:
    """Sales per product and period (newest period first), in [start, end) of the payment date."""
    lines = designer_sales_lines(designer=designer)
    if start is not None:
        lines = lines.filter(order__paid_at__gte=start)
    if end is not None:
        lines = lines.filter(order__paid_at__lt=end)
    rows = (
        lines.annotate(period=PERIODS[period]("order__paid_at"))
        .values(
            "period",
            "design_version__design__template_id",
            "design_version__design__template__name",
            "order__currency",
        )
        .annotate(
            orders=Count("order", distinct=True),
            units=Sum("quantity"),
            sales=Sum("total_minor"),
            royalty=Sum("royalty_minor"),
        )
        .order_by("-period", "design_version__design__template__name", "order__currency")
    )
    return [
        SalesRow(
            period=row["period"],
            template_id=row["design_version__design__template_id"],
            product=row["design_version__design__template__name"],
            currency=row["order__currency"],
            orders=row["orders"],
            units=row["units"],
            sales_minor=row["sales"],
            royalty_minor=row["royalty"],
        )
        for row in rows
    ]


def designer_statement_for_order(*, designer, order_id) -> ProfitShareStatement | None:
    """The designer's current statement for one order: its own lines only (None: not the designer's order)."""
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        return None
    if not 0 < order_id < 2**63:  # beyond the column's range: no such order (never a database error)
        return None
    return statement_list_for_participant(designer=designer).filter(order_id=order_id).first()


def designer_reversals(*, designer) -> QuerySet[Reversal]:
    """What refunds took back from the designer's royalty transfers."""
    return (
        Reversal.objects.filter(transfer__designer=designer)
        .filter(~Q(status=ReversalStatus.CANCELLED))
        .select_related("transfer", "transfer__order")
        .order_by("-created_at")
    )
