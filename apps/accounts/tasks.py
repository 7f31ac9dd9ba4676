from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.core.tasks import TenantOnlyTask


@shared_task(name="accounts.clear_expired_sessions", base=TenantOnlyTask, time_limit=120, soft_time_limit=100)
def clear_expired_sessions() -> int:
    """Deletes this network's expired sessions; beat fans it out to every tenant."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
