"""A Celery worker killed while processing a Stripe event: the redelivered task applies it exactly once.

No `db` fixture here: the event must be committed for the worker process to see it."""

import json
import os
import signal
import subprocess

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.payouts.models import WebhookEvent, WebhookEventStatus
from tests.conftest import wait_for
from tests.payouts.test_webhooks import _event, _post, _secret_of, _signed


def _pool_children(worker: subprocess.Popen) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


@pytest.mark.worker
def test_worker_killed_while_processing_applies_the_event_once(celery_worker, tenant_a, django_db_blocker):
    """Hold the event's row lock so the task blocks mid-processing, kill the pool process, release: the
    redelivered task applies the event exactly once."""
    with django_db_blocker.unblock():
        payload = json.dumps(_event()).encode()
        event_id = json.loads(payload)["id"]
        settings = connection.settings_dict
        blocker = psycopg.connect(
            host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
        )
        with blocker.cursor() as cursor:
            cursor.execute(f"set search_path to {tenant_a.schema_name}")
            response = _post(
                Client(HTTP_HOST="alpha.localhost"), payload, _signed(payload, _secret_of(tenant_a))
            )
            assert response.status_code == 200
            cursor.execute(
                "select id from payouts_webhookevent where stripe_event_id = %s for update", [event_id]
            )
            wait_for(  # the worker has picked the task up and is waiting on the row lock
                lambda: blocker.execute("select count(*) from pg_locks where not granted").fetchone()[0] > 0,
                timeout=60,
            )
            for pid in _pool_children(celery_worker):
                os.kill(pid, signal.SIGKILL)
            blocker.rollback()
        blocker.close()

        def processed():
            with schema_context(tenant_a.schema_name):
                return WebhookEvent.objects.filter(
                    stripe_event_id=event_id, status=WebhookEventStatus.IGNORED
                ).first()

        event = wait_for(processed, timeout=60)
        assert event.attempts == 1
