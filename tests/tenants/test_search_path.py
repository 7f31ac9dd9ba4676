"""`search_path` is set once per connection and tenant (TENANT_LIMIT_SET_CALLS), and never points at the wrong
network: not on the next request of a kept-alive connection (CONN_MAX_AGE), not after a request that failed mid-way,
not after a rolled-back transaction or savepoint (PostgreSQL undoes a `SET` issued inside them), not on a connection
taken from Django's psycopg pool (DATABASE_POOL_MAX_SIZE) that another user left on another path, and not in a
worker child that runs one network's task after another's.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.postgresql_backend.base import DatabaseWrapper
from django_tenants.utils import schema_context

from apps.accounts.tasks import clear_expired_sessions
from tests.conftest import host_of, wait_for


class Boom(Exception):
    pass


def _current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("select current_schema()")
        return cursor.fetchone()[0]


def _session_in(schema: str, *, expired: bool = False) -> str:
    with schema_context(schema):
        key = f"sp{uuid.uuid4().hex}"
        Session.objects.create(
            session_key=key,
            session_data=SessionStore().encode({}),
            expire_date=timezone.now() + timedelta(days=-1 if expired else 1),
        )
        return key


def _exists(schema: str, key: str) -> bool:
    with schema_context(schema):
        return Session.objects.filter(session_key=key).exists()


def _schema_recorder(seen: list[tuple[str, str]]):
    """An execute wrapper that records, after each statement but a SET, the schema the connection meant to use
    and the one PostgreSQL resolved (asked on the driver's connection: no Django wrappers, no SET of its own)."""

    def record_schema(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not sql.upper().startswith("SET ") and not context["connection"].needs_rollback:
            raw = context["connection"].connection
            seen.append((connection.schema_name, raw.execute("select current_schema()").fetchone()[0]))
        return result

    return record_schema


def test_the_setting_is_on():
    assert settings.TENANT_LIMIT_SET_CALLS is True


def _catalog_drawn_anew() -> str:
    """The catalogue with a search no request made before: its body is not in the cache (a repeat view is one
    statement), so the request reads the catalogue's rows — several statements on the network's path."""
    return f"/catalog/?q={uuid.uuid4().hex}"


def test_a_request_sets_the_path_once_not_before_every_statement(client_a, tenant_a):
    client_a.get(_catalog_drawn_anew())  # warm caches (content types, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client_a.get(_catalog_drawn_anew())
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    sets = [sql for sql in statements if sql.upper().startswith("SET SEARCH_PATH")]
    # One for the domain lookup in public, one for the network: not one per statement.
    assert len(statements) - len(sets) >= 3, statements
    assert len(sets) <= 2, sets


def test_a_rolled_back_transaction_does_not_leave_the_previous_networks_path(
    tenant_a, tenant_b, django_db_blocker
):
    """Outside any test transaction (autocommit, as in a worker): the SET of A's path inside a transaction that
    rolls back is undone, and the next statement must not run on B's path left from before."""
    with django_db_blocker.unblock():
        mine = _session_in(tenant_a.schema_name)
        try:
            connection.set_tenant(tenant_b)
            assert not Session.objects.filter(
                session_key=mine
            ).exists()  # B's path is committed on this connection
            connection.set_tenant(tenant_a)
            with pytest.raises(Boom), transaction.atomic():
                assert Session.objects.filter(session_key=mine).exists()  # A's path is SET in here
                raise Boom  # ... and PostgreSQL undoes that SET with the rollback
            assert _current_schema() == tenant_a.schema_name
            assert Session.objects.filter(session_key=mine).exists()
        finally:
            with schema_context(tenant_a.schema_name):
                Session.objects.filter(session_key=mine).delete()


@pytest.mark.django_db
def test_a_rolled_back_savepoint_does_not_leave_the_previous_networks_path(tenant_a, tenant_b):
    mine = _session_in(tenant_a.schema_name)
    connection.set_tenant(tenant_b)  # the test runs inside a transaction: each atomic below is a savepoint
    assert not Session.objects.filter(
        session_key=mine
    ).exists()  # a query on B's path: A's session is not there
    with pytest.raises(Boom), transaction.atomic():
        connection.set_tenant(tenant_a)  # after the SAVEPOINT, so A's path is SET inside it
        assert Session.objects.filter(session_key=mine).exists()
        raise Boom  # ROLLBACK TO SAVEPOINT undoes that SET: B's path is back on the connection
    assert _current_schema() == tenant_a.schema_name
    assert Session.objects.filter(session_key=mine).exists()


def test_requests_to_two_networks_on_one_connection_each_read_their_own_schema(
    client_a, client_b, tenant_a, tenant_b
):
    seen: list[tuple[str, str]] = []
    with connection.execute_wrapper(_schema_recorder(seen)):
        for client in (client_a, client_b, client_a, client_b):
            assert client.get("/catalog/").status_code == 200
    assert {tenant_a.schema_name, tenant_b.schema_name} <= {schema for schema, _ in seen}
    wrong = [(meant, ran) for meant, ran in seen if meant != ran]
    assert not wrong, wrong


def test_a_request_that_fails_mid_way_leaves_the_next_requests_on_their_own_networks(
    tenant_a, tenant_b, django_db_blocker
):
    """Autocommit, as under gunicorn: A's third statement fails in PostgreSQL (the page answers 500); the next
    requests on the same kept-alive connection, to B and then A, run every statement in their own schema."""
    statements: list[str] = []

    def fail_the_third(execute, sql, params, many, context):
        if not sql.upper().startswith("SET "):
            statements.append(sql)
            if len(statements) == 3:
                return execute("select 1 / 0", None, many, context)  # a real error from the server
        return execute(sql, params, many, context)

    clients = {
        tenant: Client(HTTP_HOST=host_of(tenant), raise_request_exception=False)
        for tenant in (tenant_a, tenant_b)
    }
    seen: list[tuple[str, str]] = []
    with django_db_blocker.unblock():
        with connection.execute_wrapper(fail_the_third):
            assert clients[tenant_a].get(_catalog_drawn_anew()).status_code == 500
        assert len(statements) >= 3  # the failure came mid-request, after A's path was in use
        with connection.execute_wrapper(_schema_recorder(seen)):
            for tenant in (tenant_b, tenant_a, tenant_b):
                assert clients[tenant].get("/catalog/").status_code == 200
    # The host look-up names the public schema in its SQL and runs on the path the connection has: no statement
    # runs on public's path, and none on a network other than the one the connection means.
    assert {schema for schema, _ in seen} == {tenant_a.schema_name, tenant_b.schema_name}
    wrong = [(meant, ran) for meant, ran in seen if meant != ran]
    assert not wrong, wrong


def _sets(client: Client, path: str = "/catalog/", status: int = 200) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == status
    return [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SET SEARCH_PATH")]


def test_a_kept_alive_connection_sets_a_networks_path_only_when_the_network_changes(
    client_a, client_b, tenant_a, tenant_b
):
    """The host look-up needs no `SET` of its own, and a connection that already has the network's path keeps it:
    the second of two requests to A runs no `SET`, the first request to B exactly B's."""
    _sets(client_a)
    assert _sets(client_a) == []
    assert _sets(client_b) == [f'SET search_path = "{tenant_b.schema_name}","public"']
    assert _sets(client_b) == []
    assert _sets(client_a) == [f'SET search_path = "{tenant_a.schema_name}","public"']


def test_an_unknown_host_after_a_networks_request_runs_nothing_on_that_network(client_a, tenant_a):
    """A host that is no network's answers 404 from public's path, not from the path the previous request of this
    kept-alive connection left (its sessions, its users)."""
    assert client_a.get("/catalog/").status_code == 200
    seen: list[tuple[str, str]] = []
    with connection.execute_wrapper(_schema_recorder(seen)):
        response = Client(HTTP_HOST="nobody.localhost").get("/catalog/")
    assert response.status_code == 404
    assert connection.schema_name == "public"
    # the 404 itself reads nothing; whatever runs next on this connection runs on public's path
    with connection.execute_wrapper(_schema_recorder(seen)), connection.cursor() as cursor:
        cursor.execute("select 1")
    assert seen[-1] == ("public", "public"), seen


def test_a_pooled_connection_gets_its_networks_path_again_at_every_checkout(
    tenant_a, tenant_b, django_db_blocker
):
    """A pool of one connection: after A's work returns it, someone leaves B's path on it; A's next statement on
    the next checkout must run on A's path, not on what the connection last had."""
    pooled = DatabaseWrapper(
        {**connection.settings_dict, "CONN_MAX_AGE": 0, "OPTIONS": {"pool": {"min_size": 1, "max_size": 1}}},
        alias="pooled_search_path",
    )

    def schema_in_use() -> str:
        with pooled.cursor() as cursor:
            cursor.execute("select current_schema()")
            return cursor.fetchone()[0]

    with django_db_blocker.unblock():
        try:
            pooled.set_tenant(tenant_a)
            assert schema_in_use() == tenant_a.schema_name
            pooled.close()  # back to the pool, with A's path still SET on it
            raw = pooled.pool.getconn()
            raw.execute(f'SET search_path = "{tenant_b.schema_name}"')  # another user's path
            pooled.pool.putconn(raw)
            assert schema_in_use() == tenant_a.schema_name  # the same physical connection (a pool of one)
            pooled.close()
        finally:
            pooled.close_pool()


@pytest.mark.worker
def test_one_worker_child_runs_a_then_b_then_a_each_in_its_own_schema(
    celery_worker, tenant_a, tenant_b, django_db_blocker
):
    """The worker has one child (concurrency 1) with a kept-alive connection: each task switches the tenant."""
    with django_db_blocker.unblock():
        for first, second in ((tenant_b, tenant_a), (tenant_a, tenant_b), (tenant_b, tenant_a)):
            theirs = _session_in(second.schema_name, expired=True)
            mine = _session_in(first.schema_name, expired=True)
            with schema_context(first.schema_name):
                clear_expired_sessions.delay()
            wait_for(lambda schema=first.schema_name, key=mine: not _exists(schema, key))
            assert _exists(second.schema_name, theirs), f"a task of {first.slug} touched {second.slug}"
            with schema_context(second.schema_name):
                Session.objects.filter(session_key=theirs).delete()
