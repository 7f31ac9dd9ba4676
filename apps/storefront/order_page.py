"""The customer's order page and order list as bodies kept in the cache under the fingerprint of every row they
show.

The statement that finds the customer's order also asks PostgreSQL for a SHA-256 fingerprint of the order's row
and of every row the page's body reads (selectors.order_with_page_detail, actions.order_allowed,
designers.reviews.reviewed_line_ids): its lines, the reviews of those lines, its customer-visible events, its jobs
with their workshops' names, its legs with their carriers' and workshops' names, its refund requests and the
network's order settings (the refund window). A repeat view is that statement and one cache read
(apps/core/fragments.py: page bodies); any change to any of those rows, by whatever path, is a new key.
"""

from __future__ import annotations

from apps.core.fragments import fingerprint_select, rows_fingerprint_sql, table_sql
from apps.designers.models import ProductReview
from apps.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    RefundRequest,
    TransportLeg,
    WorkItem,
)
from apps.suppliers.models import AssetOwner, Carrier


def _fingerprint_sql() -> str:
    """For an outer query of the order aliased `o`."""
    owners = table_sql(AssetOwner)
    return rows_fingerprint_sql(
        [
            ("o::text", "", ""),
            ("r::text", f"FROM {table_sql(OrderLine)} r WHERE r.order_id = o.id", "r.id"),
            (
                "r.id::text || ':' || r.order_line_id::text",  # only whether a line has its review is shown
                f"FROM {table_sql(ProductReview)} r JOIN {table_sql(OrderLine)} l ON l.id = r.order_line_id "
                "WHERE l.order_id = o.id",
                "r.id",
            ),
            (
                "r::text",
                f"FROM {table_sql(OrderEvent)} r WHERE r.order_id = o.id AND r.customer_visible",
                "r.id",
            ),
            (
                "ROW(r.*, a.name)::text",
                f"FROM {table_sql(WorkItem)} r LEFT JOIN {owners} a ON a.id = r.asset_owner_id "
                "WHERE r.order_id = o.id",
                "r.id",
            ),
            (
                "ROW(r.*, c.name, f.name, t.name)::text",
                f"FROM {table_sql(TransportLeg)} r LEFT JOIN {table_sql(Carrier)} c ON c.id = r.carrier_id "
                f"LEFT JOIN {owners} f ON f.id = r.from_asset_owner_id "
                f"LEFT JOIN {owners} t ON t.id = r.to_asset_owner_id WHERE r.order_id = o.id",
                "r.id",
            ),
            ("r::text", f"FROM {table_sql(RefundRequest)} r WHERE r.order_id = o.id", "r.id"),
            ("r::text", f"FROM {table_sql(OrderSettings)} r", "r.id"),
        ]
    )


def order_page_fingerprint(*, customer, order_id: int) -> str | None:
    """One statement: the fingerprint of what the customer's page of their order `order_id` shows, or None when
    they have no such order (another customer's; another network's is not in this schema)."""
    sql = f"SELECT {_fingerprint_sql()} FROM {table_sql(Order)} o WHERE o.id = %s AND o.customer_id = %s"  # noqa: S608 - our tables' names only
    return fingerprint_select(sql, [order_id, customer.pk])


def order_list_fingerprint(*, customer) -> str:
    """One statement: the fingerprint of what the customer's order list shows — each of their orders' rows and
    which lines each has (the list counts them)."""
    orders, lines = table_sql(Order), table_sql(OrderLine)
    fingerprint = rows_fingerprint_sql(
        [
            ("r::text", f"FROM {orders} r WHERE r.customer_id = %s", "r.id"),
            (
                "l.id::text || ':' || l.order_id::text",
                f"FROM {lines} l JOIN {orders} r ON r.id = l.order_id WHERE r.customer_id = %s",
                "l.id",
            ),
        ]
    )
    return fingerprint_select(f"SELECT {fingerprint}", [customer.pk, customer.pk])
