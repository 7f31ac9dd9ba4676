"""E-mail in tests: services write e-mails to the outbox; the worker's `outbox.send_email` task sends them.
`deliver_emails` runs that task here, for the e-mails a network's outbox relay has handed to the broker (after
commit), so `mail.outbox` (the locmem backend of this process) shows what people received."""

from __future__ import annotations

from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from apps.outbox.models import OutboxMessage
from apps.outbox.services import EMAIL_TASK
from apps.outbox.tasks import send_email


def deliver_emails(tenant=None) -> list[mail.EmailMessage]:
    """Sends every e-mail the relay sent from the outbox of `tenant` (default: the current schema) through the
    real task, as the worker would, then drops those rows (a second call sends nothing twice); returns
    `mail.outbox`."""
    with schema_context(tenant.schema_name if tenant else connection.schema_name):
        for message in OutboxMessage.objects.filter(task_name=EMAIL_TASK, sent_at__isnull=False).order_by(
            "pk"
        ):
            send_email.apply(kwargs=message.kwargs, throw=True)
            message.delete()
    return mail.outbox
