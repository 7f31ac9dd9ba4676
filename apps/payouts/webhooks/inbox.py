"""The webhook inbox: verify → store (unique event id) → acknowledge → process once in a task.

No event is ever stranded: the event and the message asking for its processing commit together (the outbox
sends it), a failure is recorded with its next attempt (exponential backoff), and the re-drive (beat, every
minute, per network) processes whatever is still unprocessed — an event whose task was lost (the broker down or
a worker killed after taking it) and a failed event that is due — telling staff once an event has failed
ALERT_AFTER_ATTEMPTS times. Staff re-process one from the admin (`webhook_event_reprocess`).
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.selectors import staff_email_list
from apps.outbox.services import outbox_enqueue, outbox_enqueue_email
from apps.payouts import stripe_client
from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.payouts.webhooks.event_body import event_body_parse
from apps.payouts.webhooks.handlers import HANDLERS
from apps.payouts.webhooks.registry import WebhookEndpoint
from apps.payouts.webhooks.versions import event_at_pinned_version

logger = logging.getLogger(__name__)

# An event still RECEIVED this long after it arrived lost its task (the relay and a worker take seconds).
REDRIVE_GRACE = timedelta(minutes=2)
REDRIVE_BATCH = 20
BACKOFF_BASE_S = 30
BACKOFF_CAP_S = 6 * 3600
ALERT_AFTER_ATTEMPTS = 5
REPROCESS_PERMISSION = "payouts.change_webhookevent"


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
    wrong, or the event belongs to the other endpoint. The processing task is asked for in the event's own
    transaction, so no crash between the two can leave it unasked.
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
            _process_enqueue(event)
    except IntegrityError:
        return WebhookEvent.objects.get(stripe_event_id=body.id), False
    return event, True


def _process_enqueue(event: WebhookEvent) -> None:
    outbox_enqueue(
        task_name="payouts.webhook_event_process",
        kwargs={"event_id": event.pk},
        dedup_key=f"stripe_event:{event.pk}:process",
    )


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
        event.next_attempt_at = None
        event.save(update_fields=["status", "attempts", "processed_at", "last_error", "next_attempt_at"])
        return event.status


def backoff_seconds(attempts: int) -> int:
    return stripe_client.backoff_seconds(attempts, base=BACKOFF_BASE_S, cap=BACKOFF_CAP_S)


@transaction.atomic
def webhook_event_mark_failed(*, event_id: int, error: str) -> WebhookEvent | None:
    """Records a failed attempt (the handler's transaction was rolled back): FAILED, the attempt counted, the
    next one due after a growing delay; staff are told (once) when it has failed ALERT_AFTER_ATTEMPTS times."""
    event = (
        WebhookEvent.objects.select_for_update()
        .filter(pk=event_id, status__in=[WebhookEventStatus.RECEIVED, WebhookEventStatus.FAILED])
        .first()
    )
    if event is None:
        return None  # processed meanwhile
    event.attempts += 1
    event.status = WebhookEventStatus.FAILED
    event.last_error = error[:2000]
    event.next_attempt_at = timezone.now() + timedelta(seconds=backoff_seconds(event.attempts))
    fields = ["attempts", "status", "last_error", "next_attempt_at"]
    if event.attempts >= ALERT_AFTER_ATTEMPTS and event.staff_alerted_at is None:
        event.staff_alerted_at = timezone.now()
        fields.append("staff_alerted_at")
        _tell_staff(event)
    event.save(update_fields=fields)
    logger.warning(
        "Stripe event %s (%s) attempt %s failed: %s", event.stripe_event_id, event.type, event.attempts, error
    )
    return event


def _tell_staff(event: WebhookEvent) -> None:
    """One e-mail to the network's staff, through the outbox in the failure's transaction."""
    from apps.orders.notifications import network_name_and_url

    network_name, event_url = network_name_and_url(
        reverse("admin:payouts_webhookevent_change", args=[event.pk])
    )
    context = {"event": event, "network_name": network_name, "event_url": event_url}
    outbox_enqueue_email(
        to=staff_email_list(),
        subject=render_to_string("email/payouts/webhook_event_failing_subject.txt", context),
        body=render_to_string("email/payouts/webhook_event_failing.txt", context),
        dedup_key=f"stripe_event:{event.pk}:failing",
    )


def _process_or_record(event_id: int) -> str:
    try:
        return webhook_event_process(event_id=event_id)
    except Exception as error:
        logger.exception("Stripe event %s failed", event_id)
        webhook_event_mark_failed(event_id=event_id, error=repr(error))
        return WebhookEventStatus.FAILED


def webhook_events_due(*, now=None, limit: int = REDRIVE_BATCH) -> list[int]:
    """Ids of the events the re-drive takes now, the longest waiting first: received ones whose task was lost
    (older than the grace) and failed ones whose next attempt is due."""
    now = now or timezone.now()
    lost = Q(status=WebhookEventStatus.RECEIVED, received_at__lte=now - REDRIVE_GRACE)
    due = Q(status=WebhookEventStatus.FAILED) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    )
    return list(
        WebhookEvent.objects.filter(lost | due)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_events_redrive(*, now=None, limit: int = REDRIVE_BATCH) -> dict:
    """Processes the events that are due (at most `limit`), in this process: a lost task or a broker outage
    cannot strand them again. Returns how many ended in each status."""
    done: dict[str, int] = {}
    for event_id in webhook_events_due(now=now, limit=limit):
        status = _process_or_record(event_id)
        done[status] = done.get(status, 0) + 1
    return done


def webhook_event_reprocess(*, event_id: int, actor) -> str:
    """Staff process one received or failed event now (from the admin). Returns its status afterwards.

    Fail-closed: the actor must hold REPROCESS_PERMISSION (platform staff and the network's owner; finance
    only reads events), else PermissionDenied. A processed or ignored event is left as it is.
    """
    if actor is None or not actor.is_active or not actor.has_perm(REPROCESS_PERMISSION):
        raise PermissionDenied("Only the network's staff may re-process Stripe events.")
    event = WebhookEvent.objects.get(pk=event_id)
    if event.status not in (WebhookEventStatus.RECEIVED, WebhookEventStatus.FAILED):
        return event.status
    logger.info("Stripe event %s re-processed by %s", event.stripe_event_id, actor.pk)
    return _process_or_record(event_id)
