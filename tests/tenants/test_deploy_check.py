"""The deploy check: every web host's /readyz, and a round trip through every work queue answered by a live worker,
inside a network (its schema travels with the message); a queue nobody consumes or a web host that is down fails
the check."""

from __future__ import annotations

import io
import json

import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.worker, pytest.mark.django_db]


def _lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_queue_answers_from_a_worker_inside_the_network(celery_worker, platform_server, tenant_a):
    out = io.StringIO()
    call_command("deploy_check", network=tenant_a.slug, web=[platform_server], stdout=out)
    lines = _lines(out)
    [ready] = [line for line in lines if line.get("check") == "readyz"]
    assert ready["http"] == 200 and set(ready["checks"]) == {"database", "redis", "broker"}
    trips = {line["queue"]: line["answer"] for line in lines if line.get("check") == "task_round_trip"}
    assert set(trips) == set(settings.WORK_QUEUES)
    for queue, answer in trips.items():
        assert answer["queue"] == queue
        assert answer["network"] == tenant_a.schema_name
        assert answer["worker"].startswith("test-")
    assert lines[-1] == {"ok": True, "failed": []}


def test_a_queue_nobody_consumes_and_a_web_host_that_is_down_fail_it(celery_worker, tenant_a):
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"readyz http://127\.0\.0\.1:9, queue nobody-listens"):
        call_command(
            "deploy_check",
            network=tenant_a.slug,
            web=["http://127.0.0.1:9"],  # the discard port: nothing listens there
            queues="nobody-listens",
            timeout=1.0,
            stdout=out,
        )
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("nobody-listens")  # the message nobody took
    lines = _lines(out)
    assert lines[0]["http"] is None
    assert lines[1] == {"check": "task_round_trip", "queue": "nobody-listens", "answer": None}
