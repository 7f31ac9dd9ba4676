"""The outbox: planning is asked for in the payment's own transaction, so a broker outage at checkout or a
worker dying between payment and matching loses nothing. A private Redis server plays the broker here, so
stopping it touches nobody else's tests."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.orders.models import Order
from apps.orders.status import OrderStatus
from apps.orders.tasks import outbox_sweep
from apps.outbox.models import OutboxMessage
from apps.outbox.services import outbox_enqueue, outbox_send_pending
from tests.orders.conftest import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(private_broker):
    return private_broker


def _kwargs(message: dict) -> dict:
    """Celery's protocol 2 body: base64 of JSON [args, kwargs, embed]."""
    return json.loads(base64.b64decode(message["body"]))[1]


def _commit_messages(broker_server, order_id: int) -> list[dict]:
    return [
        m
        for m in broker_server.queued()
        if m["headers"]["task"] == "matching.commit_order" and _kwargs(m) == {"order_id": order_id}
    ]


def test_redis_down_at_checkout_loses_nothing_and_the_sweeper_sends_it_later(
    awaiting, broker, django_capture_on_commit_callbacks
):
    broker.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        result = pay(awaiting)
    assert result.status == "paid"
    assert time.monotonic() - started < 15, "a broker outage must not hang the checkout"
    order = Order.objects.get(pk=awaiting.pk)
    assert order.status == OrderStatus.PAID
    message = OutboxMessage.objects.get(task_name="matching.commit_order", kwargs={"order_id": order.pk})
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    broker.start()
    assert outbox_sweep.apply().get()["sent"] >= 1
    message.refresh_from_db()
    assert message.sent_at is not None
    queued = _commit_messages(broker, order.pk)
    assert len(queued) == 1
    assert queued[0]["headers"]["_schema_name"] == connection.schema_name


def test_relay_sends_right_after_commit(awaiting, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pay(awaiting)
    message = OutboxMessage.objects.get(kwargs={"order_id": awaiting.pk})
    assert message.sent_at is not None and message.celery_task_id
    assert len(_commit_messages(broker, awaiting.pk)) == 1
    # The sweeper does not send it again.
    outbox_send_pending()
    assert len(_commit_messages(broker, awaiting.pk)) == 1


def test_a_worker_killed_between_payment_and_matching_gets_the_order_planned_again(paid, broker):
    outbox_send_pending()
    assert len(_commit_messages(broker, paid.pk)) == 1
    broker.lose_one("matching.commit_order")  # the worker took it and died; the order stays paid
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.PAID
    outbox_sweep.apply().get()
    assert _commit_messages(broker, paid.pk) == [], "too early: planning may still be running"
    Order.objects.filter(pk=paid.pk).update(planning_requested_at=timezone.now() - timedelta(minutes=11))
    assert outbox_sweep.apply().get()["requeued"] == 1
    assert len(_commit_messages(broker, paid.pk)) == 1
    assert OutboxMessage.objects.filter(
        dedup_key=f"order:{paid.pk}:commit_order:2", sent_at__isnull=False
    ).exists()
    assert outbox_sweep.apply().get()["requeued"] == 0


def test_the_same_message_written_twice_is_one_message(in_tenant_a):
    first = outbox_enqueue(task_name="matching.commit_order", kwargs={"order_id": 1}, dedup_key="t:dedup")
    second = outbox_enqueue(task_name="matching.commit_order", kwargs={"order_id": 1}, dedup_key="t:dedup")
    assert first.pk == second.pk
    assert OutboxMessage.objects.filter(dedup_key="t:dedup").count() == 1
