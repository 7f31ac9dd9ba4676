"""Prometheus metrics beyond django-prometheus' request metrics (latency by view and method, by status):

- `cloudfactory_celery_queue_length{queue}`: messages waiting in each broker queue (Redis LLEN);
- `cloudfactory_celery_task_seconds{task,state}`: task durations, observed in the workers (task_prerun/postrun);
- `cloudfactory_webhook_inbox_backlog{network,status}`: Stripe events not yet processed (received / failed);
- `cloudfactory_matching_runs_open{network,status}`: matching runs queued or running;
- `cloudfactory_matching_run_seconds{mode}`: wall time of the runs finished in the last 15 minutes (sum, count).

The per-network figures are read at scrape time with one query over every active network's schema; a network
with nothing waiting adds no series. Processes that share a host share one `PROMETHEUS_MULTIPROC_DIR` (gunicorn
workers and Celery children write their metrics there; docs/operations.md), otherwise each process reports its own.
"""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.db import connection
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

TASK_SECONDS = Histogram(
    "cloudfactory_celery_task_seconds",
    "Celery task duration.",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
OPEN_WEBHOOK_STATUSES = ("received", "failed")
OPEN_RUN_STATUSES = ("queued", "running")
RECENT_RUNS = "15 minutes"


def _active_schemas() -> list[str]:
    # Imported here: config/celery.py imports this module before the apps are loaded.
    from apps.tenants.selectors import tenant_list_active

    return list(tenant_list_active().values_list("schema_name", flat=True))


def _union(schemas: list[str], select: str) -> list[tuple]:
    """Runs `select` (with `{schema}` for the quoted schema name) in every schema, as one UNION ALL statement."""
    if not schemas:
        return []
    parts = [select.format(schema=connection.ops.quote_name(schema), name=schema) for schema in schemas]
    with connection.cursor() as cursor:
        # Schema names come from Tenant rows (validated by django-tenants) and are quoted; the rest is constant.
        cursor.execute(" UNION ALL ".join(parts))
        return cursor.fetchall()


def _open_rows_by_network(
    schemas: list[str], name: str, documentation: str, *, table: str, statuses: tuple[str, ...]
) -> GaugeMetricFamily:
    """How many rows of `table` are in each of `statuses`, per network; a network with none adds no series."""
    gauge = GaugeMetricFamily(name, documentation, labels=["network", "status"])
    listed = ", ".join(f"'{status}'" for status in statuses)
    # Our own table and status names; the schema is filled in and quoted by _union.
    select = (
        "SELECT '{name}', status, count(*) FROM {schema}."  # noqa: S608
        + f"{table} WHERE status IN ({listed}) GROUP BY status"
    )
    for network, status, count in _union(schemas, select):
        gauge.add_metric([network, status], count)
    return gauge


class PlatformCollector:
    """Collected on each scrape (never registered in the Celery workers: they do not serve /metrics)."""

    def describe(self):
        return []  # no collection (and no queries) when the collector is registered

    def collect(self):
        yield self._queue_lengths()
        schemas = _active_schemas()
        yield _open_rows_by_network(
            schemas,
            "cloudfactory_webhook_inbox_backlog",
            "Stripe events stored but not processed yet.",
            table="payouts_webhookevent",
            statuses=OPEN_WEBHOOK_STATUSES,
        )
        yield _open_rows_by_network(
            schemas,
            "cloudfactory_matching_runs_open",
            "Matching runs queued or running.",
            table="matching_matchingrun",
            statuses=OPEN_RUN_STATUSES,
        )
        durations = SummaryMetricFamily(
            "cloudfactory_matching_run_seconds",
            f"Wall time of the matching runs finished in the last {RECENT_RUNS}.",
            labels=["mode"],
        )
        totals: dict[str, list[float]] = {}
        for mode, count, total in _union(
            schemas,
            "SELECT mode, count(*), coalesce(sum(wall_s), 0) FROM {schema}.matching_matchingrun "  # noqa: S608
            f"WHERE finished_at > now() - interval '{RECENT_RUNS}' AND wall_s IS NOT NULL GROUP BY mode",
        ):
            counted = totals.setdefault(mode, [0, 0.0])
            counted[0] += count
            counted[1] += total
        for mode, (count, total) in sorted(totals.items()):
            durations.add_metric([mode], count_value=count, sum_value=total)
        yield durations

    @staticmethod
    def _queue_lengths() -> GaugeMetricFamily:
        import redis

        lengths = GaugeMetricFamily(
            "cloudfactory_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
        for queue in settings.WORK_QUEUES:
            lengths.add_metric([queue], broker.llen(queue))
        return lengths


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(PlatformCollector())
        return registry
    if not getattr(_registry, "registered", False):
        REGISTRY.register(PlatformCollector())
        _registry.registered = True
    return REGISTRY


def exposition() -> tuple[bytes, str]:
    connection.set_schema_to_public()  # the tenant list is in public; the per-network reads name their schema
    return generate_latest(_registry()), CONTENT_TYPE_LATEST


def celery_task_timing_connect() -> None:
    """Observes every task's duration in the worker that ran it (connected from config/celery.py)."""
    from celery import signals

    started: dict[str, float] = {}

    def before(task_id=None, **_):
        started[task_id] = time.perf_counter()

    def after(task_id=None, task=None, state=None, **_):
        began = started.pop(task_id, None)
        if began is not None and task is not None:
            TASK_SECONDS.labels(task.name, state or "UNKNOWN").observe(time.perf_counter() - began)

    signals.task_prerun.connect(before, weak=False)
    signals.task_postrun.connect(after, weak=False)


def celery_metrics_serve_connect() -> None:
    """A worker pool on a host without a web server exposes its task durations itself: with CELERY_METRICS_PORT
    set (and PROMETHEUS_MULTIPROC_DIR, emptied here at start, shared by the pool's child processes), the pool's main
    process serves the Prometheus text format on CELERY_METRICS_ADDR (default loopback: a private address only,
    this port has no token) once the worker is ready (connected from config/celery.py)."""
    port = os.environ.get("CELERY_METRICS_PORT")
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not port or not directory:
        return
    from celery import signals

    def empty_directory(**_):
        import shutil
        from pathlib import Path

        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)

    def serve(**_):
        from prometheus_client import multiprocess, start_http_server

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        start_http_server(
            int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "127.0.0.1"), registry=registry
        )

    signals.worker_init.connect(empty_directory, weak=False)
    signals.worker_ready.connect(serve, weak=False)
