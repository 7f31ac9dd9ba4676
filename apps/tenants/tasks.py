from celery import current_app, shared_task
from django_tenants.utils import schema_context

from apps.core.periodic_fanout import periodic_targets, periodic_unsent
from apps.tenants.selectors import tenant_list_active


@shared_task(name="tenants.dispatch_to_tenants", time_limit=120, soft_time_limit=100)
def dispatch_to_tenants(task_name: str) -> int:
    """Beat entry point: enqueue `task_name` once inside every active network that has work, and in the others
    now and then (apps/core/periodic_fanout.py). Returns how many were sent."""
    # Autodiscovered task modules are imported by a worker at start-up, not by every process that may run this.
    current_app.loader.import_default_modules()
    task = current_app.tasks[task_name]
    schemas = tenant_list_active().values_list("schema_name", flat=True)
    targets = periodic_targets(task_name, schemas)
    sent = 0
    try:
        for schema in targets:
            with schema_context(schema):
                task.delay()
            sent += 1
    finally:
        periodic_unsent(task_name, targets[sent:])  # refused by the broker: still due
    return sent


@shared_task(name="tenants.deploy_echo", bind=True, time_limit=30, soft_time_limit=20)
def deploy_echo(self, token: str) -> None:
    """The deploy check's round trip (apps.tenants.roundtrip.py): says which worker took the message, from which
    queue, for which network. Sent to a queue chosen by the sender; it writes only to the cache."""
    from django.core.cache import cache
    from django.db import connection

    from apps.tenants.roundtrip import ECHO_TTL_S, echo_key

    cache.set(
        echo_key(token),
        {
            "worker": self.request.hostname or "",
            "queue": (self.request.delivery_info or {}).get("routing_key", ""),
            "network": connection.schema_name,
        },
        ECHO_TTL_S,
    )
