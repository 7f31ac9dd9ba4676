"""One order's money end to end against the local Stripe server: payment, split, transfers, settlement."""

import pytest

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.ledger.balances import order_totals
from apps.payouts.models import (
    AccountKind,
    EntryKind,
    JournalEntry,
    OrderMoney,
    OrderPolicyPin,
    ProfitShareStatement,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share.policies import profit_share_policy_publish
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.transfers.participant_transfers import (
    transfer_release_for_leg,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.settlement import order_settle
from tests.payouts.money_builders import (
    deliver_leg,
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_get,
)
from tests.payouts.money_checks import (
    funding_respected,
    reconciles_clean,
    settled_order_identity,
    unbalanced_entries,
)


def _ordered(total=12_000, currency="EUR", costs=(4_000, 2_000), leg_cost=1_000):
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1)
    order = make_order(
        total_minor=total,
        currency=currency,
        items=[(owner_a, costs[0]), (owner_b, costs[1])],
        legs=[(carrier, leg_cost)],
    )
    return order, owner_a, owner_b, carrier


def _deliver_everything(order):
    for item in WorkItem.objects.filter(order=order):
        finish_work_item(item)
        transfer_release_for_work_item(work_item_id=item.pk)
    for leg in TransportLeg.objects.filter(order=order):
        deliver_leg(leg)
        transfer_release_for_leg(leg_id=leg.pk)
    for transfer in Transfer.objects.filter(order=order):
        transfer_send(transfer_id=transfer.pk)


def test_payment_is_booked_with_stripe_fee_and_the_policy_is_pinned(money_a):
    order, *_ = _ordered()
    charge = pay(order)
    entry = charge_record(charge_id=charge["id"])
    assert entry.kind == EntryKind.CHARGE and entry.order_id == order.pk
    postings = {p.account.kind: p.amount_minor for p in entry.postings.select_related("account")}
    fee = charge["balance_transaction"]["fee"]
    assert fee == 205  # 1.5 % of 120.00 + 0.25
    assert postings == {
        AccountKind.PLATFORM_CASH: 12_000 - fee,
        AccountKind.STRIPE_FEES: fee,
        AccountKind.ORDER_CLEARING: -12_000,
    }
    money = OrderMoney.objects.get(order=order)
    assert (money.charge_id, money.paid_minor, money.fee_minor) == (charge["id"], 12_000, fee)
    assert OrderPolicyPin.objects.get(order=order).policy.version == 1
    assert charge_record(charge_id=charge["id"]).pk == entry.pk
    assert JournalEntry.objects.filter(stripe_object_id=charge["id"]).count() == 1


def test_order_keeps_the_policy_version_it_was_sold_under(money_a):
    order, *_ = _ordered()
    charge_record(charge_id=pay(order)["id"])
    profit_share_policy_publish(
        method="equal", platform_surplus_bp=5_000, min_platform_fee_minor=0, fee_bearer="participants"
    )
    later, *_ = _ordered()
    charge_record(charge_id=pay(later)["id"])
    assert OrderPolicyPin.objects.get(order=order).policy.version == 1
    assert OrderPolicyPin.objects.get(order=later).policy.version == 2
    assert statement_refresh_for_order(order_id=order.pk).policy.version == 1
    assert statement_refresh_for_order(order_id=later.pk).policy.version == 2


def test_released_transfers_reach_each_connected_account_funded_by_the_order_charge(money_a):
    order, owner_a, owner_b, carrier = _ordered()
    charge = pay(order)
    charge_record(charge_id=charge["id"])
    _deliver_everything(order)
    split = statement_refresh_for_order(order_id=order.pk)
    statements = {
        s.asset_owner_id or s.carrier_id: s for s in ProfitShareStatement.objects.filter(split=split)
    }
    at_stripe = platform_get("/v1/transfers", transfer_group=f"order_{order.pk}", limit=100)["data"]
    assert len(at_stripe) == 3
    by_destination = {t["destination"]: t for t in at_stripe}
    for participant in (owner_a, owner_b, carrier):
        transfer = by_destination[participant.stripe_account_id]
        assert transfer["amount"] == statements[participant.pk].amount_minor
        assert transfer["source_transaction"] == charge["id"]
        assert transfer["metadata"]["transfer_id"] == str(
            Transfer.objects.get(stripe_transfer_id=transfer["id"]).pk
        )
    for transfer in Transfer.objects.filter(order=order):
        assert transfer.status == TransferStatus.SENT
        assert transfer.idempotency_key == f"transfer:{transfer.pk}"
    # Payables are zero once every released transfer went out.
    payables = order_totals(order_id=order.pk)
    assert payables["transferred"] == sum(t["amount"] for t in at_stripe)
    funding_respected(order.pk)
    assert unbalanced_entries() == []


def test_a_completed_order_settles_with_clearing_zero_and_the_commission_of_its_split(money_a):
    order, *_ = _ordered()
    charge_record(charge_id=pay(order)["id"])
    assert order_settle(order_id=order.pk) is False, "nothing delivered yet"
    _deliver_everything(order)
    for status in (
        OrderStatus.PLANNED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETED,
    ):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    assert order_settle(order_id=order.pk) is True
    identity = settled_order_identity(order.pk)
    split = statement_refresh_for_order(order_id=order.pk)
    # surplus 120.00 − 70.00 = 50.00; the platform keeps 20 % of it and bears Stripe's fee of 2.05.
    assert identity["commission"] == split.platform_commission_minor == 1_000 - 205
    assert split.revision == 1, "releases at unchanged amounts make no new revision"
    assert order_settle(order_id=order.pk) is True
    assert JournalEntry.objects.filter(order=order, kind=EntryKind.SETTLEMENT).count() == 1
    reconciles_clean()


@pytest.mark.parametrize(
    ("currency", "total", "costs", "leg_cost"),
    [("JPY", 100_001, (33_333, 33_334), 3_331), ("KWD", 50_010, (12_345, 6_789), 1_001)],
)
def test_zero_and_three_decimal_currencies_settle_exactly(money_a, currency, total, costs, leg_cost):
    order, *_ = _ordered(total=total, currency=currency, costs=costs, leg_cost=leg_cost)
    charge = pay(order)
    assert charge["currency"] == currency.lower() and charge["amount"] == total
    charge_record(charge_id=charge["id"])
    _deliver_everything(order)
    for status in (
        OrderStatus.PLANNED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETED,
    ):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    assert order_settle(order_id=order.pk)
    identity = settled_order_identity(order.pk)
    split = statement_refresh_for_order(order_id=order.pk)
    parts = sum(s.amount_minor for s in split.statements.all())
    assert parts + split.platform_commission_minor + split.stripe_fee_minor == total
    assert identity["commission"] == split.platform_commission_minor
    assert identity["transferred"] == parts
    reconciles_clean()
