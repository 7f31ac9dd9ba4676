"""Transfers to participants: released per work item (quality passed), per leg (delivered) and per royalty line
(the designer's, when the order is completed), sent to their connected account with `source_transaction` = the order's charge, followed from the API and from webhooks.
When Stripe converted the charge (a EUR order on a USD platform), Stripe accepts only transfers in the charge's
settlement currency: the share (kept in the order's currency here) is sent converted at the charge's own rate
(`OrderMoney.in_transfer_currency`, rounded down).

Never twice, whatever fails:
- the release is one row per work item / leg (unique), committed with its ledger entry before any Stripe call;
- the send holds that row's lock for the whole call and uses the row's key (`transfer:<id>`): two senders
  cannot overlap, and a retry after a crash or a timeout replays the same Stripe object;
- the key changes only after Stripe refused an attempt outright (4xx: nothing was created), never after a
  timeout, a 429 or a 5xx, when the transfer may exist;
- recording the result is a compare-and-swap plus an entry keyed by the Stripe id: the API answer, the
  `transfer.*` webhook and the sweeper can all arrive, in any order, and book it once.
How a failure is handled is stripe_client.StripeCallError's classification: a transient one (network, 429, 5xx)
and an account still onboarding are retried with exponential backoff (the task's countdown and the sweeper's
`next_attempt_at`); a permanent refusal is not retried but recorded (code and reason) and waits for finance, as
does a transfer after MAX_ATTEMPTS (`transfer_retry_now`, once the cause is fixed).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.transitions import transition_if
from apps.orders.models import Order, OrderLine, TransportLeg, WorkItem
from apps.orders.status import LegStatus, OrderStatus, WorkItemStatus
from apps.outbox.services import outbox_enqueue
from apps.payouts import stripe_client
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_transfer_release, book_transfer_sent, book_transfer_void
from apps.payouts.models import CustomerRefund, OrderMoney, Reversal, ReversalStatus, Transfer, TransferStatus
from apps.payouts.models.transfers import REVERSAL_OPEN, TRANSFER_OPEN
from apps.payouts.payments.charges import order_money_lock
from apps.payouts.profit_share.statements import (
    PARTICIPANT_FIELDS,
    leg_key,
    line_key,
    part_amount,
    statement_refresh_for_order,
    work_item_key,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


class FundingExceeded(Exception):
    """A transfer would take more than the order's charge still funds (invariant 5)."""


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SendResult:
    status: str
    retry_in: int | None = None  # seconds until the next attempt, when one is due


def refund_share_of_part(*, order_id: int, key: str) -> int:
    """What refunds of the order already took from a part (their allocation, and the part's share of Stripe's fee
    on them), in minor units."""
    total = 0
    for allocation, fee_allocation in CustomerRefund.objects.filter(order_id=order_id).values_list(
        "allocation", "fee_allocation"
    ):
        total += int((allocation or {}).get(key, 0)) + int((fee_allocation or {}).get(key, 0))
    return total


def order_transfer_capacity(*, money: OrderMoney) -> int:
    """What the order's charge can still fund: paid − refunded − (released transfers − reversals)."""
    released = (
        Transfer.objects.filter(order_id=money.order_id)
        .exclude(status=TransferStatus.CANCELLED)
        .aggregate(total=Sum("amount_minor"), reversed=Sum("amount_reversed_minor"))
    )
    main_refunds = (
        CustomerRefund.objects.filter(order_id=money.order_id, charge_id=money.charge_id).aggregate(
            total=Sum("amount_minor")
        )["total"]
        or 0
    )
    return money.paid_minor - main_refunds - (released["total"] or 0) + (released["reversed"] or 0)


def _release(*, order_id: int, currency: str, key: str, source: dict, participant: dict) -> Transfer | None:
    money = order_money_lock(order_id=order_id)
    existing = Transfer.objects.filter(**source).first()
    if existing is not None:
        return existing
    if not money.charge_id:
        # The order's payment is not in the ledger yet: the sweeper releases once it is.
        logger.info("Release of %s waits for the order's charge", key)
        return None
    split_row = statement_refresh_for_order(order_id=order_id)
    amount = part_amount(split_row=split_row, key=key)
    if amount is None:
        logger.warning("Release of %s: the part is not in order %s's split", key, order_id)
        return None
    refunded = refund_share_of_part(order_id=order_id, key=key)
    to_send = max(amount - refunded, 0)
    transfer = Transfer(
        order_id=order_id,
        part_amount_minor=amount,
        amount_minor=to_send,
        currency=currency.upper(),
        **source,
        **participant,
    )
    if money.transfer_currency != transfer.currency:
        # Stripe converted the charge: a transfer it funds must be in the charge's settlement currency.
        transfer.sent_currency = money.transfer_currency
        transfer.sent_amount_minor = money.in_transfer_currency(to_send)
    transfer.idempotency_key = Transfer.key_for(transfer.id, 0)
    if to_send == 0:
        transfer.status = TransferStatus.CANCELLED
        transfer.last_error = "Nothing to send: refunds took this part's whole share."
        transfer.save()
        return transfer
    if to_send > order_transfer_capacity(money=money):
        transfer.status = TransferStatus.FAILED
        transfer.last_error = "Refused: the order's charge no longer funds this transfer."
        transfer.last_error_code = "funding_exceeded"
        transfer.save()
        book_transfer_release(transfer=transfer)
        return transfer
    transfer.next_attempt_at = timezone.now()
    transfer.save()
    book_transfer_release(transfer=transfer)
    _send_after_commit(transfer.pk)
    return transfer


def _send_after_commit(transfer_id) -> None:
    outbox_enqueue(task_name="payouts.transfer_send", kwargs={"transfer_id": str(transfer_id)})


@transaction.atomic
def transfer_release_for_work_item(*, work_item_id: int) -> Transfer | None:
    """Releases the asset owner's share of a work item that passed quality (status done). Idempotent."""
    item = WorkItem.objects.filter(pk=work_item_id).select_related("order").first()
    if item is None or item.status != WorkItemStatus.DONE or item.asset_owner_id is None:
        return None
    return _release(
        order_id=item.order_id,
        currency=item.order.currency,
        key=work_item_key(item.pk),
        source={"work_item_id": item.pk},
        participant={"asset_owner_id": item.asset_owner_id},
    )


@transaction.atomic
def transfer_release_for_leg(*, leg_id: int) -> Transfer | None:
    """Releases the carrier's share of a delivered transport leg. Idempotent."""
    leg = TransportLeg.objects.filter(pk=leg_id).select_related("order").first()
    if leg is None or leg.status != LegStatus.DELIVERED or leg.carrier_id is None:
        return None
    return _release(
        order_id=leg.order_id,
        currency=leg.order.currency,
        key=leg_key(leg.pk),
        source={"transport_leg_id": leg.pk},
        participant={"carrier_id": leg.carrier_id},
    )


# Royalties are paid once the order is completed (the customer has what the designer's product promised), or
# refunded after delivery (the only way into REFUNDED): then less what the refunds took, nothing if all.
ROYALTY_RELEASED_WHEN = frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED})


def royalty_lines_unreleased(*, order_id: int):
    """The order's lines carrying a designer's royalty that have no transfer yet."""
    return OrderLine.objects.filter(
        order_id=order_id, designer__isnull=False, royalty_minor__gt=0, royalty_transfer__isnull=True
    )


@transaction.atomic
def royalty_transfers_release_for_order(*, order_id: int) -> list[Transfer]:
    """Releases the designers' royalties of a completed (or, after delivery, refunded) order, one transfer per
    royalty line, each the amount its statement gives it less what refunds already took. Idempotent.

    While a refund's reversals are still on their way back the charge cannot fund the royalty yet (the funding
    check counts only money back at Stripe): the release waits, and the order's next settlement attempt (the
    sweeper's) releases it."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status not in ROYALTY_RELEASED_WHEN:
        return []
    if Reversal.objects.filter(transfer__order_id=order_id, status__in=REVERSAL_OPEN).exists():
        logger.info("Royalties of order %s wait for its reversals", order_id)
        return []
    released = []
    for line in royalty_lines_unreleased(order_id=order_id).order_by("position"):
        transfer = _release(
            order_id=order_id,
            currency=order.currency,
            key=line_key(line.pk),
            source={"order_line_id": line.pk},
            participant={"designer_id": line.designer_id},
        )
        if transfer is not None:
            released.append(transfer)
    return released


def _destination(transfer: Transfer) -> str:
    participant = transfer.participant
    return participant.stripe_account_id if participant is not None else ""


def _statuses(model: type[Transfer] | type[Reversal]) -> type[TransferStatus] | type[ReversalStatus]:
    return ReversalStatus if model is Reversal else TransferStatus


def attempt_fail(
    row: Transfer | Reversal,
    *,
    message: str,
    code: str,
    definitive: bool,
    reached_stripe: bool = True,
    permanent: bool = False,
) -> SendResult:
    """Records a failed attempt to send a transfer or a reversal. `definitive`: Stripe refused, nothing was
    created (a new key is safe); otherwise, when the attempt reached Stripe, the object may exist (`maybe_sent`)
    until an attempt with the same key settles it. `permanent`: retrying cannot help, so it fails now and
    waits for finance."""
    model = type(row)
    statuses = _statuses(model)
    attempts = row.attempts + 1
    exhausted = permanent or attempts >= MAX_ATTEMPTS
    delay = stripe_client.backoff_seconds(attempts)
    generation = row.key_generation + (1 if definitive else 0)
    model.objects.filter(pk=row.pk).update(
        attempts=attempts,
        last_error=message[:500],
        last_error_code=code[:100],
        status=statuses.FAILED if exhausted else statuses.PENDING,
        next_attempt_at=None if exhausted else timezone.now() + timedelta(seconds=delay),
        key_generation=generation,
        idempotency_key=model.key_for(row.pk, generation),
        maybe_sent=row.maybe_sent if not reached_stripe else not definitive,
        updated_at=timezone.now(),
    )
    logger.warning(
        "%s %s attempt %s failed (%s%s): %s",
        model.__name__,
        row.pk,
        attempts,
        code,
        ", permanent" if permanent else "",
        message,
    )
    if exhausted:
        return SendResult(statuses.FAILED)
    return SendResult(statuses.PENDING, retry_in=delay)


def stripe_error_code(error: stripe_client.StripeCallError) -> str:
    """What a row records as the failure's code: Stripe's, else the HTTP status, else "network"."""
    return error.code or str(error.http_status or "network")


def attempt_fail_from(row: Transfer | Reversal, error: stripe_client.StripeCallError) -> SendResult:
    """Records a failed Stripe call as the door classified it (stripe_client.StripeCallError)."""
    return attempt_fail(
        row,
        message=str(error),
        code=stripe_error_code(error),
        definitive=error.nothing_created,
        permanent=error.permanent,
    )


def attempts_restart(row: Transfer | Reversal) -> bool:
    """Finance asks for another attempt of a pending or failed transfer or reversal: it is due now and its
    attempt counter restarts. True when it was pending or failed (then the caller enqueues the send)."""
    model = type(row)
    statuses = _statuses(model)
    return transition_if(
        model,
        row.pk,
        [statuses.PENDING, statuses.FAILED],
        statuses.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        updated_at=timezone.now(),
    )


# What a transfer records when it was refused only because the participant's account could not receive money yet.
ACCOUNT_NOT_READY_FAILURES = frozenset({"not_onboarded", *stripe_client.ACCOUNT_NOT_READY_CODES})


@transaction.atomic
def transfers_resume_for_participant(*, participant) -> int:
    """The participant's account just became payable: its transfers that were refused only because the account
    was not ready (pending on a backed-off retry, or failed after the last one) are due now, attempts restarted,
    instead of waiting up to an hour for the next backoff or for finance. Returns how many were restarted.
    attempts_restart is a conditional update (it moves only a row still pending or failed), so no row lock."""
    waiting = Transfer.objects.filter(
        **{PARTICIPANT_FIELDS[participant.kind]: participant.pk},
        status__in=[TransferStatus.PENDING, TransferStatus.FAILED],
        stripe_transfer_id="",
        last_error_code__in=ACCOUNT_NOT_READY_FAILURES,
    ).only("pk")
    restarted = 0
    for transfer in waiting:
        if attempts_restart(transfer):
            _send_after_commit(transfer.pk)
            restarted += 1
    return restarted


def transfer_send(*, transfer_id) -> SendResult:
    """Sends one pending transfer to Stripe, or records why it could not. Safe to call any number of times.

    Holds the transfer's row lock across the Stripe call (skip_locked: a concurrent sender returns "busy").
    Must not be called inside another transaction: the row lock and the outcome commit together.
    """
    with transaction.atomic():
        transfer = (
            Transfer.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("asset_owner", "carrier", "designer")
            .filter(pk=transfer_id)
            .first()
        )
        if transfer is None:
            return SendResult("busy")
        if transfer.status != TransferStatus.PENDING:
            return SendResult(transfer.status)
        money = OrderMoney.objects.get(order_id=transfer.order_id)
        if not transfer.destination:
            destination = _destination(transfer)
            if not destination:
                return attempt_fail(
                    transfer,
                    message="The participant has no Stripe account yet (onboarding not started).",
                    code="not_onboarded",
                    definitive=False,
                    reached_stripe=False,
                )
            Transfer.objects.filter(pk=transfer.pk).update(destination=destination)
            transfer.destination = destination
        try:
            result = stripe_client.transfer_create(
                amount_minor=transfer.stripe_amount_minor,
                currency=transfer.stripe_currency,
                destination=transfer.destination,
                transfer_group=f"order_{transfer.order_id}",
                source_transaction=money.charge_id,
                metadata={
                    "transfer_id": str(transfer.pk),
                    "order_id": str(transfer.order_id),
                    "network": connection.schema_name,
                    "source": transfer.source_label,
                },
                idempotency_key=transfer.idempotency_key,
            )
        except stripe_client.StripeCallError as error:
            if error.waits_for_account:
                # The account may change (onboarding finished, a new account): read it again next time.
                Transfer.objects.filter(pk=transfer.pk).update(destination="")
            return attempt_fail_from(transfer, error)
        _record_sent(transfer, result)
        return SendResult(TransferStatus.SENT)


def _record_sent(transfer: Transfer, result: dict) -> bool:
    """Marks the transfer sent and books it, once (compare-and-swap on the status). Call holding its row lock."""
    changed = transition_if(
        Transfer,
        transfer.pk,
        TRANSFER_OPEN,
        TransferStatus.SENT,
        stripe_transfer_id=result["id"],
        balance_transaction_id=balance_transaction_id_of(result),
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        last_error_code="",
        maybe_sent=False,
        updated_at=timezone.now(),
    )
    transfer.refresh_from_db()
    book_transfer_sent(
        transfer=transfer,
        stripe_transfer_id=result["id"],
        balance_transaction_id=balance_transaction_id_of(result),
        effective_at=from_unix(result.get("created")),
    )
    return bool(changed)


def balance_transaction_id_of(obj: dict) -> str:
    txn = obj.get("balance_transaction")
    return (txn.get("id") if isinstance(txn, dict) else txn) or ""


@transaction.atomic
def transfer_sync_from_stripe(*, stripe_transfer: dict) -> Transfer | None:
    """Applies what Stripe says about one of our transfers (a `transfer.*` event, re-read from the API).

    A pending transfer Stripe already has was sent by a worker that died before recording it: it is recorded
    now. Reversals are synced too. Transfers that are not ours (no or unknown `transfer_id`) are ignored —
    reconciliation reports them.
    """
    from apps.payouts.transfers.reversals import reversals_sync_for_transfer

    our_id = parse_uuid((stripe_transfer.get("metadata") or {}).get("transfer_id"))
    found = (
        Transfer.objects.filter(stripe_transfer_id=stripe_transfer["id"])
        .values_list("pk", "order_id")
        .first()
    )
    if found is None and our_id is not None:
        found = Transfer.objects.filter(pk=our_id).values_list("pk", "order_id").first()
    if found is None:
        logger.info("Transfer %s is not one of this network's; ignored", stripe_transfer.get("id"))
        return None
    # Locks in the house order: the order's money, then the transfer (then its reversals).
    order_money_lock(order_id=found[1])
    transfer = Transfer.objects.select_for_update().get(pk=found[0])
    if transfer.status != TransferStatus.SENT:
        if transfer.status == TransferStatus.CANCELLED:
            logger.error(
                "Transfer %s was cancelled here but exists at Stripe as %s",
                transfer.pk,
                stripe_transfer["id"],
            )
            return transfer
        _record_sent(transfer, stripe_transfer)
    reversals_sync_for_transfer(transfer=transfer, stripe_transfer=stripe_transfer)
    return transfer


def transfer_refresh(*, transfer_id) -> Transfer | None:
    """Re-reads a sent transfer from the API and applies it (status followed from the API)."""
    transfer = Transfer.objects.filter(pk=transfer_id).first()
    if transfer is None or not transfer.stripe_transfer_id:
        return transfer
    return transfer_sync_from_stripe(
        stripe_transfer=stripe_client.transfer_retrieve(transfer_id=transfer.stripe_transfer_id)
    )


@transaction.atomic
def transfer_retry_now(*, transfer_id) -> Transfer:
    """Finance asks for another attempt of a pending or failed transfer (the attempt counter restarts)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer_id)
    if attempts_restart(transfer):
        _send_after_commit(transfer.pk)
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def transfers_cancel_for_order(*, order_id: int, reason: str) -> int:
    """Cancels the order's transfers that never reached Stripe (a cancelled order), unbooking their release."""
    order_money_lock(order_id=order_id)
    cancelled = 0
    for transfer in Transfer.objects.select_for_update().filter(
        order_id=order_id, status__in=TRANSFER_OPEN, stripe_transfer_id=""
    ):
        if transfer.maybe_sent:
            # An attempt may have created it at Stripe (a timeout): only a re-send with its key can tell.
            continue
        if not transition_if(
            Transfer,
            transfer.pk,
            TRANSFER_OPEN,
            TransferStatus.CANCELLED,
            last_error=reason[:500],
            next_attempt_at=None,
            updated_at=timezone.now(),
        ):
            continue
        book_transfer_void(transfer=transfer)
        cancelled += 1
    return cancelled


def sends_due(model: type[Transfer] | type[Reversal], *, now=None, limit: int = 200) -> list:
    """Ids of the pending transfers or reversals whose next attempt is due, the longest waiting first."""
    now = now or timezone.now()
    return list(
        model.objects.filter(status=_statuses(model).PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
