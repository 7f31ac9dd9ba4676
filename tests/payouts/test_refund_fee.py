"""Stripe's fee on refunds (issue 12, point 10): Stripe keeps its whole fee when it refunds. The profit-share
policy's `refund_fee_bearer` decides who bears the fee on the refunded part; it is shown in the statement and
booked through the participants' reversals. The issue's example: a €142.86 order (one asset owner, cost
€123.26, the platform keeps 20 % of the surplus) pays Stripe €2.39; a 50 % refund with the platform bearing the
fee leaves the platform's share of the order at −€0.43."""

import pytest

from apps.orders.models import WorkItem
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.ledger.balances import order_totals
from apps.payouts.models import CustomerRefund, Reversal, ReversalStatus, TransferStatus
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.profit_share.policies import profit_share_policy_publish
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.settlement import order_settle
from apps.payouts.transfers.sweep import order_refund_record
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay
from tests.payouts.money_checks import reconciles_clean, settled_order_identity, unbalanced_entries

TOTAL, COST, FEE, SHARE = (
    14_286,
    12_326,
    239,
    13_894,
)  # fee 1.5 % + 25 = 214 + 25; share = cost + 80 % of 1 960


def _delivered_order(refund_fee_bearer: str):
    profit_share_policy_publish(
        method=profit_share.PROPORTIONAL,
        platform_surplus_bp=2_000,
        min_platform_fee_minor=0,
        fee_bearer=profit_share.FEE_PLATFORM,
        refund_fee_bearer=refund_fee_bearer,
    )
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=TOTAL, items=[(owner, COST)])
    charge = pay(order)
    assert charge["balance_transaction"]["fee"] == FEE
    charge_record(charge_id=charge["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    item = finish_work_item(WorkItem.objects.get(order=order))
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    assert transfer.amount_minor == SHARE
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    return order


def _refund(order, amount_minor: int) -> CustomerRefund:
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=amount_minor, reason="Scratched", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    recorded = order_refund_record(order_refund_id=refund.pk)
    for reversal in Reversal.objects.filter(refund=recorded):
        assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.SENT
    return recorded


def _platform_result(order) -> int:
    """The platform's share of the order once settled: its commission (revenue − Stripe's fees)."""
    assert order_settle(order_id=order.pk)
    assert unbalanced_entries() == []
    settled_order_identity(order.pk)  # the ledger agrees with Stripe's objects to the cent
    return order_totals(order_id=order.pk)["commission"]


@pytest.mark.parametrize(
    ("bearer", "reversed_minor", "fee_allocation", "platform_minor"),
    [
        # Half the refund is the owner's share (6 947), the platform's 196; Stripe keeps the whole 2.39.
        (profit_share.REFUND_FEE_PLATFORM, 6_947, {}, -43),
        # The fee on the refunded half (1.20) shared by what each gives back: owner 1.17, platform 0.03.
        (profit_share.REFUND_FEE_PRO_RATA, 6_947 + 117, {"platform": 3, "part": 117}, 74),
        # The participants alone: the owner gives back the whole 1.20.
        (profit_share.REFUND_FEE_PARTICIPANTS, 6_947 + 120, {"part": 120}, 77),
    ],
)
def test_a_half_refund_books_stripes_fee_as_the_policy_says(
    money_a, bearer, reversed_minor, fee_allocation, platform_minor
):
    order = _delivered_order(bearer)

    recorded = _refund(order, TOTAL // 2)  # 71.43, half of 142.86

    part = next(key for key in recorded.allocation if key != profit_share.PLATFORM)
    assert recorded.allocation == {"platform": 196, part: 6_947}
    assert {("part" if k == part else k): v for k, v in recorded.fee_allocation.items()} == fee_allocation
    [reversal] = Reversal.objects.filter(refund=recorded)
    assert reversal.amount_minor == reversed_minor
    assert _platform_result(order) == platform_minor
    reconciles_clean()


@pytest.mark.parametrize("bearer", profit_share.REFUND_FEE_BEARERS)
def test_a_full_refund_leaves_the_fee_with_the_platform_whatever_the_policy(money_a, bearer):
    """A participant never gives back more than it received: on a full refund it returns its whole share and
    Stripe's fee stays with the platform (−2.39), under every policy."""
    order = _delivered_order(bearer)

    recorded = _refund(order, TOTAL)

    part = next(key for key in recorded.allocation if key != profit_share.PLATFORM)
    assert recorded.allocation == {"platform": 392, part: SHARE}
    assert recorded.fee_allocation in ({}, {"platform": FEE})
    assert Reversal.objects.get(refund=recorded).amount_minor == SHARE
    assert _platform_result(order) == -FEE


def test_two_half_refunds_add_up_to_the_full_refund(money_a):
    order = _delivered_order(profit_share.REFUND_FEE_PRO_RATA)

    first = _refund(order, 7_143)
    second = _refund(order, 7_143)

    fees = [sum(r.fee_allocation.values()) for r in (first, second)]
    assert fees == [120, 119]  # the fee on each refunded half, adding up to Stripe's 2.39
    assert sum(r.amount_minor for r in Reversal.objects.filter(transfer__order=order)) == SHARE
    assert _platform_result(order) == -FEE


def test_the_statement_says_who_bears_the_fee_on_refunds(money_a):
    order = _delivered_order(profit_share.REFUND_FEE_PRO_RATA)

    split = statement_refresh_for_order(order_id=order.pk)

    policy_line = split.statements.get().lines[0]
    assert "on a refund Stripe keeps its fee" in policy_line
    assert "shared by whoever gives the refund back, in proportion to what they give back" in policy_line
    assert policy_line == split.lines[0]


def test_refund_fee_rule_cents():
    fee = profit_share.refund_fee_of
    assert fee(fee_minor=FEE, paid_minor=TOTAL, refunded_before_minor=0, refund_minor=7_143) == 120
    assert fee(fee_minor=FEE, paid_minor=TOTAL, refunded_before_minor=7_143, refund_minor=7_143) == 119
    assert fee(fee_minor=FEE, paid_minor=TOTAL, refunded_before_minor=0, refund_minor=TOTAL) == FEE
    split = profit_share.refund_fee_split(
        fee_minor=120,
        allocation={"platform": 196, "work_item:1": 6_947},
        capacity={"platform": 196, "work_item:1": 6_947},
        bearer=profit_share.REFUND_FEE_PRO_RATA,
    )
    assert split == {"platform": 3, "work_item:1": 117}
    capped = profit_share.refund_fee_split(
        fee_minor=239,
        allocation={"platform": 392, "work_item:1": SHARE},
        capacity={"platform": 0, "work_item:1": 0},
        bearer=profit_share.REFUND_FEE_PARTICIPANTS,
    )
    assert capped == {"platform": 239, "work_item:1": 0}
    with pytest.raises(profit_share.SplitError):
        profit_share.Policy(refund_fee_bearer="customer")
