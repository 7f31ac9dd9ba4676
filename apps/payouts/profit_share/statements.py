"""Profit-share statements: the pure split (apps/payouts/profit_share/rule.py) fed with an order's plan and payment.

The parts are the order's active work items and transport legs with their planned cost, and one royalty part
per order line of a designer's product with the royalty pinned on the line when it was sold (never read from
the template again); parts whose transfer was already released keep the amount they were released with. A statement is stored per revision: when the
plan or the payment changes (a re-plan, the charge's fee becoming known), the next refresh stores a new
revision and the old one stays for the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from apps.orders.models import Order, OrderLine, TransportLeg, WorkItem
from apps.orders.status import LEG_ACTIVE, WORK_ITEM_ACTIVE
from apps.payouts.models import (
    OrderMoney,
    ProfitSharePart,
    ProfitShareSplit,
    ProfitShareStatement,
    Transfer,
)
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.profit_share.policies import policy_for_order


def work_item_key(work_item_id: int) -> str:
    return f"work_item:{work_item_id}"


def leg_key(leg_id: int) -> str:
    return f"leg:{leg_id}"


def line_key(order_line_id: int) -> str:
    return f"line:{order_line_id}"


# A part key's kind → the field naming its source on statements' parts, transfers and refunds' allocations.
SOURCE_FIELDS = {"work_item": "work_item_id", "leg": "transport_leg_id", "line": "order_line_id"}
# A participant's kind → the field naming it on statements, transfers and ledger accounts.
PARTICIPANT_FIELDS = {"asset_owner": "asset_owner_id", "carrier": "carrier_id", "designer": "designer_id"}


def is_royalty_key(key: str) -> bool:
    return key.startswith("line:")


def part_ids(key: str) -> dict:
    """`work_item:12` → {"work_item_id": 12}, likewise for legs and royalty lines."""
    kind, _, pk = key.partition(":")
    return {SOURCE_FIELDS[kind]: int(pk)}


def part_key_of(row) -> str:
    """The part key of a row that names its source (a statement's part, a transfer): the inverse of part_ids."""
    return next(
        f"{kind}:{getattr(row, field)}" for kind, field in SOURCE_FIELDS.items() if getattr(row, field)
    )


def participant_ids(participant: str) -> dict:
    """`designer:5` → {"designer_id": 5}, likewise for asset owners and carriers."""
    kind, _, pk = participant.partition(":")
    return {PARTICIPANT_FIELDS[kind]: int(pk)}


@dataclass(frozen=True)
class OrderSplit:
    """A split with what it was computed from."""

    data: profit_share.SplitInput
    result: profit_share.Split
    fee_known: bool
    policy_id: int
    fingerprint: str


def _fingerprint(result: profit_share.Split, policy_version: int, fee_known: bool) -> str:
    """Names the outcome (not the inputs): releasing a part at the amount it already had is no new revision."""
    payload = {
        "paid": result.paid_minor,
        "fee": result.stripe_fee_minor,
        "fee_known": fee_known,
        "currency": result.currency,
        "policy": policy_version,
        "commission": result.platform_commission_minor,
        "parts": [
            [p.key, p.participant, p.cost_minor, p.amount_minor, p.adjustment_minor] for p in result.parts
        ],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def order_parts(*, order_id: int) -> list[profit_share.Part]:
    released = {
        part_key_of(t): t.part_amount_minor
        for t in Transfer.objects.filter(order_id=order_id).only(
            "work_item_id", "transport_leg_id", "order_line_id", "part_amount_minor"
        )
    }
    parts: list[profit_share.Part] = []
    items = (
        WorkItem.objects.filter(order_id=order_id, status__in=WORK_ITEM_ACTIVE, asset_owner__isnull=False)
        .select_related("asset_owner")
        .order_by("id")
    )
    for item in items:
        parts.append(
            profit_share.Part(
                key=work_item_key(item.pk),
                participant=f"asset_owner:{item.asset_owner_id}",
                participant_name=item.asset_owner.name,
                cost_minor=item.cost_minor,
                label=f"{item.name} (job #{item.pk})",
                fixed_amount_minor=released.get(work_item_key(item.pk)),
            )
        )
    legs = (
        TransportLeg.objects.filter(order_id=order_id, status__in=LEG_ACTIVE, carrier__isnull=False)
        .select_related("carrier")
        .order_by("id")
    )
    for leg in legs:
        parts.append(
            profit_share.Part(
                key=leg_key(leg.pk),
                participant=f"carrier:{leg.carrier_id}",
                participant_name=leg.carrier.name,
                cost_minor=leg.cost_minor,
                label=f"{'Last-mile delivery' if leg.is_last_mile else 'Transport'} (leg #{leg.pk})",
                fixed_amount_minor=released.get(leg_key(leg.pk)),
            )
        )
    royalty_lines = (
        OrderLine.objects.filter(order_id=order_id, designer__isnull=False, royalty_minor__gt=0)
        .select_related("designer")
        .order_by("position")
    )
    for line in royalty_lines:
        parts.append(
            profit_share.Part(
                key=line_key(line.pk),
                participant=f"designer:{line.designer_id}",
                participant_name=line.designer.name,
                cost_minor=line.royalty_minor,
                label=f"Royalty on {line.quantity} × {line.description} (line {line.position})",
                fixed_amount_minor=released.get(line_key(line.pk)),
                royalty=True,
            )
        )
    return parts


def order_split_compute(*, order: Order) -> OrderSplit:
    """The order's split as of now (reads only). Before the charge is recorded the order total stands in for
    the payment and the fee counts as zero (`fee_known` False)."""
    money = OrderMoney.objects.filter(order_id=order.pk).first()
    fee_known = bool(money and money.charge_id)
    policy = policy_for_order(order_id=order.pk)
    data = profit_share.SplitInput(
        paid_minor=money.paid_minor if fee_known else order.total_minor,
        stripe_fee_minor=money.fee_minor if fee_known else 0,
        currency=order.currency,
        parts=tuple(order_parts(order_id=order.pk)),
        policy=policy.as_policy(),
    )
    result = profit_share.split(data)
    return OrderSplit(
        data=data,
        result=result,
        fee_known=fee_known,
        policy_id=policy.pk,
        fingerprint=_fingerprint(result, policy.version, fee_known),
    )


@transaction.atomic
def statement_refresh_for_order(*, order_id: int) -> ProfitShareSplit:
    """Stores the order's current split and statements unless the stored revision was computed from the same
    inputs. Returns the current revision."""
    order = Order.objects.get(pk=order_id)
    computed = order_split_compute(order=order)
    current = ProfitShareSplit.objects.select_for_update().filter(order_id=order_id, is_current=True).first()
    if current is not None and current.fingerprint == computed.fingerprint:
        return current
    revision = 1
    if current is not None:
        revision = current.revision + 1
        ProfitShareSplit.objects.filter(pk=current.pk).update(is_current=False)
    result = computed.result
    split_row = ProfitShareSplit.objects.create(
        order_id=order_id,
        revision=revision,
        policy_id=computed.policy_id,
        fingerprint=computed.fingerprint,
        currency=result.currency,
        paid_minor=result.paid_minor,
        stripe_fee_minor=result.stripe_fee_minor,
        fee_known=computed.fee_known,
        total_cost_minor=result.total_cost_minor,
        surplus_minor=result.surplus_minor,
        platform_take_minor=result.platform_take_minor,
        platform_fee_borne_minor=result.platform_fee_borne_minor,
        platform_commission_minor=result.platform_commission_minor,
        lines=list(result.lines),
    )
    for share in result.participants:
        statement = ProfitShareStatement.objects.create(
            split=split_row,
            order_id=order_id,
            currency=result.currency,
            lines=list(share.lines),
            **ProfitShareStatement.amounts_of(share),
            **participant_ids(share.participant),
        )
        ProfitSharePart.objects.bulk_create(
            ProfitSharePart(
                statement=statement,
                label=part.label,
                **ProfitSharePart.amounts_of(part),
                **part_ids(part.key),
            )
            for part in share.parts
        )
    return split_row


def part_amount(*, split_row: ProfitShareSplit, key: str) -> int | None:
    """The amount of one part in a stored split (None when the part is not in it)."""
    ids = part_ids(key)
    part = ProfitSharePart.objects.filter(statement__split=split_row, **ids).first()
    return part.amount_minor if part is not None else None
