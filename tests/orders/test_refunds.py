"""Cancel before production with a full refund, refund requests after delivery within the window, staff
decisions, disputes; every refund goes to Stripe with a key derived from our row and is never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.demo.orders import simple_plan
from apps.orders import hooks
from apps.orders.models import Order, OrderRefund, RefundRequest, WorkItem
from apps.orders.refunding import order_cancel_and_refund, refund_issue, refunds_retry_pending
from apps.orders.scope import Scope
from apps.orders.services import (
    order_mark_disputed,
    order_plan_apply,
    refund_request_create,
    refund_request_decide,
    work_item_accept,
    work_item_start,
)
from apps.orders.status import InvalidTransition, OrderStatus, WorkItemStatus
from apps.payouts import stripe_client
from apps.payouts.models import StripeWrite
from tests.orders.conftest import tomorrow_morning

pytestmark = pytest.mark.django_db


def test_cancel_before_production_refunds_in_full_through_stripe(
    planned, customer, django_capture_on_commit_callbacks
):
    heard = []
    listener = hooks.subscribe("order.refunded", lambda **values: heard.append(values))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            order_cancel_and_refund(
                order_id=planned.pk, actor=customer, reason="Wrong colour", scope=Scope.SYSTEM
            )
    finally:
        hooks.unsubscribe("order.refunded", listener)
    order = Order.objects.get(pk=planned.pk)
    assert order.status == OrderStatus.CANCELLED and order.refunded_minor == order.total_minor
    assert order.refund_state == "full"
    refund = OrderRefund.objects.get(order=order)
    assert refund.idempotency_key == f"order:{order.pk}:refund:full"
    stripe_refund = StripeWrite.objects.get(idempotency_key=refund.idempotency_key)
    assert stripe_refund.stripe_object_id == refund.stripe_refund_id
    charge = stripe_client.charge_retrieve(charge_id=order.charge_id)
    assert charge["amount_refunded"] == order.total_minor
    assert all(item.status == WorkItemStatus.CANCELLED for item in order.work_items.all())
    assert heard == [
        {
            "order_id": order.pk,
            "refund_id": refund.pk,
            "amount_minor": order.total_minor,
            "currency": order.currency,
            "stripe_refund_id": refund.stripe_refund_id,
        }
    ]
    # Sending it again (a retry after a crash) is the same refund.
    refund_issue(refund_id=refund.pk)
    assert stripe_client.charge_retrieve(charge_id=order.charge_id)["amount_refunded"] == order.total_minor


def test_cancel_of_an_unpaid_order_refunds_nothing(awaiting, customer):
    assert (
        order_cancel_and_refund(order_id=awaiting.pk, actor=customer, reason="", scope=Scope.SYSTEM) is None
    )
    assert Order.objects.get(pk=awaiting.pk).status == OrderStatus.CANCELLED
    assert not OrderRefund.objects.filter(order=awaiting).exists()


def test_cancel_after_production_started_is_refused(planned, customer):
    item = planned.work_items.first()
    work_item_accept(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_start(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    with pytest.raises(InvalidTransition):
        order_cancel_and_refund(order_id=planned.pk, actor=customer, reason="Too late", scope=Scope.SYSTEM)
    assert Order.objects.get(pk=planned.pk).status == OrderStatus.IN_PRODUCTION
    assert not OrderRefund.objects.filter(order=planned).exists()


def test_refund_left_unsent_by_a_stripe_outage_is_sent_by_the_retry_sweep(paid, customer, stripe_server):
    import requests

    requests.post(
        f"{stripe_server}/_test/fail_next", json={"count": 3, "mode": "500", "when": "before"}, timeout=5
    )
    order_cancel_and_refund(order_id=paid.pk, actor=customer, reason="Changed my mind", scope=Scope.SYSTEM)
    refund = OrderRefund.objects.get(order=paid)
    assert refund.stripe_refund_id == "" and refund.last_error
    assert refund.next_attempt_at > timezone.now() and refund.refused_at is None
    assert refunds_retry_pending() == 0, "not before its next attempt"
    assert refunds_retry_pending(now=refund.next_attempt_at) == 1
    refund.refresh_from_db()
    assert refund.stripe_refund_id.startswith("re_")
    assert stripe_client.charge_retrieve(charge_id=paid.charge_id)["amount_refunded"] == paid.total_minor


def _delivered(order: Order, *, days_ago: int = 1) -> Order:
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=timezone.now() - timedelta(days=days_ago)
    )
    return Order.objects.get(pk=order.pk)


def test_refund_request_within_the_window_is_recorded_and_staff_refund_part(
    paid, customer, make_user, tenant_a
):
    from apps.accounts.roles import Role

    order = _delivered(paid)
    with pytest.raises(ValidationError):
        refund_request_create(order_id=order.pk, customer=customer, reason="", amount_minor=100)
    with pytest.raises(ValidationError):
        refund_request_create(
            order_id=order.pk, customer=customer, reason="Scratched", amount_minor=order.total_minor + 1
        )
    request = refund_request_create(
        order_id=order.pk, customer=customer, reason="Scratched", amount_minor=1000
    )
    with pytest.raises(ValidationError):
        refund_request_create(order_id=order.pk, customer=customer, reason="Again", amount_minor=10)
    staff = make_user(tenant_a, Role.STAFF)
    refund = refund_request_decide(
        request_id=request.pk, actor=staff, approve=True, note="Sorry", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.REFUNDED
        and order.refunded_minor == 1000
        and order.refund_state == "partial"
    )
    assert RefundRequest.objects.get(pk=request.pk).status == "approved"
    assert stripe_client.charge_retrieve(charge_id=order.charge_id)["amount_refunded"] == 1000
    with pytest.raises(InvalidTransition):
        refund_request_decide(request_id=request.pk, actor=staff, approve=True, scope=Scope.STAFF)


def test_refund_request_after_the_window_or_before_delivery_is_refused(paid, customer):
    with pytest.raises(InvalidTransition):
        refund_request_create(order_id=paid.pk, customer=customer, reason="Not here yet")
    order = _delivered(paid, days_ago=30)
    with pytest.raises(InvalidTransition):
        refund_request_create(order_id=order.pk, customer=customer, reason="Too late")
    assert not RefundRequest.objects.filter(order=order).exists()


def test_another_customer_cannot_ask_for_a_refund_of_my_order(paid, other_customer):
    order = _delivered(paid)
    with pytest.raises(Order.DoesNotExist):
        refund_request_create(order_id=order.pk, customer=other_customer, reason="Mine now")


def test_staff_mark_an_order_disputed(paid, customer):
    order_mark_disputed(order_id=paid.pk, actor=customer, reason="Bank dispute", scope=Scope.STAFF)
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.DISPUTED


def test_replan_after_cancel_is_refused(planned, customer):
    order_cancel_and_refund(order_id=planned.pk, actor=customer, reason="x", scope=Scope.SYSTEM)
    items, legs = simple_plan(planned, start=tomorrow_morning())
    with pytest.raises(InvalidTransition):
        order_plan_apply(order_id=planned.pk, items=items, legs=legs)
    assert not WorkItem.objects.filter(order=planned).exclude(status=WorkItemStatus.CANCELLED).exists()
