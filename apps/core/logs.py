"""Every log line names the network it was written for (the schema of the current connection: set by the tenant
middleware for a request, by tenant-schemas-celery for a task) and the request it belongs to, in plain text or JSON
(`LOG_FORMAT`).

The request id is the caller's `X-Request-ID` when it is a sane token (a proxy or load balancer that sets one ties
its own log to ours), else a new one; it is sent back in the response's `X-Request-ID`, travels with every task the
request enqueues (a Celery header), and a task started by beat logs its own task id instead. Probes (`/healthz`,
`/readyz`, `/metrics`) are called every few seconds by machines: the development server's access log leaves out
their successful answers (gunicorn's access log does the same, deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.db import connection

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
CELERY_HEADER = "request_id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")


def request_id_from(sent: str | None) -> str:
    """The caller's id when it is a short token (never a newline or markup in our logs), else a new one."""
    if sent and _SANE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class NetworkFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.network = getattr(connection, "schema_name", "") or "-"
        record.request_id = REQUEST_ID.get()
        return True


class QuietProbesFilter(logging.Filter):
    """Drops the development server's access lines for probes that answered (a failing probe is still logged)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        request_line = str(args[0]) if args else ""
        status = str(args[1]) if len(args) > 1 else ""
        is_probe = any(f" {path} " in f"{request_line} " for path in PROBE_PATHS)
        return not (is_probe and status.startswith(("2", "3")))


def request_id_connect() -> None:
    """Binds the id from the moment Django starts a request until its response is closed, so the lines Django
    writes about the response itself (a 404, a 500) carry it too (connected from apps.core's AppConfig)."""
    from django.core.signals import request_finished, request_started

    def bind(environ=None, **_):
        REQUEST_ID.set(request_id_from((environ or {}).get("HTTP_X_REQUEST_ID")))

    def unbind(**_):
        REQUEST_ID.set("-")

    request_started.connect(bind, weak=False, dispatch_uid="core.request_id.bind")
    request_finished.connect(unbind, weak=False, dispatch_uid="core.request_id.unbind")


class RequestIdMiddleware:
    """Answers the request's id in `X-Request-ID` (a client or proxy can quote it when reporting a problem)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Bound by request_started (request_id_connect), which every Django handler sends before the middleware.
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = REQUEST_ID.get()
        return response


def celery_request_id_connect() -> None:
    """A task logs the id of the request that enqueued it, else its own task id (connected from config/celery.py)."""
    from celery import signals

    def stamp(headers=None, **_):
        if headers is not None and REQUEST_ID.get() != "-":
            headers.setdefault(CELERY_HEADER, REQUEST_ID.get())

    def bind(task_id=None, task=None, **_):
        # A worker reads custom headers as attributes of the request; an eager apply() keeps them in `headers`.
        request = task.request if task is not None else None
        sent = getattr(request, CELERY_HEADER, None) or (
            (getattr(request, "headers", None) or {}).get(CELERY_HEADER)
        )
        REQUEST_ID.set(request_id_from(sent) if sent else (task_id or "-"))

    def unbind(**_):
        REQUEST_ID.set("-")

    signals.before_task_publish.connect(stamp, weak=False)
    signals.task_prerun.connect(bind, weak=False)
    signals.task_postrun.connect(unbind, weak=False)
