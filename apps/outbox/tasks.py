"""The e-mail task: the outbox hands it a rendered message; an SMTP failure retries with a growing delay."""

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMessage

from apps.core.tasks import TenantOnlyTask
from apps.outbox.services import EMAIL_TASK

logger = logging.getLogger(__name__)

# 30 s, 1 min, 2 min … capped at an hour: about half a day of retries before the mail is given up (logged).
EMAIL_MAX_RETRIES = 16


@shared_task(
    name=EMAIL_TASK,
    base=TenantOnlyTask,
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=EMAIL_MAX_RETRIES,
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
)
def send_email(self, *, to: list[str], subject: str, body: str) -> int:
    """Sends one e-mail; returns how many messages the backend accepted. Sending twice (a redelivered task)
    sends twice: mail has no idempotency key, and a second copy beats a lost one."""
    if self.request.retries:
        logger.info("E-mail %r: attempt %s", subject, self.request.retries + 1)
    return EmailMessage(subject=subject, body=body, to=to).send()
