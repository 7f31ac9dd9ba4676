"""The deploy check's task round trip: one small message through each work queue, answered by whichever worker
pool consumes it, which writes its own name, the queue and the network it ran for into the shared cache.

A deploy (docs/deploy.md) or the multi-host rehearsal (scripts/rehearse_deploy.sh) runs it after starting the
pools: every queue must be consumed by a live pool on the same broker, database and cache as the web servers,
and the network's schema must travel with the message. Nothing is written to any network's tables.
"""

from __future__ import annotations

import time
import uuid

from django.core.cache import cache
from django_tenants.utils import schema_context

ECHO_KEY = "deploy-echo:{token}"
ECHO_TTL_S = 300


def echo_key(token: str) -> str:
    return ECHO_KEY.format(token=token)


def queue_round_trip(
    *, queues: tuple[str, ...], schema_name: str, timeout_s: float = 30.0
) -> dict[str, dict]:
    """Sends one echo to each queue inside `schema_name`; returns, per queue, who answered and how fast (or None)."""
    from apps.tenants.tasks import deploy_echo  # the task module imports this one's key

    sent: dict[str, tuple[str, float]] = {}
    with schema_context(schema_name):
        for queue in queues:
            token = uuid.uuid4().hex
            deploy_echo.apply_async(args=[token], queue=queue)
            sent[queue] = (token, time.monotonic())
        answers: dict[str, dict] = {}
        deadline = time.monotonic() + timeout_s
        while len(answers) < len(sent) and time.monotonic() < deadline:
            for queue, (token, started) in sent.items():
                if queue not in answers and (answer := cache.get(echo_key(token))) is not None:
                    answers[queue] = {**answer, "ms": round((time.monotonic() - started) * 1000)}
            time.sleep(0.05)  # another process's work: poll the cache, nothing to wait on
    return {queue: answers.get(queue) for queue in queues}
