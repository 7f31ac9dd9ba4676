"""The uploads' task: thin, by id, named (the outbox sends it by name), on its own queue "uploads"."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from apps.core.tasks import TenantOnlyTask
from apps.uploads.analysing import upload_analyse, upload_analysis_fail
from apps.uploads.services import ANALYSE_TASK

TIME_LIMIT_MESSAGE = (
    "Analysing this file took too long. Simplify it (fewer triangles or entities) and upload it again."
)


@shared_task(name=ANALYSE_TASK, base=TenantOnlyTask, time_limit=300, soft_time_limit=270)
def analyse(*, upload_id: str, run: int, repair: bool = False) -> str:
    """Analyses one run of an upload in the sandbox; a repeat or a superseded run does nothing."""
    try:
        return upload_analyse(upload_id=upload_id, run=run, repair_first=repair)
    except SoftTimeLimitExceeded:
        return upload_analysis_fail(
            upload_id=upload_id, run=run, code="analysis_timeout", message=TIME_LIMIT_MESSAGE
        )
