"""The webhook inbox: verify → store (unique event id) → acknowledge → process once in a task."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.transitions import transition_if
from apps.payouts import stripe_client
from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.payouts.webhooks.handlers import HANDLERS

logger = logging.getLogger(__name__)


def webhook_event_receive(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verifies an event with this network's secret and stores it. Returns (event, created).

    A duplicate delivery finds the stored row and changes nothing. Raises InvalidWebhook before storing
    anything when the signature, timestamp or body is wrong.
    """
    secret = stripe_client.stripe_settings_get().webhook_secret
    data = stripe_client.webhook_event_construct(payload=payload, signature=signature, secret=secret)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                stripe_event_id=data["id"],
                type=data["type"],
                account=data.get("account") or "",
                stripe_created=int(data.get("created") or 0),
                payload=data,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(stripe_event_id=data["id"]), False
    from apps.payouts.tasks import webhook_event_process_task

    transaction.on_commit(lambda: webhook_event_process_task.delay(event.pk))
    return event, True


def webhook_event_process(*, event_id: int) -> str:
    """Applies one stored event through its handler, at most once.

    Runs in one transaction holding the event row lock: the handler's writes and the status change commit
    together, so a worker killed midway leaves the event unprocessed and its redelivery applies it once.
    """
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
            return event.status
        handler = HANDLERS.get(event.type)
        event.attempts += 1
        if handler is None:
            event.status = WebhookEventStatus.IGNORED
        else:
            handler(event.payload)
            event.status = WebhookEventStatus.PROCESSED
        event.processed_at = timezone.now()
        event.last_error = ""
        event.save(update_fields=["status", "attempts", "processed_at", "last_error"])
        return event.status


def webhook_event_mark_failed(*, event_id: int, error: str) -> None:
    transition_if(
        WebhookEvent,
        event_id,
        {WebhookEventStatus.RECEIVED, WebhookEventStatus.FAILED},
        WebhookEventStatus.FAILED,
        last_error=error[:2000],
    )
