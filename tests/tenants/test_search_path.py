"""`search_path` is set once per connection and tenant (TENANT_LIMIT_SET_CALLS), and never points at the wrong
network: not on the next request of a kept-alive connection, not after a rolled-back transaction or savepoint
(PostgreSQL undoes a `SET` issued inside them), and not in a worker child that runs one network's task after
another's.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.tasks import clear_expired_sessions
from tests.conftest import wait_for


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


def test_the_setting_is_on():
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_a_request_sets_the_path_once_not_before_every_statement(client_a, tenant_a):
    client_a.get("/catalog/")  # warm caches (content types, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client_a.get("/catalog/")
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

    def record_schema(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not sql.upper().startswith("SET ") and not context["connection"].needs_rollback:
            raw = context["connection"].connection  # the driver's connection: no Django wrappers, no SET
            seen.append((connection.schema_name, raw.execute("select current_schema()").fetchone()[0]))
        return result

    with connection.execute_wrapper(record_schema):
        for client in (client_a, client_b, client_a, client_b):
            assert client.get("/catalog/").status_code == 200
    assert {tenant_a.schema_name, tenant_b.schema_name} <= {schema for schema, _ in seen}
    wrong = [(meant, ran) for meant, ran in seen if meant != ran]
    assert not wrong, wrong


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
