"""Reads of orders, each with the joins its page needs (the order page's query count stays flat as it grows)."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet

from apps.orders.models import (
    Cart,
    CartLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    Place,
    QualityCheck,
    TransportLeg,
    WorkItem,
)
from apps.orders.status import LEG_ACTIVE, WORK_ITEM_ACTIVE


def order_settings_get() -> OrderSettings:
    """The network's order settings; a row with defaults on first use."""
    row = OrderSettings.objects.filter(pk=1).first()
    if row is None:
        row, _ = OrderSettings.objects.get_or_create(pk=1)
    return row


def place_list() -> QuerySet[Place]:
    return Place.objects.order_by("name")


def cart_lines_for(cart: Cart) -> QuerySet[CartLine]:
    return cart.lines.select_related(
        "design_version__design__template", "design_version__design__current_version"
    )


def order_list_for_customer(*, customer) -> QuerySet[Order]:
    return (
        Order.objects.filter(customer=customer)
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def order_with_detail(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Everything the order page, its live fragment and the API detail show, in a fixed number of queries."""
    return queryset.select_related("customer", "place").prefetch_related(
        Prefetch(
            "lines", queryset=OrderLine.objects.select_related("design_version__design").order_by("position")
        ),
        Prefetch(
            "events",
            queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id"),
        ),
        Prefetch(
            "work_items",
            queryset=WorkItem.objects.select_related("asset_owner", "resource", "line")
            .prefetch_related(
                Prefetch("quality_checks", queryset=QualityCheck.objects.order_by("created_at"))
            )
            .order_by("planned_start", "id"),
        ),
        Prefetch(
            "transport_legs",
            queryset=TransportLeg.objects.select_related(
                "carrier", "from_asset_owner", "to_asset_owner"
            ).order_by("planned_departure", "id"),
        ),
        "payments",
        "refunds",
        "refund_requests",
    )


def order_active_items(order: Order) -> list[WorkItem]:
    """The plan's current jobs from the prefetched rows (declined and cancelled ones are history)."""
    return [item for item in order.work_items.all() if item.status in WORK_ITEM_ACTIVE]


def order_active_legs(order: Order) -> list[TransportLeg]:
    return [leg for leg in order.transport_legs.all() if leg.status in LEG_ACTIVE]


def order_list_staff(
    *,
    status: str = "",
    late: bool | None = None,
    asset_owner_id: int | None = None,
    date_from=None,
    date_to=None,
) -> QuerySet[Order]:
    orders = Order.objects.select_related("customer")
    if status:
        orders = orders.filter(status=status)
    if asset_owner_id:
        orders = orders.filter(work_items__asset_owner_id=asset_owner_id).distinct()
    if date_from:
        orders = orders.filter(created_at__date__gte=date_from)
    if date_to:
        orders = orders.filter(created_at__date__lte=date_to)
    if late is not None:
        late_q = Q(delivered_at__isnull=True, eta__date__gt=F("promised_delivery_date")) | Q(
            delivered_at__date__gt=F("promised_delivery_date")
        )
        orders = orders.filter(late_q) if late else orders.exclude(late_q)
    return orders
