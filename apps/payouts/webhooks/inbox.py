"""The webhook inbox: verify → store (unique event id) → acknowledge → process once in a task."""

import logging

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.core.transitions import transition_if
from apps.outbox.services import outbox_enqueue
from apps.payouts import stripe_client
from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.payouts.webhooks.event_body import event_body_parse
from apps.payouts.webhooks.handlers import HANDLERS
from apps.payouts.webhooks.registry import WebhookEndpoint
from apps.payouts.webhooks.versions import event_at_pinned_version

logger = logging.getLogger(__name__)


def _endpoint_secret(endpoint: WebhookEndpoint) -> str:
    row = stripe_client.stripe_settings_get()
    return row.connect_webhook_secret if endpoint == WebhookEndpoint.CONNECT else row.webhook_secret


def _check_endpoint(body, endpoint: WebhookEndpoint) -> None:
    """Stripe sends connected accounts' events (with `account`) only to a Connect endpoint and the platform's own
    only to an account endpoint: one at the other's URL means an endpoint was set up wrongly in Stripe."""
    if endpoint == WebhookEndpoint.CONNECT and not body.account:
        raise stripe_client.InvalidWebhook("A platform event (no `account`) arrived at the Connect endpoint.")
    if endpoint == WebhookEndpoint.ACCOUNT and body.account:
        raise stripe_client.InvalidWebhook(
            f"A connected account's event ({body.account}) arrived at the account endpoint; "
            "Stripe sends those to the Connect endpoint."
        )


def webhook_event_receive(
    *, payload: bytes, signature: str | None, endpoint: WebhookEndpoint
) -> tuple[WebhookEvent, bool]:
    """Verifies an event with the secret of the endpoint it arrived at (this network's account or Connect
    endpoint), checks its body and stores it. Returns (event, created).

    Both endpoints share one inbox: a duplicate delivery (by Stripe event id) finds the stored row and changes
    nothing. Raises InvalidWebhook (logged) before storing anything when the signature, timestamp or body is
    wrong, or the event belongs to the other endpoint.
    """
    try:
        stripe_client.webhook_signature_verify(
            payload=payload, signature=signature, secret=_endpoint_secret(endpoint)
        )
        body = event_body_parse(payload)
        _check_endpoint(body, endpoint)
    except stripe_client.InvalidWebhook as error:
        logger.warning(
            "Stripe %s webhook refused for network %s: %s", endpoint, connection.schema_name, error
        )
        raise
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                stripe_event_id=body.id,
                type=body.type,
                account=body.account,
                stripe_created=body.created,
                payload=body.payload,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(stripe_event_id=body.id), False
    outbox_enqueue(
        task_name="payouts.webhook_event_process",
        kwargs={"event_id": event.pk},
        dedup_key=f"stripe_event:{event.pk}:process",
    )
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
            handler(event_at_pinned_version(event.payload))
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
