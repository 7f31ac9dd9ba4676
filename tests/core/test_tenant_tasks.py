"""Tasks carry their tenant: a task enqueued inside A runs in A's schema, one without a tenant refuses to run."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.tasks import clear_expired_sessions
from apps.core.tasks import PublicSchemaTaskError
from apps.tenants.tasks import dispatch_to_tenants
from tests.conftest import wait_for


def _expired_session(schema: str) -> str:
    with schema_context(schema):
        key = f"expired{uuid.uuid4().hex}"
        Session.objects.create(
            session_key=key,
            session_data=SessionStore().encode({}),
            expire_date=timezone.now() - timedelta(days=1),
        )
        return key


def _exists(schema: str, key: str) -> bool:
    with schema_context(schema):
        return Session.objects.filter(session_key=key).exists()


@pytest.mark.worker
def test_task_enqueued_in_a_runs_in_a_schema(celery_worker, tenant_a, tenant_b, django_db_blocker):
    with django_db_blocker.unblock():
        in_a = _expired_session(tenant_a.schema_name)
        in_b = _expired_session(tenant_b.schema_name)
        with schema_context(tenant_a.schema_name):
            clear_expired_sessions.delay()
        wait_for(lambda: not _exists(tenant_a.schema_name, in_a))
        assert _exists(tenant_b.schema_name, in_b), "a task of A touched B's schema"
        with schema_context(tenant_b.schema_name):
            Session.objects.filter(session_key=in_b).delete()


@pytest.mark.worker
def test_beat_dispatcher_fans_out_to_every_active_tenant(
    celery_worker, tenant_a, tenant_b, django_db_blocker
):
    with django_db_blocker.unblock():
        keys = {tenant.schema_name: _expired_session(tenant.schema_name) for tenant in (tenant_a, tenant_b)}
        sent = dispatch_to_tenants.apply(args=("accounts.clear_expired_sessions",)).get()
        assert sent >= 2
        for schema, key in keys.items():
            wait_for(lambda schema=schema, key=key: not _exists(schema, key))


def test_tenant_task_enqueued_from_public_raises(db):
    assert connection.schema_name == "public"
    with pytest.raises(PublicSchemaTaskError):
        clear_expired_sessions.delay()


def test_tenant_task_run_in_public_raises(db):
    with pytest.raises(PublicSchemaTaskError):
        clear_expired_sessions.apply(throw=True)
