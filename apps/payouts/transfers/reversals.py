"""Transfer reversals: a participant's share of a customer refund taken back from a transfer already sent.

Reversals are sent like transfers: row first, key `reversal:<id>`, row lock across the call, backoff on failure.

Stripe takes a reversal from the participant's Stripe balance. Participants are paid out only after a hold (see
connect/bank_payouts.py), but a refund after that (or an account Stripe paid out by itself) finds the balance
short: Stripe answers `balance_insufficient`. Retrying would not help, so the reversal becomes UNRECOVERABLE at
once, its amount is booked as owed by the participant (a receivable), finance sees it, and it is sent again
before each of that participant's payouts (`reversal_send(recover=True)`): the participant's next funds pay it.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.accounts.access import may_write_off_debts
from apps.core.money import Money
from apps.core.transitions import InvalidTransition, transition_if
from apps.outbox.services import outbox_enqueue
from apps.payouts import stripe_client
from apps.payouts.ledger.posting import entry_find, from_unix
from apps.payouts.ledger.recipes import (
    book_reversal_claim,
    book_reversal_recovered,
    book_reversal_sent,
    book_reversal_unrecoverable,
    book_reversal_written_off,
)
from apps.payouts.models import CustomerRefund, OrderMoney, Reversal, ReversalStatus, Transfer, TransferStatus
from apps.payouts.models.transfers import REVERSAL_OPEN
from apps.payouts.profit_share.statements import part_ids
from apps.payouts.transfers.participant_transfers import (
    SendResult,
    attempt_fail,
    attempt_fail_from,
    attempts_restart,
    balance_transaction_id_of,
    parse_uuid,
)

logger = logging.getLogger(__name__)


def reversal_claim_from_part(
    *, refund: CustomerRefund, key: str, amount_minor: int, fee_minor: int = 0
) -> None:
    """Claims up to `amount_minor` of a refund, plus `fee_minor` of Stripe's fee on it (the policy's refund fee
    bearer), back from the part's transfer. Call holding the order's money lock."""
    amount_minor += fee_minor
    transfer = Transfer.objects.select_for_update(of=("self",)).filter(**part_ids(key)).first()
    if transfer is None or transfer.status == TransferStatus.CANCELLED:
        return  # not released yet: the release takes the share off (participant_transfers.refund_share_of_part)
    claimed = (
        Reversal.objects.filter(transfer=transfer)
        .exclude(status=ReversalStatus.CANCELLED)
        .aggregate(t=Sum("amount_minor"))["t"]
        or 0
    )
    amount = min(amount_minor, transfer.amount_minor - claimed)
    if amount <= 0:
        return
    sent = {}
    if transfer.stripe_currency != transfer.currency:
        # Stripe reverses in the transfer's currency. Converted as the transfer was (rounded down) but on the
        # running total of claims, so reversing the whole share gives back exactly what the transfer sent.
        money = OrderMoney.objects.get(order_id=transfer.order_id)
        sent_minor = money.in_transfer_currency(claimed + amount) - money.in_transfer_currency(claimed)
        if sent_minor <= 0:
            return  # less than one minor unit of the transfer's currency: Stripe cannot reverse it
        sent = {"sent_currency": transfer.stripe_currency, "sent_amount_minor": sent_minor}
    reversal = Reversal(
        transfer=transfer,
        refund=refund,
        amount_minor=amount,
        currency=transfer.currency,
        **sent,
        reason=f"Share of refund {refund.stripe_refund_id}"
        + (
            f", incl. {Money(fee_minor, transfer.currency).format()} of Stripe's fee on it"
            if fee_minor
            else ""
        ),
        next_attempt_at=timezone.now(),
    )
    reversal.idempotency_key = Reversal.key_for(reversal.id, 0)
    reversal.save()
    book_reversal_claim(reversal=reversal, transfer=transfer)
    _send_after_commit(reversal.pk)


def _send_after_commit(reversal_id) -> None:
    outbox_enqueue(task_name="payouts.reversal_send", kwargs={"reversal_id": str(reversal_id)})


BALANCE_SHORT = "balance_insufficient"


def reversal_send(*, reversal_id, recover: bool = False) -> SendResult:
    """Sends one pending reversal (its transfer must have been sent). Same guarantees as transfer_send.

    `recover`: send an UNRECOVERABLE one again (the participant's balance may cover it now)."""
    sendable = ReversalStatus.UNRECOVERABLE if recover else ReversalStatus.PENDING
    with transaction.atomic():
        # Locks in the house order (transfer, then reversal) so a webhook syncing the transfer cannot deadlock.
        transfer_id = Reversal.objects.filter(pk=reversal_id).values_list("transfer_id", flat=True).first()
        transfer = Transfer.objects.select_for_update(skip_locked=True).filter(pk=transfer_id).first()
        reversal = Reversal.objects.select_for_update(skip_locked=True).filter(pk=reversal_id).first()
        if transfer is None or reversal is None:
            return SendResult("busy")
        if reversal.status != sendable:
            return SendResult(reversal.status)
        if transfer.status != TransferStatus.SENT:
            return attempt_fail(
                reversal,
                message="Waiting for its transfer to be sent.",
                code="transfer_not_sent",
                definitive=False,
                reached_stripe=False,
            )
        try:
            result = stripe_client.transfer_reversal_create(
                transfer_id=transfer.stripe_transfer_id,
                amount_minor=reversal.stripe_amount_minor,
                metadata={
                    "reversal_id": str(reversal.pk),
                    "order_id": str(transfer.order_id),
                    "network": connection.schema_name,
                },
                idempotency_key=reversal.idempotency_key,
            )
        except stripe_client.StripeCallError as error:
            if error.code == BALANCE_SHORT and error.nothing_created:
                return _mark_unrecoverable(reversal, transfer, message=str(error))
            if recover:  # an outage while recovering: it stays owed, the next payout run tries again
                return SendResult(ReversalStatus.UNRECOVERABLE)
            return attempt_fail_from(reversal, error)
        _record_sent(reversal, transfer, result)
        return SendResult(ReversalStatus.SENT)


def _mark_unrecoverable(reversal: Reversal, transfer: Transfer, *, message: str) -> SendResult:
    """Stripe refused for want of balance (nothing was created): the participant owes the amount. Booked once;
    every refusal moves to a new key, so the next attempt is a new request. Call holding both row locks."""
    generation = reversal.key_generation + 1
    Reversal.objects.filter(pk=reversal.pk).update(
        status=ReversalStatus.UNRECOVERABLE,
        attempts=reversal.attempts + 1,
        last_error=message[:500],
        last_error_code=BALANCE_SHORT,
        next_attempt_at=None,
        key_generation=generation,
        idempotency_key=Reversal.key_for(reversal.pk, generation),
        maybe_sent=False,
        updated_at=timezone.now(),
    )
    book_reversal_unrecoverable(reversal=reversal, transfer=transfer)
    logger.warning(
        "Reversal %s of %s %s refused for want of balance: owed by %s",
        reversal.pk,
        reversal.amount_minor,
        reversal.currency,
        transfer.participant,
    )
    return SendResult(ReversalStatus.UNRECOVERABLE)


def _record_sent(reversal: Reversal, transfer: Transfer, result: dict) -> None:
    txn_id = balance_transaction_id_of(result)
    owed = entry_find(key=f"reversal_unrecoverable:{reversal.pk}") is not None
    transition_if(
        Reversal,
        reversal.pk,
        [*REVERSAL_OPEN, ReversalStatus.UNRECOVERABLE],
        ReversalStatus.SENT,
        stripe_reversal_id=result["id"],
        balance_transaction_id=txn_id,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        last_error_code="",
        maybe_sent=False,
        updated_at=timezone.now(),
    )
    # Refused once, its amount moved from the payable to what the participant owes: recovered from there.
    book = book_reversal_recovered if owed else book_reversal_sent
    book(
        reversal=reversal,
        transfer=transfer,
        stripe_reversal_id=result["id"],
        balance_transaction_id=txn_id,
        effective_at=from_unix(result.get("created")),
    )
    _sync_reversed_amount(transfer)


def _sync_reversed_amount(transfer: Transfer) -> None:
    sent = (
        Reversal.objects.filter(transfer=transfer, status=ReversalStatus.SENT).aggregate(
            t=Sum("amount_minor")
        )["t"]
        or 0
    )
    Transfer.objects.filter(pk=transfer.pk).update(amount_reversed_minor=sent, updated_at=timezone.now())


def reversals_sync_for_transfer(*, transfer: Transfer, stripe_transfer: dict) -> None:
    """Applies the reversals Stripe lists on one of our transfers. Call holding the transfer's and order's locks.

    Ours are recorded if a worker died before doing so; one made outside the platform (the Dashboard) is
    recorded as an external reversal, since its money came back to the platform for this order.
    """
    reversals = stripe_transfer.get("reversals")
    data = reversals.get("data", []) if isinstance(reversals, dict) else []
    for item in data:
        if Reversal.objects.filter(stripe_reversal_id=item["id"]).exists():
            continue
        ours = parse_uuid((item.get("metadata") or {}).get("reversal_id"))
        reversal = (
            Reversal.objects.select_for_update().filter(pk=ours, transfer=transfer).first() if ours else None
        )
        if reversal is None:
            sent = {}
            amount_minor = int(item["amount"])  # in the transfer's currency
            if transfer.stripe_currency != transfer.currency:
                money = OrderMoney.objects.get(order_id=transfer.order_id)
                sent = {"sent_currency": transfer.stripe_currency, "sent_amount_minor": amount_minor}
                amount_minor = min(money.in_order_currency(amount_minor), transfer.amount_minor)
            reversal = Reversal(
                transfer=transfer,
                amount_minor=amount_minor,
                currency=transfer.currency,
                **sent,
                reason="Reversal made outside the platform",
                external=True,
            )
            reversal.idempotency_key = f"external:{item['id']}"
            reversal.save()
            book_reversal_claim(reversal=reversal, transfer=transfer)
        _record_sent(reversal, transfer, item)
    _sync_reversed_amount(transfer)


@transaction.atomic
def reversal_retry_now(*, reversal_id) -> Reversal:
    """Finance asks for another attempt of a pending or failed reversal (the attempt counter restarts)."""
    reversal = Reversal.objects.select_for_update().get(pk=reversal_id)
    if attempts_restart(reversal):
        _send_after_commit(reversal.pk)
    reversal.refresh_from_db()
    return reversal


@transaction.atomic
def reversal_write_off(*, reversal_id, actor, reason: str) -> Reversal:
    """Finance gives up on a refund share a participant owes (they left the network, the amount is not worth
    chasing): the debt moves to the platform's loss in the ledger and the payout run stops trying to recover it.
    Only finance or the owner, only a share still owed, and only with a reason the ledger keeps."""
    if not may_write_off_debts(actor):
        raise PermissionDenied("Only finance or the network's owner can write off what a participant owes.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the platform gives up on this amount; the ledger keeps it."}
        )
    reversal = Reversal.objects.select_for_update().select_related("transfer").get(pk=reversal_id)
    if not transition_if(
        Reversal,
        reversal.pk,
        ReversalStatus.UNRECOVERABLE,
        ReversalStatus.WRITTEN_OFF,
        written_off_at=timezone.now(),
        written_off_by=actor,
        write_off_reason=reason[:300],
        next_attempt_at=None,
        updated_at=timezone.now(),
    ):
        raise InvalidTransition("This share is not owed any more (recovered or written off already).")
    reversal.refresh_from_db()
    book_reversal_written_off(reversal=reversal, transfer=reversal.transfer)
    return reversal
