"""/healthz, /readyz and /metrics answer on any host before tenant routing; /metrics is not public; every log
line names its network."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.tasks import clear_expired_sessions
from apps.core.logs import NetworkFilter
from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.tenants.metrics import TASK_SECONDS

pytestmark = pytest.mark.django_db
UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost", "10.0.0.7", "unknown.example"])
def test_healthz_answers_on_any_host_without_touching_the_database(host):
    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert captured.captured_queries == []


def test_readyz_checks_the_database_redis_and_the_broker():
    response = Client(HTTP_HOST="10.0.0.7").get("/readyz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert set(checks) == {"database", "redis", "broker"}
    assert all(check["ok"] for check in checks.values())


def test_readyz_is_503_and_names_what_is_down(settings):
    settings.REDIS_URL = UNREACHABLE
    settings.CELERY_BROKER_URL = UNREACHABLE
    response = Client(HTTP_HOST="alpha.localhost").get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False and "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["broker"]["ok"] is False


def test_metrics_are_refused_to_strangers(settings):
    assert Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    client = Client(HTTP_HOST="alpha.localhost")  # loopback, but a token is configured: the token decides
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_metrics_show_requests_by_view_queues_and_each_networks_webhook_backlog(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        WebhookEvent.objects.create(
            stripe_event_id=f"evt_{uuid.uuid4().hex}",
            type="charge.succeeded",
            stripe_created=int(timezone.now().timestamp()),
            payload={},
            status=WebhookEventStatus.FAILED,
        )
    Client(HTTP_HOST="alpha.localhost").get("/catalog/")
    text = Client(HTTP_HOST="localhost").get("/metrics").content.decode()
    assert (
        'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="storefront:catalog"}'
        in text
    )
    for queue in ("webhooks", "money", "email", "planning", "batch", "celery"):
        assert f'cloudfactory_celery_queue_length{{queue="{queue}"}}' in text
    backlog = [line for line in text.splitlines() if line.startswith("cloudfactory_webhook_inbox_backlog{")]
    assert (
        f'cloudfactory_webhook_inbox_backlog{{network="{tenant_a.schema_name}",status="failed"}} 1.0'
        in backlog
    )
    assert not [line for line in backlog if f'network="{tenant_b.schema_name}"' in line], backlog


def test_task_durations_are_observed(tenant_a):
    def observed() -> float:
        return TASK_SECONDS.labels("accounts.clear_expired_sessions", "SUCCESS")._sum.get()

    before = observed()
    with schema_context(tenant_a.schema_name):
        clear_expired_sessions.apply(throw=True)
    assert observed() > before


def test_a_log_line_names_its_network(tenant_a):
    from pythonjsonlogger.json import JsonFormatter

    record = logging.LogRecord("apps.test", logging.INFO, __file__, 1, "hello", None, None)
    with schema_context(tenant_a.schema_name):
        assert NetworkFilter().filter(record)
    line = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(network)s %(message)s").format(record)
    assert json.loads(line)["network"] == tenant_a.schema_name
