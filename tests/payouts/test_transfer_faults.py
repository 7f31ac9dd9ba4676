"""Transfers are never sent twice: not after a lost response, a timeout, a crash between Stripe's answer and our
commit, nor when the participant is not onboarded yet; failures are retried with backoff and shown to finance."""

from datetime import timedelta

from django.utils import timezone

from apps.orders.models import WorkItem
from apps.outbox.models import OutboxMessage
from apps.payouts import stripe_client
from apps.payouts.models import (
    EntryKind,
    JournalEntry,
    Reversal,
    ReversalStatus,
    StripeWrite,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.selectors import transfers_needing_attention
from apps.payouts.transfers.participant_transfers import (
    MAX_ATTEMPTS,
    sends_due,
    transfer_release_for_work_item,
    transfer_retry_now,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_retry_now
from apps.payouts.transfers.sweep import money_sweep
from tests.payouts.money_builders import (
    control,
    deliver,
    finish_work_item,
    make_order,
    make_participants,
    onboard,
    pay,
    stripe_events,
)
from tests.payouts.money_checks import reconciles_clean, stripe_transfers, unbalanced_entries


def _released(onboarded: bool = True) -> Transfer:
    (owner,), _ = make_participants(owners=1, carriers=0, onboarded=onboarded)
    order = make_order(total_minor=10_000, items=[(owner, 6_000)])
    charge_record(charge_id=pay(order)["id"])
    item = finish_work_item(WorkItem.objects.get(order=order))
    return transfer_release_for_work_item(work_item_id=item.pk)


def _one_transfer_recorded_once(transfer: Transfer) -> dict:
    at_stripe = stripe_transfers(transfer.order_id)
    assert len(at_stripe) == 1, at_stripe
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT
    assert transfer.stripe_transfer_id == at_stripe[0]["id"]
    assert JournalEntry.objects.filter(kind=EntryKind.TRANSFER, order_id=transfer.order_id).count() == 1
    assert unbalanced_entries() == []
    return at_stripe[0]


def test_lost_response_after_a_500_is_retried_with_the_same_key_and_recorded_once(money_a):
    transfer = _released()
    # Stripe makes the transfer, then answers 500 (three times: the client's own retries see it too).
    control(
        "fail_next",
        count=3,
        mode="500",
        when="after",
        idempotency_key=stripe_client.network_key(transfer.idempotency_key),
    )
    result = transfer_send(transfer_id=transfer.pk)
    assert result.status == TransferStatus.PENDING and result.retry_in > 0
    transfer.refresh_from_db()
    assert transfer.attempts == 1 and transfer.maybe_sent and transfer.key_generation == 0
    assert transfer in transfers_needing_attention()
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    _one_transfer_recorded_once(transfer)
    assert StripeWrite.objects.filter(idempotency_key=f"transfer:{transfer.pk}").count() == 1


def test_a_timeout_is_retried_without_a_duplicate(money_a):
    transfer = _released()
    # Aimed at this transfer's key: a request something else sends meanwhile must not take one of the three.
    control(
        "fail_next",
        count=3,
        mode="hang",
        seconds=5,
        when="after",
        idempotency_key=stripe_client.network_key(transfer.idempotency_key),
    )
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.PENDING
    transfer.refresh_from_db()
    assert transfer.maybe_sent and transfer.last_error_code == "network"
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    _one_transfer_recorded_once(transfer)


def test_a_worker_dead_between_stripe_and_commit_is_replayed_and_recorded_once(money_a):
    """What the dead worker sent: the same call with the row's key. Nothing of it was committed here; the retry
    gets Stripe's stored answer (the same transfer) and books it once."""
    transfer = _released()
    from apps.payouts.models import OrderMoney

    money = OrderMoney.objects.get(order_id=transfer.order_id)
    params = {
        "amount_minor": transfer.amount_minor,
        "currency": transfer.currency,
        "destination": transfer.asset_owner.stripe_account_id,
        "transfer_group": f"order_{transfer.order_id}",
        "source_transaction": money.charge_id,
        "metadata": {
            "transfer_id": str(transfer.pk),
            "order_id": str(transfer.order_id),
            "network": "t_alpha",
            "source": transfer.source_label,
        },
        "idempotency_key": transfer.idempotency_key,
    }
    lost = stripe_client.transfer_create(**params)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    assert _one_transfer_recorded_once(transfer)["id"] == lost["id"]
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT  # a late duplicate task
    _one_transfer_recorded_once(transfer)


def test_participant_not_onboarded_is_retried_with_backoff_then_sent(money_a):
    transfer = _released(onboarded=False)
    first = transfer_send(transfer_id=transfer.pk)
    assert first.status == TransferStatus.PENDING
    transfer.refresh_from_db()
    assert transfer.last_error_code == "not_onboarded" and not transfer.maybe_sent
    assert transfer.next_attempt_at > timezone.now()
    second_backoff = transfer_send(transfer_id=transfer.pk).retry_in
    assert second_backoff > first.retry_in, "backoff grows"
    # An account exists but onboarding is unfinished: Stripe refuses (400), nothing created, a new key next time.
    onboard(transfer.asset_owner, complete=False)
    refused = transfer_send(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert refused.status == TransferStatus.PENDING
    assert transfer.last_error_code == "insufficient_capabilities_for_transfer"
    assert transfer.key_generation == 1 and transfer.idempotency_key == f"transfer:{transfer.pk}:1"
    assert stripe_transfers(transfer.order_id) == []
    control(f"accounts/{transfer.asset_owner.stripe_account_id}/complete_onboarding")
    # The sweeper finds it due (and enqueues the send); here the send runs in-process.
    Transfer.objects.filter(pk=transfer.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert money_sweep()["sends"] == 1
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    _one_transfer_recorded_once(transfer)
    reconciles_clean()


def test_after_max_attempts_a_transfer_waits_for_finance_then_goes_out_once(money_a):
    transfer = _released(onboarded=False)
    for _ in range(MAX_ATTEMPTS):
        result = transfer_send(transfer_id=transfer.pk)
    assert result.status == TransferStatus.FAILED
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.FAILED and transfer.next_attempt_at is None
    assert transfer in transfers_needing_attention()
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.FAILED, (
        "no automatic retry any more"
    )
    onboard(transfer.asset_owner)
    transfer_retry_now(transfer_id=transfer.pk)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    _one_transfer_recorded_once(transfer)


def _account_updated_delivered(account_id: str) -> None:
    """Delivers the connected account's latest `account.updated` event from the local server through the inbox."""
    [*_, event] = [e for e in stripe_events(account=account_id) if e["type"] == "account.updated"]
    deliver(event)


def _sends_enqueued(transfer: Transfer) -> int:
    return OutboxMessage.objects.filter(
        task_name="payouts.transfer_send", kwargs={"transfer_id": str(transfer.pk)}
    ).count()


def test_a_transfer_waiting_for_onboarding_goes_out_when_the_account_becomes_payable(money_a):
    """Refused for an unfinished account and backed off: the account.updated that makes the participant payable
    makes it due at once (its send enqueued), not at its next backed-off attempt."""
    transfer = _released(onboarded=False)
    onboard(transfer.asset_owner, complete=False)
    for _ in range(3):
        transfer_send(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.last_error_code == "insufficient_capabilities_for_transfer"
    assert transfer.next_attempt_at > timezone.now() + timedelta(seconds=30)
    enqueued = _sends_enqueued(transfer)  # the release's own send
    control(f"accounts/{transfer.asset_owner.stripe_account_id}/complete_onboarding")
    _account_updated_delivered(transfer.asset_owner.stripe_account_id)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempts) == (TransferStatus.PENDING, 0)
    assert transfer.next_attempt_at <= timezone.now() and _sends_enqueued(transfer) == enqueued + 1
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    _one_transfer_recorded_once(transfer)


def test_a_transfer_failed_for_onboarding_is_restarted_by_account_updated_but_other_failures_wait(money_a):
    """After the last attempt a transfer waits for finance; if only the account was the reason, the account
    becoming payable restarts it. A transfer that failed for another reason is left to finance."""
    waiting = _released(onboarded=False)
    for _ in range(MAX_ATTEMPTS):
        transfer_send(transfer_id=waiting.pk)
    other = _released(onboarded=False)
    Transfer.objects.filter(pk=other.pk).update(
        asset_owner=waiting.asset_owner, status=TransferStatus.FAILED, last_error_code="balance_insufficient"
    )
    enqueued = {row.pk: _sends_enqueued(row) for row in (waiting, other)}
    onboard(waiting.asset_owner)
    _account_updated_delivered(waiting.asset_owner.stripe_account_id)
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (TransferStatus.PENDING, 0)
    assert _sends_enqueued(waiting) == enqueued[waiting.pk] + 1
    assert other.status == TransferStatus.FAILED and _sends_enqueued(other) == enqueued[other.pk]


def test_release_is_one_row_per_work_item(money_a):
    transfer = _released()
    again = transfer_release_for_work_item(work_item_id=transfer.work_item_id)
    assert again.pk == transfer.pk
    assert Transfer.objects.filter(work_item_id=transfer.work_item_id).count() == 1
    assert (
        JournalEntry.objects.filter(kind=EntryKind.TRANSFER_RELEASE, order_id=transfer.order_id).count() == 1
    )


def test_finance_retry_makes_a_failed_reversal_due_again_and_leaves_a_sent_one_alone(money_a):
    transfer = _released()

    def reversal(status: str) -> Reversal:
        row = Reversal(
            transfer=transfer,
            amount_minor=100,
            currency=transfer.currency,
            status=status,
            attempts=MAX_ATTEMPTS,
        )
        row.idempotency_key = Reversal.key_for(row.id, 0)
        row.save()
        return row

    def send_enqueued(row: Reversal) -> bool:
        return OutboxMessage.objects.filter(
            task_name="payouts.reversal_send", kwargs={"reversal_id": str(row.pk)}
        ).exists()

    failed, sent = reversal(ReversalStatus.FAILED), reversal(ReversalStatus.SENT)
    retried = reversal_retry_now(reversal_id=failed.pk)
    assert (retried.status, retried.attempts) == (ReversalStatus.PENDING, 0)
    assert failed.pk in sends_due(Reversal) and send_enqueued(failed)
    untouched = reversal_retry_now(reversal_id=sent.pk)
    assert (untouched.status, untouched.attempts) == (ReversalStatus.SENT, MAX_ATTEMPTS)
    assert sent.pk not in sends_due(Reversal) and not send_enqueued(sent)
