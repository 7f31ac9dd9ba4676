"""Reads of orders, each with the joins its page needs (the order page's query count stays flat as it grows)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet

from apps.core.singletons import singleton_get
from apps.orders.lateness import order_late_condition
from apps.orders.models import (
    Cart,
    CartLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    QualityCheck,
    TransportLeg,
    WorkItem,
)
from apps.orders.status import LEG_ACTIVE, LEG_NOT_PICKED_UP, WORK_ITEM_ACTIVE, LegStatus, WorkItemStatus


def order_settings_get() -> OrderSettings:
    """The network's order settings; a row with defaults on first use."""
    return singleton_get(OrderSettings)


def cart_lines_for(cart: Cart) -> QuerySet[CartLine]:
    return cart.lines.select_related(
        "design_version__design__template", "design_version__design__current_version"
    )


@cache
def _cart_item_count_statement() -> str:
    """Written once per process from the models: the storefront's header asks on every page, and compiling the
    ORM's aggregate cost more CPU (≈0.4 ms) than PostgreSQL spends answering it. Unqualified tables: the
    request's network's schema, as with the ORM."""
    quote = connection.ops.quote_name
    line, cart = CartLine._meta, Cart._meta
    # Quoted names from the models; the customer is a parameter.
    return (
        f"SELECT COALESCE(SUM(line.{quote(line.get_field('quantity').column)}), 0)"  # noqa: S608
        f" FROM {quote(line.db_table)} AS line JOIN {quote(cart.db_table)} AS cart"
        f" ON cart.{quote(cart.pk.column)} = line.{quote(line.get_field('cart').column)}"
        f" WHERE cart.{quote(cart.get_field('customer').column)} = %s"
    )


def cart_item_count(*, customer) -> int:
    """How many items (quantities summed) the customer's cart holds: one statement, 0 without a cart."""
    with connection.cursor() as cursor:
        cursor.execute(_cart_item_count_statement(), [customer.pk])
        return int(cursor.fetchone()[0])


def order_list_for_customer(*, customer) -> QuerySet[Order]:
    return (
        Order.objects.filter(customer=customer)
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def order_rows_for_customer(*, customer) -> QuerySet[Order]:
    """The customer's order list page: only the columns its rows show (and is_late reads)."""
    return order_list_for_customer(customer=customer).only(
        "id",
        "status",
        "currency",
        "total_minor",
        "refunded_minor",
        "created_at",
        "delivered_at",
        "promised_delivery_date",
        "eta",
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


def order_with_page_detail(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """What the customer's order page and its polled live part show, and no more: the lines, the timeline's
    events, the plan's jobs and legs with the names of their workshops and carriers (only the columns the page
    reads: wide joined rows cost more to build than to fetch), and the refund requests its buttons ask about.

    Payments, refunds and quality checks (the API's detail, order_with_detail) are not on the page."""
    return queryset.prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.only(
                "id", "order_id", "position", "description", "quantity", "total_minor", "royalty_minor"
            ).order_by("position"),
        ),
        Prefetch(
            "events",
            queryset=OrderEvent.objects.filter(customer_visible=True)
            .only("id", "order_id", "kind", "to_status", "reason", "customer_visible", "created_at")
            .order_by("created_at", "id"),
        ),
        Prefetch(
            "work_items",
            queryset=WorkItem.objects.select_related("asset_owner")
            .only(*_PLAN_ITEM_FIELDS, "asset_owner__name")
            .order_by("planned_start", "id"),
        ),
        Prefetch(
            "transport_legs",
            queryset=TransportLeg.objects.select_related("carrier", "from_asset_owner", "to_asset_owner")
            .only(*_PLAN_LEG_FIELDS, "carrier__name", "from_asset_owner__name", "to_asset_owner__name")
            .order_by("planned_departure", "id"),
        ),
        "refund_requests",
    )


_PLAN_ITEM_FIELDS = (
    "id",
    "order_id",
    "name",
    "status",
    "asset_owner_id",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)
_PLAN_LEG_FIELDS = (
    "id",
    "order_id",
    "status",
    "is_last_mile",
    "carrier_id",
    "from_asset_owner_id",
    "to_asset_owner_id",
    "planned_departure",
    "planned_arrival",
    "picked_up_at",
    "delivered_at",
)


def order_active_items(order: Order) -> list[WorkItem]:
    """The plan's current jobs from the prefetched rows (declined and cancelled ones are history)."""
    return [item for item in order.work_items.all() if item.status in WORK_ITEM_ACTIVE]


def order_active_legs(order: Order) -> list[TransportLeg]:
    return [leg for leg in order.transport_legs.all() if leg.status in LEG_ACTIVE]


def work_item_waiting_for(items: Iterable[WorkItem]) -> dict[int, tuple[str, ...]]:
    """What each job still waits for before it may start, in words; jobs waiting for nothing are left out.

    A job waits for every predecessor step of its order line whose active item (not declined or cancelled) is
    not done yet — or that has no active item at all (being re-planned) — and for every inbound leg
    (to_work_item = the job) that is neither delivered nor cancelled. A predecessor made at the same site has
    no leg: then only its "done" counts. At most two queries for any number of jobs.
    """
    items = list(items)
    if not items:
        return {}
    wanted_lines = {item.line_id for item in items if item.predecessor_keys}
    wanted_keys = {key for item in items for key in item.predecessor_keys or ()}
    steps: dict[tuple[int, str], list[tuple[str, str]]] = {}
    if wanted_keys:
        rows = WorkItem.objects.filter(line_id__in=wanted_lines, step_key__in=wanted_keys).order_by("id")
        for line_id, step_key, name, status in rows.values_list("line_id", "step_key", "name", "status"):
            steps.setdefault((line_id, step_key), []).append((name, status))
    # job id → carrier name → open deliveries (dicts keep the order of the first arrival)
    deliveries: dict[int, dict[str, int]] = {}
    inbound = (
        TransportLeg.objects.filter(to_work_item_id__in=[item.pk for item in items])
        .exclude(status__in=[LegStatus.DELIVERED, LegStatus.CANCELLED])
        .order_by("planned_arrival", "id")
        .values_list("to_work_item_id", "carrier__name")
    )
    for item_id, carrier_name in inbound:
        by_carrier = deliveries.setdefault(item_id, {})
        by_carrier[carrier_name or ""] = by_carrier.get(carrier_name or "", 0) + 1
    legs = {
        item_id: [_deliveries_text(carrier, count) for carrier, count in by_carrier.items()]
        for item_id, by_carrier in deliveries.items()
    }
    waiting: dict[int, tuple[str, ...]] = {}
    for item in items:
        reasons = [
            reason
            for key in item.predecessor_keys or ()
            if (reason := _predecessor_waits(key, steps.get((item.line_id, key), [])))
        ]
        reasons.extend(legs.get(item.pk, []))
        if reasons:
            waiting[item.pk] = tuple(reasons)
    return waiting


def leg_waiting_for(legs: Iterable[TransportLeg]) -> dict[int, tuple[str, ...]]:
    """What each leg not picked up yet still waits for, in words; legs waiting for nothing are left out.
    One query for any number of legs (the rule: leg_source_waiting)."""
    legs = [leg for leg in legs if leg.status in LEG_NOT_PICKED_UP]
    sources = {
        pk: (name, status)
        for pk, name, status in WorkItem.objects.filter(
            pk__in={leg.from_work_item_id for leg in legs if leg.from_work_item_id}
        ).values_list("pk", "name", "status")
    }
    waiting: dict[int, tuple[str, ...]] = {}
    for leg in legs:
        if reasons := leg_source_waiting(sources.get(leg.from_work_item_id)):
            waiting[leg.pk] = reasons
    return waiting


def leg_source_waiting(source: tuple[str, str] | None) -> tuple[str, ...]:
    """What a leg not picked up yet waits for, given the (name, status) of the job it leaves from (None: no
    such job). A leg carries what that job makes (the last mile: the final step), so it waits until the job is
    done — made and through its quality check. A leg with no such job waits too: nobody can say its parts
    exist. For a reader that has the job's name and status already (the legs board joins them)."""
    if source is None:
        return ("the job that makes its parts (none is planned)",)
    name, status = source
    if status == WorkItemStatus.DONE:
        return ()
    if status not in WORK_ITEM_ACTIVE:
        return (f"'{name}' (being re-planned)",)
    return (f"'{name}' ({WorkItemStatus(status).label.lower()})",)


def _deliveries_text(carrier: str, count: int) -> str:
    if not carrier:
        return "the delivery of its parts" if count == 1 else f"{count} deliveries of its parts"
    return f"the delivery from {carrier}" if count == 1 else f"{count} deliveries from {carrier}"


def _predecessor_waits(key: str, rows: list[tuple[str, str]]) -> str:
    """'Name' (its state) while the step is not done; "" once it is."""
    if not rows:
        return f"'{key}' (not planned yet)"
    active = [(name, status) for name, status in rows if status in WORK_ITEM_ACTIVE]
    if not active:
        return f"'{rows[-1][0]}' (being re-planned)"
    for name, status in active:
        if status != WorkItemStatus.DONE:
            return f"'{name}' ({WorkItemStatus(status).label.lower()})"
    return ""


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
        late_q = order_late_condition()
        orders = orders.filter(late_q) if late else orders.exclude(late_q)
    return orders
