import logging

from celery import shared_task

from apps.core.tasks import TenantOnlyTask
from apps.payouts.webhooks import webhook_event_mark_failed, webhook_event_process

logger = logging.getLogger(__name__)


@shared_task(
    name="payouts.webhook_event_process",
    base=TenantOnlyTask,
    bind=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def webhook_event_process_task(self, event_id: int) -> str:
    try:
        return webhook_event_process(event_id=event_id)
    except Exception as error:
        webhook_event_mark_failed(event_id=event_id, error=repr(error))
        logger.exception("Stripe event %s failed; retrying", event_id)
        raise self.retry(exc=error, countdown=min(2**self.request.retries, 300)) from error
