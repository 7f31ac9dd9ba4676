"""A paid order never waits on a lost event: an order still awaiting payment whose PaymentIntent succeeded at
Stripe (its confirm answer and its `payment_intent.succeeded` event both lost) is completed by the sweeper,
through the webhook's own service."""

import uuid
from datetime import timedelta

from django.utils import timezone

from apps.orders.models import Order, OrderEvent, OrderPayment
from apps.orders.status import OrderStatus
from apps.payouts import stripe_client
from apps.payouts.models import OrderMoney
from apps.payouts.payments.stranded import CHECK_GRACE, awaiting_payments_due
from apps.payouts.transfers.sweep import money_sweep
from tests.payouts.money_builders import make_order


def _paid_at_stripe_only(order: Order) -> OrderPayment:
    key = uuid.uuid4().hex
    intent = stripe_client.payment_intent_create(
        amount_minor=order.total_minor,
        currency=order.currency,
        transfer_group=order.transfer_group,
        metadata={"order_id": str(order.pk)},
        idempotency_key=f"test:pi:{key}",
    )
    payment = OrderPayment.objects.create(
        order=order,
        quote_revision=order.quote_revision,
        payment_intent_id=intent["id"],
        idempotency_key=f"test:pi:{key}",
        amount_minor=order.total_minor,
        currency=order.currency,
    )
    Order.objects.filter(pk=order.pk).update(payment_intent_id=intent["id"])
    stripe_client.payment_intent_confirm(
        payment_intent_id=intent["id"], payment_method="pm_card_visa", idempotency_key=f"test:confirm:{key}"
    )
    return payment


def _age(payment: OrderPayment, by: timedelta) -> None:
    OrderPayment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - by)


def test_an_order_paid_at_stripe_without_any_event_is_completed_by_the_sweeper(money_a):
    order = make_order(total_minor=4_200)
    payment = _paid_at_stripe_only(order)
    assert money_sweep()["paid"] == 0, "within the grace the confirm answer or the event may still come"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT

    _age(payment, CHECK_GRACE + timedelta(seconds=1))
    done = money_sweep()
    assert done["paid"] == 1 and done["charges"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.charge_id
    assert OrderMoney.objects.get(order_id=order.pk).paid_minor == 4_200
    assert OrderEvent.objects.filter(order=order, actor_label="money sweeper").exists()
    assert money_sweep()["paid"] == 0


def test_unpaid_orders_are_asked_about_less_often_as_they_age_and_in_bounded_batches(money_a):
    unpaid = []
    for _ in range(3):
        order = make_order(total_minor=1_000)
        intent = stripe_client.payment_intent_create(
            amount_minor=1_000,
            currency="EUR",
            transfer_group=order.transfer_group,
            metadata={"order_id": str(order.pk)},
            idempotency_key=f"test:pi:{uuid.uuid4().hex}",
        )
        payment = OrderPayment.objects.create(
            order=order,
            quote_revision=order.quote_revision,
            payment_intent_id=intent["id"],
            idempotency_key=f"test:pi:{uuid.uuid4().hex}",
            amount_minor=1_000,
            currency="EUR",
        )
        _age(payment, timedelta(hours=4))
        unpaid.append(payment)
    assert [p.pk for p in awaiting_payments_due(limit=2)] == [p.pk for p in unpaid[:2]], (
        "oldest first, bounded"
    )
    assert money_sweep()["paid"] == 0
    assert awaiting_payments_due() == [], "each was asked about and is not due again yet"
    checked = OrderPayment.objects.get(pk=unpaid[0].pk).stripe_next_check_at
    assert timedelta(minutes=59) < checked - timezone.now() <= timedelta(hours=1), "a quarter of its age"
    assert {Order.objects.get(pk=p.order_id).status for p in unpaid} == {OrderStatus.AWAITING_PAYMENT}
