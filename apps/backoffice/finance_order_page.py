"""The finance page of one order kept whole in the cache under a fingerprint of every row it shows.

The statement that finds the order also asks PostgreSQL for a SHA-256 fingerprint of the order's row and of every
row the page's body reads (payouts.selectors.order_money_detail, order_money_flow, order_entries and whether the
order settled): its money record, its transfers with their participants' names, their reversals, its refunds and
disputes, its profit-share splits with their policies' versions, their statements with the participants' names
and their parts, its journal entries with their postings and accounts, and the postings of its clearing account.
A repeat view is that statement and one cache read (apps/core/fragments.py: page bodies); any change to any of
those rows, by whatever path, is a new key.
"""

from __future__ import annotations

from apps.core.fragments import fingerprint_select, rows_fingerprint_sql, table_sql
from apps.designers.models import Designer
from apps.orders.models import Order
from apps.payouts.models import (
    CustomerRefund,
    Dispute,
    JournalEntry,
    LedgerAccount,
    OrderMoney,
    Posting,
    ProfitSharePart,
    ProfitSharePolicy,
    ProfitShareSplit,
    ProfitShareStatement,
    Reversal,
    Transfer,
)
from apps.suppliers.models import AssetOwner, Carrier


def _participants(alias: str) -> str:
    """The joins of a row's asset owner, carrier and designer (their names are shown), as pa, pc, pd."""
    return (
        f"LEFT JOIN {table_sql(AssetOwner)} pa ON pa.id = {alias}.asset_owner_id "
        f"LEFT JOIN {table_sql(Carrier)} pc ON pc.id = {alias}.carrier_id "
        f"LEFT JOIN {table_sql(Designer)} pd ON pd.id = {alias}.designer_id "
    )


def _fingerprint_sql() -> str:
    """For an outer query of the order aliased `o`."""
    transfers, statements, entries = (
        table_sql(Transfer),
        table_sql(ProfitShareStatement),
        table_sql(JournalEntry),
    )
    accounts, postings = table_sql(LedgerAccount), table_sql(Posting)
    return rows_fingerprint_sql(
        [
            ("o::text", "", ""),
            ("r::text", f"FROM {table_sql(OrderMoney)} r WHERE r.order_id = o.id", "r.id"),
            (
                "ROW(r.*, pa.name, pc.name, pd.name)::text",
                f"FROM {transfers} r {_participants('r')}WHERE r.order_id = o.id",
                "r.id",
            ),
            (
                "r::text",
                f"FROM {table_sql(Reversal)} r JOIN {transfers} t ON t.id = r.transfer_id WHERE t.order_id = o.id",
                "r.id",
            ),
            ("r::text", f"FROM {table_sql(CustomerRefund)} r WHERE r.order_id = o.id", "r.id"),
            ("r::text", f"FROM {table_sql(Dispute)} r WHERE r.order_id = o.id", "r.id"),
            (
                "ROW(r.*, p.version)::text",
                f"FROM {table_sql(ProfitShareSplit)} r JOIN {table_sql(ProfitSharePolicy)} p ON p.id = r.policy_id "
                "WHERE r.order_id = o.id",
                "r.id",
            ),
            (
                "ROW(r.*, pa.name, pc.name, pd.name)::text",
                f"FROM {statements} r {_participants('r')}WHERE r.order_id = o.id",
                "r.id",
            ),
            (
                "r::text",
                f"FROM {table_sql(ProfitSharePart)} r JOIN {statements} s ON s.id = r.statement_id "
                "WHERE s.order_id = o.id",
                "r.id",
            ),
            ("r::text", f"FROM {entries} r WHERE r.order_id = o.id", "r.id"),
            (
                "ROW(r.*, a.*)::text",
                f"FROM {postings} r JOIN {entries} e ON e.id = r.entry_id JOIN {accounts} a ON a.id = r.account_id "
                "WHERE e.order_id = o.id",
                "r.id",
            ),
            (
                "ROW(r.*, a.*)::text",  # the clearing account's postings, whichever entry made them
                f"FROM {postings} r JOIN {accounts} a ON a.id = r.account_id WHERE a.order_id = o.id",
                "r.id",
            ),
        ]
    )


def finance_order_fingerprint(*, order_id: int) -> str | None:
    """One statement: the fingerprint of what the finance page of order `order_id` shows, or None when the
    network has no such order (another network's is not in this schema)."""
    sql = f"SELECT {_fingerprint_sql()} FROM {table_sql(Order)} o WHERE o.id = %s"  # noqa: S608 - our tables' names only
    return fingerprint_select(sql, [order_id])
