"""Permanent vs transient Stripe errors, decided once on StripeCallError: a refusal retrying cannot fix is
recorded on its row (code and reason) and shown to finance with what to do, and not retried; a 429, a 5xx or no
answer backs off and is sent again with the same key."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.orders.models import OrderRefund, WorkItem
from apps.orders.refunding import refund_issue, refunds_retry_pending
from apps.payouts import stripe_client
from apps.payouts.models import OrderMoney, Reversal, ReversalStatus, Transfer, TransferStatus
from apps.payouts.payments.charges import charge_record
from apps.payouts.transfers.participant_transfers import (
    sends_due,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.sweep import money_sweep
from tests.payouts.money_builders import (
    control,
    finish_work_item,
    make_order,
    make_participants,
    pay,
)
from tests.payouts.money_checks import stripe_transfers


def _released(part_minor: int = 6_000) -> Transfer:
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, part_minor)])
    charge_record(charge_id=pay(order)["id"])
    item = finish_work_item(WorkItem.objects.get(order=order))
    return transfer_release_for_work_item(work_item_id=item.pk)


def test_a_permanent_refusal_is_recorded_shown_to_finance_and_not_retried(money_a, finance_a):
    transfer = _released()
    charge_id = OrderMoney.objects.get(order_id=transfer.order_id).charge_id
    # The whole charge was refunded at Stripe (the Dashboard): nothing is left to fund the transfer.
    stripe_client.refund_create(
        charge_id=charge_id, amount_minor=10_000, metadata={}, idempotency_key="test:refund:all"
    )
    result = transfer_send(transfer_id=transfer.pk)
    assert result.status == TransferStatus.FAILED and result.retry_in is None
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.FAILED and transfer.attempts == 1
    assert transfer.last_error_code == "amount_too_large" and transfer.last_error
    assert transfer.next_attempt_at is None and not transfer.maybe_sent
    assert transfer.key_generation == 1, "Stripe created nothing: the next (finance's) attempt gets a new key"
    assert transfer.pk not in sends_due(Transfer, now=timezone.now() + timedelta(days=1))
    assert money_sweep(now=timezone.now() + timedelta(days=1))["sends"] == 0
    assert stripe_transfers(transfer.order_id) == []

    page = finance_a.get(reverse("backoffice:finance_home"))
    assert page.status_code == 200
    assert b"amount_too_large" in page.content
    assert escape(transfer.failure_advice).encode() in page.content
    assert "money flow" in transfer.failure_advice


def test_a_reversal_stripe_refuses_for_good_fails_at_once_with_its_reason(money_a):
    """A reversal larger than what is left on its transfer: Stripe refuses (amount_too_large); retrying cannot
    help. (A balance already paid out is the hold-back policy's UNRECOVERABLE state, not a failure.)"""
    transfer = _released()
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    transfer.refresh_from_db()
    reversal = Reversal(
        transfer=transfer,
        amount_minor=transfer.amount_minor + 1,
        currency=transfer.currency,
        next_attempt_at=timezone.now(),
    )
    reversal.idempotency_key = Reversal.key_for(reversal.id, 0)
    reversal.save()
    assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.FAILED
    reversal.refresh_from_db()
    assert (reversal.status, reversal.attempts, reversal.next_attempt_at) == (ReversalStatus.FAILED, 1, None)
    assert reversal.last_error_code == "amount_too_large"
    assert "money flow" in reversal.failure_advice
    assert reversal.pk not in sends_due(Reversal, now=timezone.now() + timedelta(days=1))


def test_a_rate_limit_or_a_server_error_backs_off_and_is_sent_later_with_the_same_key(money_a):
    transfer = _released()
    # Each fault aimed at this transfer's key: a request the session's worker sends meanwhile must not take one.
    key = stripe_client.network_key(transfer.idempotency_key)
    control("fail_next", mode="429", method="POST", path="/v1/transfers", idempotency_key=key)
    first = transfer_send(transfer_id=transfer.pk)
    assert first.status == TransferStatus.PENDING and first.retry_in > 0
    transfer.refresh_from_db()
    assert transfer.last_error_code == "rate_limit" and transfer.key_generation == 0
    assert "retried on its own" in transfer.failure_advice
    control(
        "fail_next",
        count=3,
        mode="500",
        when="before",
        method="POST",
        path="/v1/transfers",
        idempotency_key=key,
    )
    second = transfer_send(transfer_id=transfer.pk)
    assert second.status == TransferStatus.PENDING and second.retry_in > first.retry_in, "backoff grows"
    transfer.refresh_from_db()
    assert transfer.last_error_code == "500" and transfer.key_generation == 0
    assert transfer.pk in sends_due(Transfer, now=transfer.next_attempt_at)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    assert len(stripe_transfers(transfer.order_id)) == 1


def test_the_classification_is_one_rule_on_the_error():
    def error(status, code="", param=""):
        return stripe_client.StripeCallError("x", code=code, param=param, http_status=status)

    for transient in (
        error(None),
        error(500),
        error(503),
        error(429, "rate_limit"),
        error(409, "lock_timeout"),
    ):
        assert transient.retryable and not transient.permanent and not transient.nothing_created
    for permanent in (
        error(400, "charge_disputed"),
        error(400, "balance_insufficient"),
        error(400, "parameter_invalid_integer"),
        error(403, "account_invalid"),
        error(404, "resource_missing", "source_transaction"),
    ):
        assert permanent.permanent and permanent.nothing_created and not permanent.retryable
    conflict = stripe_client.IdempotencyConflict("x", code="idempotency_error", http_status=400)
    assert conflict.permanent and not conflict.nothing_created
    for onboarding in (
        error(400, "insufficient_capabilities_for_transfer", "destination"),
        error(404, "resource_missing", "destination"),
    ):
        assert onboarding.waits_for_account and not onboarding.permanent and onboarding.nothing_created


def _refund_row(order, amount_minor: int) -> OrderRefund:
    return OrderRefund.objects.create(
        order=order,
        amount_minor=amount_minor,
        currency=order.currency,
        idempotency_key=f"order:{order.pk}:refund:test",
        charge_id=order.charge_id,
        reason="Customer asked",
    )


def test_a_refund_stripe_refuses_for_good_is_recorded_not_retried_and_shown_to_finance(money_a, finance_a):
    order = make_order(total_minor=5_000)
    charge_id = pay(order)["id"]
    # Refunded in full in Stripe's Dashboard meanwhile: Stripe refuses any further refund of the charge.
    stripe_client.refund_create(
        charge_id=charge_id, amount_minor=5_000, metadata={}, idempotency_key="test:dash"
    )
    refund = refund_issue(refund_id=_refund_row(order, 1_000).pk)
    assert refund.stripe_refund_id == "" and refund.refused_at is not None
    assert refund.last_error_code == "charge_already_refunded" and refund.next_attempt_at is None
    later = timezone.now() + timedelta(days=1)
    assert refunds_retry_pending(now=later) == 0, "a refusal for good is not retried"
    page = finance_a.get(reverse("backoffice:finance_home"))
    assert b"charge_already_refunded" in page.content
    assert b"nothing more can go back" in page.content


def test_a_rate_limited_refund_backs_off_and_goes_out_later(money_a):
    order = make_order(total_minor=5_000)
    pay(order)
    order.refresh_from_db()
    row = _refund_row(order, 1_000)
    control(
        "fail_next",
        mode="429",
        method="POST",
        path="/v1/refunds",
        idempotency_key=stripe_client.network_key(row.idempotency_key),
    )
    refund = refund_issue(refund_id=row.pk)
    assert refund.stripe_refund_id == "" and refund.refused_at is None and refund.attempts == 1
    assert refund.next_attempt_at > timezone.now()
    assert refunds_retry_pending() == 0, "not before its next attempt"
    assert refunds_retry_pending(now=refund.next_attempt_at) == 1
    refund.refresh_from_db()
    assert refund.stripe_refund_id.startswith("re_")
