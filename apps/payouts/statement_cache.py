"""A participant's statement for one order, kept in the cache under a fingerprint of everything it is computed from.

Computing a statement (`order_split_compute`) reads the order, its money, its policy pin and the current policy,
its transfers, work items, legs and royalty lines (with their participants' names) and the stored current
split: eight statements that Django compiles one by one, on every view of a job or leg page. None of those
rows carries a version that every write bumps (queryset `update()`s, the admin and tasks write them too), so
the cache is keyed by content instead: one SQL expression (`statement_inputs_sql`) asks PostgreSQL for
the SHA-256 of the text of every one of those rows, whole. Any change to any column of any of them, by whatever
path, is a new fingerprint and so a new key; nothing has to be invalidated, and an entry of older inputs is
simply never asked for again.

The caching is apps/core/content_cache.py (a miss computes in one snapshot with its fingerprint). Keys carry the
order, the participant and the part besides the fingerprint, and go through the tenant-aware key function (the
network's schema): a participant reaches only the entry of the part its caller scoped it to, and one network
never reads another's.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import RawSQL

from apps.core.content_cache import content_cached
from apps.core.fragments import rows_fingerprint_sql, table_sql
from apps.orders.models import Order, OrderLine, TransportLeg, WorkItem
from apps.payouts.models import (
    OrderMoney,
    OrderPolicyPin,
    ProfitSharePolicy,
    ProfitShareSplit,
    Transfer,
)

STATEMENT_FINGERPRINT = "statement_fingerprint"  # the annotation statement_for_* read when the caller made it


def _rows(
    model: type[Model], order_id_sql: str, *, joined: tuple[type[Model], str] | None = None, where: str = ""
):
    """A rows_fingerprint_sql section: `model`'s rows of the order (each with its joined participant's row), in
    id order."""
    if joined is None:
        return ("r::text", f"FROM {table_sql(model)} r WHERE r.order_id = {order_id_sql}{where}", "r.id")
    joined_model, column = joined
    return (
        "r::text || coalesce(j::text, '')",
        f"FROM {table_sql(model)} r LEFT JOIN {table_sql(joined_model)} j ON j.id = r.{column} "
        f"WHERE r.order_id = {order_id_sql}{where}",
        "r.id",
    )


def statement_inputs_sql(order_id_sql: str) -> str:
    """SQL for the hex SHA-256 of every row a statement of the order `order_id_sql` (an SQL expression) is
    computed from (fragments.rows_fingerprint_sql). Keep in step with order_split_compute, order_parts,
    policy_for_order and _statement_for."""
    asset_owner = WorkItem._meta.get_field("asset_owner").related_model
    carrier = TransportLeg._meta.get_field("carrier").related_model
    designer = OrderLine._meta.get_field("designer").related_model
    return rows_fingerprint_sql(
        [
            ("r::text", f"FROM {table_sql(Order)} r WHERE r.id = {order_id_sql}", "r.id"),
            _rows(OrderMoney, order_id_sql),
            _rows(OrderPolicyPin, order_id_sql, joined=(ProfitSharePolicy, "policy_id")),
            # policy_for_order falls back on the newest version while the order is not pinned
            (
                "r::text",
                f"FROM (SELECT * FROM {table_sql(ProfitSharePolicy)} ORDER BY version DESC LIMIT 1) r",  # noqa: S608
                "r.id",
            ),
            _rows(Transfer, order_id_sql),
            _rows(WorkItem, order_id_sql, joined=(asset_owner, "asset_owner_id")),
            _rows(TransportLeg, order_id_sql, joined=(carrier, "carrier_id")),
            _rows(OrderLine, order_id_sql, joined=(designer, "designer_id")),
            _rows(ProfitShareSplit, order_id_sql, where=" AND r.is_current"),
        ]
    )


def statement_fingerprint_of(model: type[Model]) -> RawSQL:
    """An annotation for a top-level query of WorkItem or TransportLeg (its table not aliased): the fingerprint
    of the inputs of its order's statement, read as `STATEMENT_FINGERPRINT`."""
    order_id = f"{table_sql(model)}.{connection.ops.quote_name('order_id')}"
    return RawSQL(statement_inputs_sql(order_id), ())  # noqa: S611 - no input in it


def _key(order_id: int, participant: str, part_key: str):
    return lambda fingerprint: f"statement:{order_id}:{participant}:{part_key}:{fingerprint}"


def statement_cached(row, *, part_key: str, participant: str, compute):
    """`compute()` (the participant's statement for `row.order`, or None), from the cache when its inputs are
    those of an earlier computation. `row` is the work item or leg; when it was read with
    `statement_fingerprint_of`, the fingerprint costs no statement of its own."""
    return content_cached(
        key=_key(row.order_id, participant, part_key),
        fingerprint=getattr(row, STATEMENT_FINGERPRINT, None),
        fingerprint_sql=statement_inputs_sql("%(order)s"),
        params={"order": row.order_id},
        compute=compute,
    )
