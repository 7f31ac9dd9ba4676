"""The transactional outbox: the one way work leaves a transaction for other processes (tasks and e-mails).

A message is committed (or rolled back) together with the change that calls for it, so a crash or a broker
outage between "paid" and "planning asked for" loses nothing, and a rolled-back change never e-mails anyone:
whatever is unsent is sent by the relay after commit or by the beat-driven sweeper later. Delivery is at least
once; receiving tasks are idempotent. E-mail is one more task (`outbox.send_email`, apps/outbox/tasks.py) that
retries on its own, so an SMTP outage neither fails the request that asked for the mail nor holds back the
other messages of that transaction.
"""

import logging
import uuid

from celery import current_app
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.core.periodic_fanout import network_work_mark
from apps.outbox.after_commit import on_commit_in_this_schema
from apps.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

EMAIL_TASK = "outbox.send_email"

# Publishing must not hang a checkout when the broker is down: fail fast, the sweeper tries again.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2}


def outbox_enqueue(*, task_name: str, kwargs: dict, dedup_key: str = "") -> OutboxMessage:
    """Writes a message in the caller's transaction; after commit a relay sends it. Writing the same `dedup_key`
    twice is a no-op; without one every call is a new message (for idempotent tasks asked for again).

    Call inside the transaction of the change the message belongs to (outside one it is sent at once). Tasks
    are named, never imported, so any layer may ask for work a higher layer does.
    """
    dedup_key = dedup_key or f"{task_name}:{uuid.uuid4().hex}"
    message, created = OutboxMessage.objects.get_or_create(
        dedup_key=dedup_key, defaults={"task_name": task_name, "kwargs": kwargs}
    )
    if created:
        on_commit_in_this_schema(lambda: _relay_after_commit(message.pk))
    return message


def _relay_after_commit(message_id: int) -> None:
    # The network has work now: beat's periodic sweeps include it (apps/core/periodic_fanout.py).
    network_work_mark(connection.schema_name)
    outbox_send_pending(message_ids=[message_id])


def outbox_enqueue_email(
    *, to: list[str], subject: str, body: str, dedup_key: str = ""
) -> OutboxMessage | None:
    """Writes an e-mail (already rendered: it says what was true when the change was made) to the outbox.

    Call inside the transaction of the change the e-mail tells about. `dedup_key` makes asking twice one mail;
    without it every call is a new mail. Nothing is written when there is nobody to write to.
    """
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    return outbox_enqueue(
        task_name=EMAIL_TASK,
        kwargs={"to": recipients, "subject": subject.strip(), "body": body},
        dedup_key=f"email:{dedup_key}" if dedup_key else "",
    )


def outbox_send_pending(*, message_ids: list[int] | None = None, limit: int = 200) -> int:
    """Sends unsent messages (the given ones, or the oldest `limit`); returns how many went to the broker.

    Each message is sent while its row is locked (skip_locked), so the relay and the sweeper never send the
    same one concurrently. A broker error leaves the message unsent with the error recorded.
    """
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    if message_ids is not None:
        pending = pending.filter(pk__in=message_ids)
    sent = 0
    for message_id in pending.order_by("created_at", "id").values_list("pk", flat=True)[:limit]:
        if _send_one(message_id):
            sent += 1
    return sent


def _send_one(message_id: int) -> bool:
    error = ""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        try:
            result = current_app.send_task(
                message.task_name, kwargs=message.kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY
            )
        except Exception as exc:  # the broker is unreachable or refused: keep it for the sweeper
            error = f"{type(exc).__name__}: {exc}"[:500]
        else:
            OutboxMessage.objects.filter(pk=message.pk).update(
                sent_at=timezone.now(), attempts=message.attempts + 1, celery_task_id=result.id or ""
            )
            return True
    logger.warning("Outbox message %s not sent: %s", message_id, error)
    OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=error
    )
    return False
