"""Refunds: booked from Stripe's refund, charged to their order, and split between the platform and the
participants by the order's policy (pro rata to their shares by default).

The orders app makes the refund at Stripe (its OrderRefund row's key) and publishes `order.refunded`; the
`charge.refunded` webhook and the sweeper bring the same refund (or one made outside the platform). Whichever
comes first books it; the refund's Stripe id keeps it to one row and one entry.

A participant's share of a refund comes back as a transfer reversal when its transfer was already sent, and
is taken off its transfer when that is released later. Reversals are sent like transfers: row first, key
`reversal:<id>`, row lock across the call, backoff on failure.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.orders.models import Order, OrderPayment
from apps.payouts import profit_share, stripe_client
from apps.payouts.charges import order_money_lock
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import (
    book_refund,
    book_refund_allocation,
    book_reversal_claim,
    book_reversal_sent,
)
from apps.payouts.models import CustomerRefund, OrderMoney, Reversal, ReversalStatus, Transfer, TransferStatus
from apps.payouts.policies import policy_for_order
from apps.payouts.statements import statement_refresh_for_order
from apps.payouts.transfers import MAX_ATTEMPTS, SendResult, backoff_seconds, is_definitive, parse_uuid

logger = logging.getLogger(__name__)


def order_id_for_charge_id(charge_id: str) -> int | None:
    if not charge_id:
        return None
    found = OrderMoney.objects.filter(charge_id=charge_id).values_list("order_id", flat=True).first()
    found = found or Order.objects.filter(charge_id=charge_id).values_list("pk", flat=True).first()
    return (
        found or OrderPayment.objects.filter(charge_id=charge_id).values_list("order_id", flat=True).first()
    )


def refund_record(
    *,
    stripe_refund_id: str,
    charge_id: str,
    amount_minor: int,
    currency: str,
    order_id: int | None = None,
    order_refund_id: int | None = None,
    balance_transaction_id: str = "",
    fee_minor: int = 0,
    created: int | None = None,
) -> CustomerRefund:
    """Books one succeeded refund and charges it to its order (allocation and reversals). Idempotent."""
    order_id = order_id or order_id_for_charge_id(charge_id)
    with transaction.atomic():
        money = order_money_lock(order_id=order_id) if order_id else None
        refund, _ = CustomerRefund.objects.get_or_create(
            stripe_refund_id=stripe_refund_id,
            defaults={
                "order_id": order_id,
                "order_refund_id": order_refund_id,
                "charge_id": charge_id,
                "amount_minor": amount_minor,
                "currency": currency.upper(),
                "balance_transaction_id": balance_transaction_id,
            },
        )
        if order_refund_id and not refund.order_refund_id:
            CustomerRefund.objects.filter(pk=refund.pk).update(order_refund_id=order_refund_id)
        book_refund(
            order_id=refund.order_id,
            currency=refund.currency,
            refund_id=stripe_refund_id,
            balance_transaction_id=balance_transaction_id,
            amount_minor=refund.amount_minor,
            fee_minor=fee_minor,
            effective_at=from_unix(created),
        )
        if money is not None and refund.allocated_at is None and money.charge_id:
            # Until the order's own charge is booked, a refund cannot tell its share from a stray payment's:
            # it waits (refunds_allocate_pending, run by the sweeper) and the order does not settle meanwhile.
            _allocate(refund=refund, money=money)
            OrderMoney.objects.filter(pk=money.pk).update(
                refunded_minor=CustomerRefund.objects.filter(
                    order_id=money.order_id, charge_id=money.charge_id
                ).aggregate(t=Sum("amount_minor"))["t"]
                or 0,
                settled_at=None,
                updated_at=timezone.now(),
            )
            _after_commit_settle(money.order_id)
    refund.refresh_from_db()
    return refund


def refunds_allocate_pending(*, limit: int = 100) -> int:
    """Allocates refunds that arrived before their order's charge was booked. Returns how many."""
    done = 0
    pending = CustomerRefund.objects.filter(allocated_at__isnull=True, order__isnull=False).values_list(
        "pk", "order_id"
    )
    for refund_id, order_id in pending[:limit]:
        with transaction.atomic():
            money = order_money_lock(order_id=order_id)
            refund = CustomerRefund.objects.select_for_update().get(pk=refund_id)
            if refund.allocated_at is not None or not money.charge_id:
                continue
            _allocate(refund=refund, money=money)
            OrderMoney.objects.filter(pk=money.pk).update(settled_at=None, updated_at=timezone.now())
            done += 1
    return done


def refunds_record_from_charge(*, charge: dict) -> list[CustomerRefund]:
    """Every refund listed on a charge (the `charge.refunded` webhook, or a charge read from the API)."""
    refunds = charge.get("refunds")
    data = refunds.get("data", []) if isinstance(refunds, dict) else []
    recorded = []
    for refund in data:
        if refund.get("status") not in ("succeeded", "pending"):
            continue
        txn = refund.get("balance_transaction")
        recorded.append(
            refund_record(
                stripe_refund_id=refund["id"],
                charge_id=charge["id"],
                amount_minor=int(refund["amount"]),
                currency=str(refund["currency"]),
                balance_transaction_id=(txn.get("id") if isinstance(txn, dict) else txn) or "",
                fee_minor=int(txn.get("fee") or 0) if isinstance(txn, dict) else 0,
                created=refund.get("created"),
            )
        )
    return recorded


def _holders(*, refund: CustomerRefund, money: OrderMoney) -> list[profit_share.Holder]:
    """What the platform and every part still hold of the order's payment, after earlier refunds."""
    split_row = statement_refresh_for_order(order_id=money.order_id)
    taken: dict[str, int] = {}
    for allocation in (
        CustomerRefund.objects.filter(order_id=money.order_id, allocated_at__isnull=False)
        .exclude(pk=refund.pk)
        .values_list("allocation", flat=True)
    ):
        for key, amount in (allocation or {}).items():
            taken[key] = taken.get(key, 0) + int(amount)
    holders = []
    parts_total = 0
    for statement in split_row.statements.prefetch_related("parts"):
        for part in statement.parts.all():
            key = f"work_item:{part.work_item_id}" if part.work_item_id else f"leg:{part.transport_leg_id}"
            parts_total += part.amount_minor
            holders.append(profit_share.Holder(key, max(part.amount_minor - taken.get(key, 0), 0)))
    platform = split_row.paid_minor - parts_total - taken.get(profit_share.PLATFORM, 0)
    return [profit_share.Holder(profit_share.PLATFORM, max(platform, 0)), *holders]


def _allocate(*, refund: CustomerRefund, money: OrderMoney) -> None:
    """Charges the refund to its order and decides who gives it back. Call holding the order's money lock."""
    book_refund_allocation(
        order_id=money.order_id,
        currency=refund.currency,
        refund_id=refund.stripe_refund_id,
        amount_minor=refund.amount_minor,
    )
    allocation = {profit_share.PLATFORM: refund.amount_minor}
    if refund.charge_id == money.charge_id:
        holders = _holders(refund=refund, money=money)
        mode = policy_for_order(order_id=money.order_id).refund_mode
        try:
            allocation = profit_share.refund_split(
                refund_minor=refund.amount_minor, holders=holders, mode=mode
            )
        except profit_share.SplitError:
            logger.warning("Refund %s exceeds what the order still holds; the platform bears it", refund.pk)
    allocation = {key: amount for key, amount in allocation.items() if amount}
    for key, amount in allocation.items():
        if key != profit_share.PLATFORM:
            _claim_from_part(refund=refund, key=key, amount_minor=amount)
    CustomerRefund.objects.filter(pk=refund.pk).update(allocation=allocation, allocated_at=timezone.now())


def _claim_from_part(*, refund: CustomerRefund, key: str, amount_minor: int) -> None:
    kind, _, pk = key.partition(":")
    lookup = {"work_item_id": int(pk)} if kind == "work_item" else {"transport_leg_id": int(pk)}
    transfer = Transfer.objects.select_for_update(of=("self",)).filter(**lookup).first()
    if transfer is None or transfer.status == TransferStatus.CANCELLED:
        return  # not released yet: the release takes the share off (transfers.refund_share_of_part)
    claimed = (
        Reversal.objects.filter(transfer=transfer)
        .exclude(status=ReversalStatus.CANCELLED)
        .aggregate(t=Sum("amount_minor"))["t"]
        or 0
    )
    amount = min(amount_minor, transfer.amount_minor - claimed)
    if amount <= 0:
        return
    reversal = Reversal(
        transfer=transfer,
        refund=refund,
        amount_minor=amount,
        currency=transfer.currency,
        reason=f"Share of refund {refund.stripe_refund_id}",
        next_attempt_at=timezone.now(),
    )
    reversal.idempotency_key = Reversal.key_for(reversal.id, 0)
    reversal.save()
    book_reversal_claim(reversal=reversal, transfer=transfer)
    _send_after_commit(reversal.pk)


def _send_after_commit(reversal_id) -> None:
    from apps.payouts.tasks_money import reversal_send_task

    transaction.on_commit(lambda: reversal_send_task.delay(str(reversal_id)))


def _after_commit_settle(order_id: int) -> None:
    from apps.payouts.tasks_money import order_settle_task

    transaction.on_commit(lambda: order_settle_task.delay(order_id))


def _fail(
    reversal: Reversal, *, message: str, code: str, definitive: bool, reached_stripe: bool = True
) -> SendResult:
    attempts = reversal.attempts + 1
    exhausted = attempts >= MAX_ATTEMPTS
    delay = backoff_seconds(attempts)
    generation = reversal.key_generation + (1 if definitive else 0)
    Reversal.objects.filter(pk=reversal.pk).update(
        attempts=attempts,
        last_error=message[:500],
        last_error_code=code[:100],
        status=ReversalStatus.FAILED if exhausted else ReversalStatus.PENDING,
        next_attempt_at=None if exhausted else timezone.now() + timedelta(seconds=delay),
        key_generation=generation,
        idempotency_key=Reversal.key_for(reversal.pk, generation),
        maybe_sent=reversal.maybe_sent if not reached_stripe else not definitive,
        updated_at=timezone.now(),
    )
    logger.warning("Reversal %s attempt %s failed (%s): %s", reversal.pk, attempts, code, message)
    return (
        SendResult(ReversalStatus.FAILED) if exhausted else SendResult(ReversalStatus.PENDING, retry_in=delay)
    )


def reversal_send(*, reversal_id) -> SendResult:
    """Sends one pending reversal (its transfer must have been sent). Same guarantees as transfer_send."""
    with transaction.atomic():
        # Locks in the house order (transfer, then reversal) so a webhook syncing the transfer cannot deadlock.
        transfer_id = Reversal.objects.filter(pk=reversal_id).values_list("transfer_id", flat=True).first()
        transfer = Transfer.objects.select_for_update(skip_locked=True).filter(pk=transfer_id).first()
        reversal = Reversal.objects.select_for_update(skip_locked=True).filter(pk=reversal_id).first()
        if transfer is None or reversal is None:
            return SendResult("busy")
        if reversal.status != ReversalStatus.PENDING:
            return SendResult(reversal.status)
        if transfer.status != TransferStatus.SENT:
            return _fail(
                reversal,
                message="Waiting for its transfer to be sent.",
                code="transfer_not_sent",
                definitive=False,
                reached_stripe=False,
            )
        try:
            result = stripe_client.transfer_reversal_create(
                transfer_id=transfer.stripe_transfer_id,
                amount_minor=reversal.amount_minor,
                metadata={
                    "reversal_id": str(reversal.pk),
                    "order_id": str(transfer.order_id),
                    "network": connection.schema_name,
                },
                idempotency_key=reversal.idempotency_key,
            )
        except stripe_client.StripeCallError as error:
            return _fail(
                reversal,
                message=str(error),
                code=error.code or str(error.http_status or "network"),
                definitive=is_definitive(error),
            )
        _record_sent(reversal, transfer, result)
        return SendResult(ReversalStatus.SENT)


def _record_sent(reversal: Reversal, transfer: Transfer, result: dict) -> None:
    txn = result.get("balance_transaction")
    txn_id = (txn.get("id") if isinstance(txn, dict) else txn) or ""
    Reversal.objects.filter(
        pk=reversal.pk, status__in=[ReversalStatus.PENDING, ReversalStatus.FAILED]
    ).update(
        status=ReversalStatus.SENT,
        stripe_reversal_id=result["id"],
        balance_transaction_id=txn_id,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        last_error_code="",
        maybe_sent=False,
        updated_at=timezone.now(),
    )
    book_reversal_sent(
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
            reversal = Reversal(
                transfer=transfer,
                amount_minor=int(item["amount"]),
                currency=transfer.currency,
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
    reversal = Reversal.objects.select_for_update().get(pk=reversal_id)
    if reversal.status in (ReversalStatus.PENDING, ReversalStatus.FAILED):
        Reversal.objects.filter(pk=reversal.pk).update(
            status=ReversalStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
        _send_after_commit(reversal.pk)
    reversal.refresh_from_db()
    return reversal


def reversals_due(*, now=None, limit: int = 200) -> list:
    now = now or timezone.now()
    return list(
        Reversal.objects.filter(status=ReversalStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
