"""Operations endpoints, answered before tenant routing so a load balancer can call them on any host name:

- `/healthz`: the process is up (no I/O; a failing liveness probe restarts the process, so it must not fail
  because PostgreSQL is down).
- `/readyz`: the database, Redis and the Celery broker answer within a second; 503 naming what does not.
- `/metrics`: Prometheus text format (apps.tenants.metrics.py). Only with `Authorization: Bearer <METRICS_TOKEN>`, or
  from loopback when no token is configured: the figures name views and queues, not data, but they are not public.
"""

from __future__ import annotations

import hmac
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse

PROBE_TIMEOUT_S = 1.0
LOOPBACK = {"127.0.0.1", "::1"}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    import redis

    redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT_S, socket_connect_timeout=PROBE_TIMEOUT_S
    ).ping()


def _broker() -> None:
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT_S) as broker:
        broker.ensure_connection(max_retries=0, timeout=PROBE_TIMEOUT_S)


CHECKS = {"database": _database, "redis": _redis, "broker": _broker}


def readiness() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure means "not ready"; the reason is reported
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(result["ok"] for result in results.values()), results


def _metrics_allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        sent = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in LOOPBACK


class ProbesMiddleware:
    """First in MIDDLEWARE: nothing below it (host routing, HTTPS redirect, sessions) runs for a probe."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == "/healthz":
            return JsonResponse({"status": "ok"})
        if path == "/readyz":
            ready, checks = readiness()
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
            )
        if path == "/metrics":
            if not _metrics_allowed(request):
                return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
            from apps.tenants.metrics import exposition

            body, content_type = exposition()
            return HttpResponse(body, content_type=content_type)
        return self.get_response(request)
