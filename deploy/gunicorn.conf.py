"""gunicorn settings of a web host (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Sync workers: every request holds one database connection for its length, which is what PgBouncer's session mode
and django-tenants' per-connection search_path expect. The access log is one line per request with its id
(X-Request-ID, the same id as in the application's own log lines), without the probes that answered.
"""

import os
import shutil
from pathlib import Path

from gunicorn.glogging import Logger

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a slow leak never grows for weeks); jitter keeps them apart.
max_requests = 2000
max_requests_jitter = 200
# Only the TLS proxy may say a request came over HTTPS (X-Forwarded-Proto): its address, or the proxies' subnet.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
proc_name = f"cloudfactory-web@{os.environ.get('HOSTNAME', 'web')}"
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s host=%({host}i)s'


class QuietProbesLogger(Logger):
    """Load balancers and Prometheus call the probes every few seconds: only a failing answer is worth a line."""

    def access(self, resp, req, environ, request_time):
        if req.path in PROBE_PATHS and getattr(resp, "status_code", 500) < 400:
            return
        super().access(resp, req, environ, request_time)


logger_class = QuietProbesLogger


def on_starting(server):
    """One scrape of /metrics adds up every worker of this host: they write to PROMETHEUS_MULTIPROC_DIR, which must
    start empty (a previous run's files would be added in)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
