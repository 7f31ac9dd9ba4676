"""The staff dashboard's body, kept in the cache while none of the tables it reads changed.

Its cards are aggregates over whole tables (orders by state, punctuality, order value) and "first rows and how
many" lists: a fingerprint of the rows they show would cost PostgreSQL as much as reading them. Instead PostgreSQL
counts writes: a statement-level trigger on every table the body reads draws the next number of one sequence per
network (migration 0002_dashboard_change_counter), whatever path wrote — services, queryset update(),
bulk_create, the admin, raw SQL. The body is kept under that number and the current minute (what moves with time
alone: "3 minutes ago", the last 30 and 90 days, the utilisation window), so a repeat view is one statement and one
cache read, and any write shows on the next request.

A sequence is not transactional: a writer's number is visible before its transaction commits. So the trigger takes
a shared advisory lock (held until the writer's transaction ends) before it draws, and the reader tries the lock
exclusively right after reading the number, in the same statement. Only when no writer holds it — every write
counted so far has committed or rolled back — is a body drawn afterwards (in a later snapshot) kept under that
number; otherwise it is drawn and served but not kept. The try takes microseconds and never waits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from apps.core.fragments import one_snapshot, page_body_cached, page_body_get

# Reads the counter first (the subquery), then tries the writers' lock (see the migration for its key).
_COUNTER_STATE = """
SELECT c.oid, c.last_value, c.is_called,
    CASE WHEN pg_try_advisory_lock(7207001, (c.oid::bigint - 2147483648)::int)
        THEN pg_advisory_unlock(7207001, (c.oid::bigint - 2147483648)::int) ELSE false END
FROM (
    SELECT 'backoffice_change_counter_id_seq'::regclass::oid AS oid, last_value, is_called
    FROM backoffice_change_counter_id_seq OFFSET 0
) c
"""


def tables_change_state() -> tuple[str, bool]:
    """The network's count of write statements on the dashboard's tables (with the counter's oid: a network
    created again under the same schema name starts a new series), and whether every counted write has ended."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_STATE)
        oid, last_value, is_called, settled = cursor.fetchone()
    return f"{oid}:{last_value}:{is_called}", settled


def dashboard_body_cached(
    *, key_of: Callable[[str], str], draw: Callable[[], tuple[str, datetime | None]], now: datetime
) -> SafeString:
    """The body kept under `key_of(the tables' change state)` while it holds at `now`; else `draw()`, kept only
    when no counted write was still open when the state was read."""
    state, settled = tables_change_state()
    if settled:
        # The state is read before the drawing's snapshot begins, and every write it counts had ended.
        return page_body_cached(
            key_of=key_of, fingerprint=state, read_fingerprint=lambda: state, draw=draw, now=now
        )
    kept = page_body_get(key_of(state), now=now)
    if kept is not None:
        return kept
    with one_snapshot():
        html, _ = draw()
    return mark_safe(html)  # noqa: S308 - our own templates' output, autoescaped
