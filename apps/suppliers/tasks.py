"""Suppliers' tasks: thin, by id, named (the outbox sends them by name)."""

from celery import shared_task

from apps.core.tasks import TenantOnlyTask
from apps.outbox.tasks import send_email
from apps.suppliers.services.invitations import INVITATION_EMAIL_TASK, invitation_email_compose


@shared_task(
    name=INVITATION_EMAIL_TASK,
    base=TenantOnlyTask,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=10,
    time_limit=60,
    soft_time_limit=50,
)
def invitation_email(*, invitation_id: int, accept_url: str) -> bool:
    """Draws the invitation link's secret and hands the mail to the e-mail task (which retries on SMTP
    errors): the secret travels only in that mail, never in an outbox row. False: no longer open, no mail."""
    message = invitation_email_compose(invitation_id=invitation_id, accept_url=accept_url)
    if message is None:
        return False
    send_email.delay(**message)
    return True
