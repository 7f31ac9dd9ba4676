"""Customer payments into the ledger: each succeeded charge of an order is booked once, with Stripe's fee
from its balance transaction, and the order's policy version is pinned.

Called from the `order.paid` hook (the checkout's confirm response), the `charge.succeeded` webhook and the
sweeper — whichever comes first books it; the others find the entry and change nothing.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.money import round_minor
from apps.orders.models import Order, OrderPayment
from apps.payouts import stripe_client
from apps.payouts.ledger.posting import from_unix
from apps.payouts.ledger.recipes import book_charge
from apps.payouts.models import JournalEntry, OrderMoney
from apps.payouts.profit_share.policies import order_policy_pin

logger = logging.getLogger(__name__)


def order_money_lock(*, order_id: int) -> OrderMoney:
    """The order's money row, created on first use, locked for the caller's transaction.

    Every change of one order's money takes this lock first, so releases, refunds and settlement of one
    order never interleave. Call inside a transaction.
    """
    money = OrderMoney.objects.select_for_update().filter(order_id=order_id).first()
    if money is not None:
        return money
    currency = Order.objects.filter(pk=order_id).values_list("currency", flat=True).get()
    OrderMoney.objects.get_or_create(order_id=order_id, defaults={"currency": currency.upper()})
    return OrderMoney.objects.select_for_update().get(order_id=order_id)


def order_id_for_charge_id(charge_id: str) -> int | None:
    if not charge_id:
        return None
    found = OrderMoney.objects.filter(charge_id=charge_id).values_list("order_id", flat=True).first()
    found = found or Order.objects.filter(charge_id=charge_id).values_list("pk", flat=True).first()
    return (
        found or OrderPayment.objects.filter(charge_id=charge_id).values_list("order_id", flat=True).first()
    )


def order_id_for_charge(charge: dict) -> int | None:
    """The order a charge paid for: through its PaymentIntent (ours), else the order that stored its id."""
    intent = charge.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    if intent:
        order_id = (
            OrderPayment.objects.filter(payment_intent_id=intent).values_list("order_id", flat=True).first()
        )
        if order_id:
            return order_id
    return Order.objects.filter(charge_id=charge.get("id") or "-").values_list("pk", flat=True).first()


def _is_main_charge(order: Order, charge: dict) -> bool:
    """The charge that pays the order (not a stray payment refunded in full): the one the order stored, or
    until it stores one, the charge of its current quote's PaymentIntent."""
    if order.charge_id:
        return order.charge_id == charge["id"]
    intent = charge.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return OrderPayment.objects.filter(
        order_id=order.pk, payment_intent_id=intent or "-", quote_revision=order.quote_revision
    ).exists()


def charge_book(*, charge: dict) -> JournalEntry | None:
    """Books a succeeded charge (a Stripe charge dict with its balance transaction expanded) to its order.

    Returns the entry, or None for a charge that is not ours or did not succeed.
    """
    if charge.get("status") != "succeeded" or charge.get("captured") is False:
        return None
    order_id = order_id_for_charge(charge)
    if order_id is None:
        logger.info("Charge %s belongs to no order of this network; ignored", charge.get("id"))
        return None
    txn = charge.get("balance_transaction")
    if not isinstance(txn, dict):
        raise ValueError(f"Charge {charge['id']} needs its balance transaction expanded to book its fee.")
    currency = str(charge["currency"]).upper()
    # Stripe's fee is in the balance transaction's currency: the settlement currency, which differs from the
    # charge's when Stripe converted it (a EUR charge on a USD account). The ledger books it there; the order's
    # money row keeps the fee in the order's currency, converted back at the charge's own rate, for the split.
    settled_currency = str(txn.get("currency") or charge["currency"]).upper()
    settled_minor = int(txn.get("amount") or charge["amount"])
    fee_settled = int(txn.get("fee") or 0)
    fee_in_order_currency = (
        fee_settled
        if settled_currency == currency
        else round_minor(Decimal(fee_settled) * int(charge["amount"]) / settled_minor)
    )
    with transaction.atomic():
        money = order_money_lock(order_id=order_id)
        order = Order.objects.get(pk=order_id)
        order_policy_pin(order_id=order_id)
        entry, _ = book_charge(
            order_id=order_id,
            currency=currency,
            charge_id=charge["id"],
            balance_transaction_id=txn["id"],
            amount_minor=int(charge["amount"]),
            fee_minor=fee_settled,
            settled_currency=settled_currency,
            settled_minor=settled_minor,
            effective_at=from_unix(charge.get("created")),
        )
        if not money.charge_id and _is_main_charge(order, charge):
            OrderMoney.objects.filter(pk=money.pk).update(
                charge_id=charge["id"],
                payment_intent_id=(charge.get("payment_intent") or "")
                if isinstance(charge.get("payment_intent"), str)
                else "",
                paid_minor=int(charge["amount"]),
                fee_minor=fee_in_order_currency,
                currency=currency,
                settled_currency="" if settled_currency == currency else settled_currency,
                settled_minor=None if settled_currency == currency else settled_minor,
                charged_at=from_unix(charge.get("created")),
                updated_at=timezone.now(),
            )
    return entry


def charge_record(*, charge_id: str) -> JournalEntry | None:
    """Reads the charge from Stripe (never trusting an event body for amounts) and books it."""
    if not charge_id:
        return None
    existing = JournalEntry.objects.filter(stripe_object_id=charge_id).first()
    if existing is not None and OrderMoney.objects.filter(charge_id=charge_id).exists():
        return existing
    return charge_book(charge=stripe_client.charge_retrieve(charge_id=charge_id))


def order_charge_record(*, order_id: int) -> JournalEntry | None:
    """Books the charge of a paid order whose charge is not in the ledger yet (the sweeper's way in)."""
    order = Order.objects.filter(pk=order_id).only("charge_id", "payment_intent_id").first()
    if order is None:
        return None
    charge_id = order.charge_id
    if not charge_id and order.payment_intent_id:
        intent = stripe_client.payment_intent_retrieve(payment_intent_id=order.payment_intent_id)
        latest = intent.get("latest_charge")
        charge_id = latest.get("id") if isinstance(latest, dict) else (latest or "")
    return charge_record(charge_id=charge_id)
