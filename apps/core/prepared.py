"""Statements PostgreSQL parses and plans once per connection instead of on every request.

Django binds parameters on the client and prepares nothing (its cursors are psycopg ClientCursors, which never
prepare, and `prepare_threshold` is None: poolers in transaction mode cannot keep a connection's prepared
statements). A few statements we write ourselves are long — a page's fingerprint over every row it shows, a few kB
of SQL — and run on every view of a kept page: PostgreSQL spent more time planning them (~1–2 ms on the demo
network) than running them. Those run here, prepared: on a server-binding cursor, with the connection's threshold
at 0 for that one execution. Safe across networks: PostgreSQL parses a prepared statement again when
`search_path` changed since it was planned, and our statements name no schema. Fine with persistent connections,
Django's psycopg pool and PgBouncer in session mode (docs/performance.md: the only mode we support).
"""

from __future__ import annotations

import time

import psycopg
from django.db import connection


def fetchone_prepared(sql: str, params):
    """The first row of `sql` (or None), run as a prepared statement of this connection; logged like any other
    statement (the query-count tests and the debug toolbar see it)."""
    connection.cursor().close()  # django-tenants sets the request's search_path when a cursor is made
    driver = connection.connection
    cursor = connection.make_cursor(psycopg.Cursor(driver))  # Django's wrapper: its execute_wrappers apply
    threshold, driver.prepare_threshold = driver.prepare_threshold, 0
    started = time.monotonic()
    try:
        with cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        driver.prepare_threshold = threshold
        if (
            connection.queries_logged
        ):  # psycopg keeps no text of a prepared execution for Django's debug cursor
            logged = {
                "sql": connection.ops.compose_sql(sql, params),
                "time": f"{time.monotonic() - started:.3f}",
            }
            connection.queries_log.append(logged)
