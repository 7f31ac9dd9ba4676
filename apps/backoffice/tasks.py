from celery import shared_task

from apps.backoffice.exports import network_export_build
from apps.core.tasks import TenantOnlyTask


@shared_task(
    name="backoffice.network_export_build", base=TenantOnlyTask, time_limit=1800, soft_time_limit=1700
)
def network_export_build_task(export_id: str) -> None:
    network_export_build(export_id=export_id)
