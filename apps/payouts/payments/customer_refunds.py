"""Customer refunds: booked from Stripe's refund, charged to their order, and split between the platform and
the participants by the order's policy (pro rata to their shares by default).

Not to be confused with apps/orders' refunds (the customer's or staff's request, and the call to Stripe that
makes the refund): this module books what Stripe reports.

The orders app makes the refund at Stripe (its OrderRefund row's key) and publishes `order.refunded`; the
`charge.refunded` / `refund.*` webhooks and the sweeper bring the same refund. Whichever comes first books it;
the refund's Stripe id keeps it to one row and one entry. The webhooks read a charge's refunds from Stripe's
refund list (charges no longer include them): a refund the platform did not make (in Stripe's Dashboard, or
Stripe preventing a dispute) is recorded on its order by the orders app first and then booked here like ours.

A participant's share of a refund comes back as a transfer reversal (apps/payouts/transfers/reversals.py) when
its transfer was already sent, and is taken off its transfer when that is released later.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.orders.models import OrderRefund
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_made_outside
from apps.outbox.services import outbox_enqueue
from apps.payouts import stripe_client
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_refund, book_refund_allocation
from apps.payouts.models import CustomerRefund, OrderMoney
from apps.payouts.payments.charges import order_id_for_charge_id, order_money_lock
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.profit_share.policies import policy_for_order
from apps.payouts.profit_share.statements import (
    is_royalty_key,
    part_key_of,
    statement_refresh_for_order,
)
from apps.payouts.transfers.reversals import reversal_claim_from_part

logger = logging.getLogger(__name__)


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


def refunds_record_for_charge(*, charge_id: str) -> list[CustomerRefund]:
    """Books every refund of a charge, read from Stripe's refund list (never `charge.refunds`, which current API
    versions leave out). Each is booked once, ours and those made outside the platform alike."""
    return [
        _refund_record_from_stripe(refund=refund)
        for refund in reversed(stripe_client.refunds_list(charge_id=charge_id))  # oldest first
        if refund.get("status") in ("succeeded", "pending")
    ]


def _our_order_refund_id(*, refund: dict, order_id: int) -> int | None:
    """The OrderRefund that made this refund: by its Stripe id, or, before Stripe's answer was stored, by the
    row our refund call names in its metadata (apps/orders/refunding.py)."""
    found = OrderRefund.objects.filter(stripe_refund_id=refund["id"]).values_list("pk", flat=True).first()
    named = str((refund.get("metadata") or {}).get("refund_id") or "")
    if found is None and named.isdigit():
        found = (
            OrderRefund.objects.filter(
                pk=int(named), order_id=order_id, charge_id=_id(refund.get("charge")), stripe_refund_id=""
            )
            .values_list("pk", flat=True)
            .first()
        )
    return found


def _refund_record_from_stripe(*, refund: dict) -> CustomerRefund:
    charge_id = _id(refund.get("charge"))
    order_id = order_id_for_charge_id(charge_id)
    if not order_id:
        return _booked(refund=refund, charge_id=charge_id, order_id=None, order_refund_id=None)
    with transaction.atomic():
        order_money_lock(
            order_id=order_id
        )  # the order's money lock before the order's: the order of all writers
        order_refund_id = _our_order_refund_id(refund=refund, order_id=order_id)
        if order_refund_id is None:
            order_refund_id = order_refund_made_outside(
                order_id=order_id,
                stripe_refund_id=refund["id"],
                charge_id=charge_id,
                amount_minor=int(refund["amount"]),
                currency=str(refund["currency"]),
                reason=refund.get("reason") or "no reason given",
                scope=Scope.SYSTEM,
            ).pk
        return _booked(refund=refund, charge_id=charge_id, order_id=order_id, order_refund_id=order_refund_id)


def _booked(*, refund: dict, charge_id: str, order_id: int | None, order_refund_id: int | None):
    txn = refund.get("balance_transaction")
    return refund_record(
        stripe_refund_id=refund["id"],
        charge_id=charge_id,
        amount_minor=int(refund["amount"]),
        currency=str(refund["currency"]),
        order_id=order_id,
        order_refund_id=order_refund_id,
        balance_transaction_id=_id(txn),
        fee_minor=int(txn.get("fee") or 0) if isinstance(txn, dict) else 0,
        created=refund.get("created"),
    )


def _id(value) -> str:
    """An expandable field's id, whether Stripe sent the id or the object."""
    return (value.get("id") if isinstance(value, dict) else value) or ""


def _holders(*, refund: CustomerRefund, money: OrderMoney) -> list[profit_share.Holder]:
    """What the platform and every part still hold of the order's payment, after earlier refunds."""
    split_row = statement_refresh_for_order(order_id=money.order_id)
    taken: dict[str, int] = {}
    fees_paid_back = 0  # the participants' shares of Stripe's fee on earlier refunds: the platform holds them
    for allocation, fee_allocation in (
        CustomerRefund.objects.filter(order_id=money.order_id, allocated_at__isnull=False)
        .exclude(pk=refund.pk)
        .values_list("allocation", "fee_allocation")
    ):
        for key, amount in (allocation or {}).items():
            taken[key] = taken.get(key, 0) + int(amount)
        for key, amount in (fee_allocation or {}).items():
            if key != profit_share.PLATFORM:
                taken[key] = taken.get(key, 0) + int(amount)
                fees_paid_back += int(amount)
    holders = []
    parts_total = 0
    for statement in split_row.statements.prefetch_related("parts"):
        for part in statement.parts.all():
            key = part_key_of(part)
            parts_total += part.amount_minor
            holders.append(profit_share.Holder(key, max(part.amount_minor - taken.get(key, 0), 0)))
    platform = split_row.paid_minor - parts_total - taken.get(profit_share.PLATFORM, 0) + fees_paid_back
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
    fee_allocation: dict[str, int] = {}
    if refund.charge_id == money.charge_id:
        holders = _holders(refund=refund, money=money)
        policy = policy_for_order(order_id=money.order_id)
        try:
            allocation = profit_share.refund_split(
                refund_minor=refund.amount_minor, holders=holders, mode=policy.refund_mode
            )
            fee_allocation = _refund_fee_allocation(
                refund=refund, money=money, policy=policy, allocation=allocation, holders=holders
            )
        except profit_share.SplitError:
            logger.warning("Refund %s exceeds what the order still holds; the platform bears it", refund.pk)
    allocation = {key: amount for key, amount in allocation.items() if amount}
    fee_allocation = {key: amount for key, amount in fee_allocation.items() if amount}
    for key, amount in allocation.items():
        if key != profit_share.PLATFORM:
            reversal_claim_from_part(
                refund=refund, key=key, amount_minor=amount, fee_minor=fee_allocation.get(key, 0)
            )
    CustomerRefund.objects.filter(pk=refund.pk).update(
        allocation=allocation, fee_allocation=fee_allocation, allocated_at=timezone.now()
    )


def _refund_fee_allocation(*, refund, money, policy, allocation, holders) -> dict[str, int]:
    """Who bears Stripe's fee on this refund (the order's policy); the platform alone unless it says otherwise.
    The fee follows the cumulative refunds of the charge, so partial refunds add up to the whole fee."""
    if policy.refund_fee_bearer == profit_share.REFUND_FEE_PLATFORM:
        return {}
    before = (
        CustomerRefund.objects.filter(
            order_id=money.order_id, charge_id=money.charge_id, allocated_at__isnull=False
        )
        .exclude(pk=refund.pk)
        .aggregate(t=Sum("amount_minor"))["t"]
        or 0
    )
    fee = profit_share.refund_fee_of(
        fee_minor=money.fee_minor,
        paid_minor=money.paid_minor,
        refunded_before_minor=before,
        refund_minor=refund.amount_minor,
    )
    capacity = {holder.key: holder.held_minor - allocation.get(holder.key, 0) for holder in holders}
    return profit_share.refund_fee_split(
        fee_minor=fee,
        allocation=allocation,
        capacity=capacity,
        bearer=policy.refund_fee_bearer,
        royalties=[holder.key for holder in holders if is_royalty_key(holder.key)],
    )


def _after_commit_settle(order_id: int) -> None:
    outbox_enqueue(task_name="payouts.order_settle", kwargs={"order_id": order_id})
