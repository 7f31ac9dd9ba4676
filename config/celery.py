"""The Celery app. tenant-schemas-celery carries the schema of the enqueuing tenant in every task's headers."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("cloudfactory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task durations for Prometheus, observed in the worker that ran each task (apps.tenants.metrics.py).
from apps.tenants.metrics import celery_metrics_serve_connect, celery_task_timing_connect  # noqa: E402

celery_task_timing_connect()
celery_metrics_serve_connect()  # only with CELERY_METRICS_PORT: a worker host's own /metrics (docs/deploy.md)

# Each task's log lines carry the id of the request that enqueued it, else the task's own (apps.core.logs.py).
from apps.core.logs import celery_request_id_connect  # noqa: E402

celery_request_id_connect()
