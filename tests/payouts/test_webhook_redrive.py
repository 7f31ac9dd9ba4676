"""No Stripe event is ever stranded: an event whose task was lost (the broker down at enqueue, a worker killed
after taking it) or that keeps failing is processed by the re-drive, with backoff and a staff alert; staff (and
only staff) re-process one from the admin."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.outbox.models import OutboxMessage
from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.payouts.webhooks.inbox import (
    ALERT_AFTER_ATTEMPTS,
    REDRIVE_GRACE,
    webhook_event_reprocess,
    webhook_events_due,
    webhook_events_redrive,
)
from tests.conftest import host_of, sign_in
from tests.payouts.test_webhooks import _event, _post, _secret_of, _signed

pytestmark = pytest.mark.django_db

PROCESS_TASK = "payouts.webhook_event_process"


def _deliver(client, tenant, event: dict) -> WebhookEvent:
    payload = json.dumps(event).encode()
    response = _post(client, payload, _signed(payload, _secret_of(tenant)))
    assert response.status_code == 200
    return WebhookEvent.objects.get(stripe_event_id=event["id"])


def _older(event: WebhookEvent, by: timedelta) -> None:
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - by)


def test_an_event_whose_task_a_dead_worker_took_is_processed_by_the_redrive(
    in_tenant_a, client_a, private_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = _deliver(client_a, in_tenant_a, _event())
    message = OutboxMessage.objects.get(dedup_key=f"stripe_event:{event.pk}:process")
    assert message.sent_at is not None, "the relay handed the task to the broker"
    private_broker.lose_one(PROCESS_TASK)  # a worker took it and died: the outbox has nothing left to send
    event.refresh_from_db()
    assert event.status == WebhookEventStatus.RECEIVED

    assert webhook_events_redrive() == {}, "within the grace its task may still be running"
    _older(event, REDRIVE_GRACE + timedelta(seconds=1))
    assert webhook_events_redrive() == {WebhookEventStatus.IGNORED: 1}
    event.refresh_from_db()
    assert (event.status, event.attempts) == (WebhookEventStatus.IGNORED, 1)
    assert webhook_events_redrive() == {}


def test_an_event_stored_while_the_broker_is_down_is_processed_without_the_broker(
    in_tenant_a, client_a, private_broker, django_capture_on_commit_callbacks
):
    private_broker.stop()
    with django_capture_on_commit_callbacks(execute=True):
        event = _deliver(client_a, in_tenant_a, _event())
    message = OutboxMessage.objects.get(dedup_key=f"stripe_event:{event.pk}:process")
    assert message.sent_at is None and message.last_error, "the broker was unreachable"
    _older(event, REDRIVE_GRACE + timedelta(seconds=1))
    assert webhook_events_redrive() == {WebhookEventStatus.IGNORED: 1}
    assert WebhookEvent.objects.get(pk=event.pk).status == WebhookEventStatus.IGNORED


def test_a_failing_event_backs_off_and_staff_are_told_once_after_n_attempts(money_a, make_user):
    """A `charge.succeeded` for a charge of an order Stripe does not know: the handler's read fails every time."""
    from tests.payouts.money_builders import make_order

    staff = make_user(money_a, Role.STAFF)
    order = make_order(total_minor=1000)
    order.charge_id = "ch_unknown_at_stripe"
    order.save(update_fields=["charge_id"])
    event = WebhookEvent.objects.create(
        stripe_event_id="evt_failing",
        type="charge.succeeded",
        stripe_created=1,
        payload=_event("charge.succeeded", id="ch_unknown_at_stripe", object="charge"),
    )
    _older(event, REDRIVE_GRACE + timedelta(seconds=1))
    delays = []
    for attempt in range(1, ALERT_AFTER_ATTEMPTS + 2):
        far = timezone.now() + timedelta(days=30)
        assert webhook_events_redrive(now=far) == {WebhookEventStatus.FAILED: 1}
        event.refresh_from_db()
        assert (event.status, event.attempts) == (WebhookEventStatus.FAILED, attempt)
        assert "resource_missing" in event.last_error or "No such charge" in event.last_error
        delays.append((event.next_attempt_at - timezone.now()).total_seconds())
        assert event.pk not in webhook_events_due(), "not retried before its next attempt"
        alerts = OutboxMessage.objects.filter(dedup_key=f"email:stripe_event:{event.pk}:failing")
        assert alerts.count() == (1 if attempt >= ALERT_AFTER_ATTEMPTS else 0)
    assert all(later > earlier for earlier, later in itertools.pairwise(delays)), delays
    alert = alerts.get()
    assert staff.email in alert.kwargs["to"]
    assert "charge.succeeded" in alert.kwargs["subject"] and "evt_failing" in alert.kwargs["body"]
    assert event.staff_alerted_at is not None


@pytest.fixture
def failed_event(in_tenant_a) -> WebhookEvent:
    return WebhookEvent.objects.create(
        stripe_event_id="evt_stuck",
        type="test.unhandled",
        stripe_created=1,
        payload=_event(),
        status=WebhookEventStatus.FAILED,
        attempts=3,
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )


def _reprocess(client: Client, event: WebhookEvent):
    return client.post(
        reverse("admin:payouts_webhookevent_changelist"),
        {"action": "reprocess_now", "_selected_action": [event.pk]},
    )


def test_staff_reprocess_an_event_from_the_admin(failed_event, staff_a):
    response = _reprocess(staff_a, failed_event)
    assert response.status_code == 302
    failed_event.refresh_from_db()
    assert (failed_event.status, failed_event.attempts) == (WebhookEventStatus.IGNORED, 4)


def test_finance_and_another_networks_staff_cannot_reprocess(
    failed_event, finance_a, tenant_a, tenant_b, make_user
):
    assert _reprocess(finance_a, failed_event).status_code == 403
    beta_staff = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_b, make_user(tenant_b, Role.STAFF))
    response = _reprocess(beta_staff, failed_event)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    with schema_context(tenant_a.schema_name):
        failed_event.refresh_from_db()
        assert failed_event.status == WebhookEventStatus.FAILED and failed_event.attempts == 3


def test_the_reprocess_service_is_fail_closed(failed_event, tenant_a, make_user):
    finance = make_user(tenant_a, Role.FINANCE)
    with schema_context(tenant_a.schema_name), pytest.raises(PermissionDenied):
        webhook_event_reprocess(event_id=failed_event.pk, actor=finance)
    with schema_context(tenant_a.schema_name), pytest.raises(PermissionDenied):
        webhook_event_reprocess(event_id=failed_event.pk, actor=None)
    staff = make_user(tenant_a, Role.STAFF)
    with schema_context(tenant_a.schema_name):
        assert webhook_event_reprocess(event_id=failed_event.pk, actor=staff) == WebhookEventStatus.IGNORED
