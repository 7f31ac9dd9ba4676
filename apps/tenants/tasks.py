from celery import current_app, shared_task
from django_tenants.utils import schema_context

from apps.tenants.selectors import tenant_list_active


@shared_task(name="tenants.dispatch_to_tenants", time_limit=120, soft_time_limit=100)
def dispatch_to_tenants(task_name: str) -> int:
    """Beat entry point: enqueue `task_name` once inside every active network. Returns how many were sent."""
    # Autodiscovered task modules are imported by a worker at start-up, not by every process that may run this.
    current_app.loader.import_default_modules()
    task = current_app.tasks[task_name]
    sent = 0
    for tenant in tenant_list_active():
        with schema_context(tenant.schema_name):
            task.delay()
        sent += 1
    return sent
