"""A designer's royalty end to end against the local Stripe server: pinned on the order line, its own statement
line, transferred to the designer's connected account when the order completes (held until the designer is
onboarded), reversed pro rata on refunds, booked in the designer's ledger accounts, settled and reconciled."""

import csv
import io

from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.orders.models import OrderLine, TransportLeg, WorkItem
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.ledger.balances import account_balance
from apps.payouts.ledger.posting import payable_account
from apps.payouts.models import (
    AccountKind,
    LedgerAccount,
    ProfitShareStatement,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.profit_share.policies import profit_share_policy_publish
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.transfers.participant_transfers import (
    transfer_release_for_leg,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.settlement import order_settle
from apps.payouts.transfers.sweep import order_refund_record
from tests.conftest import sign_in
from tests.designers.factories import make_designer
from tests.payouts.money_builders import (
    control,
    deliver,
    deliver_leg,
    finish_work_item,
    make_order,
    make_participants,
    onboard,
    pay,
    platform_get,
    stripe_events,
)
from tests.payouts.money_checks import (
    funding_respected,
    reconciles_clean,
    settled_order_identity,
    stripe_transfers,
    unbalanced_entries,
)

ROYALTY = 1_500  # €15.00 of the customer's €135.00


def _royalty_order(*, designer_onboarded=True):
    (owner,), (carrier,) = make_participants(owners=1, carriers=1)
    designer = make_designer("Ada")
    if designer_onboarded:
        onboard(designer)
    order = make_order(total_minor=13_500, items=[(owner, 6_000)], legs=[(carrier, 1_000)])
    OrderLine.objects.filter(order=order).update(designer=designer, royalty_minor=ROYALTY)
    charge_record(charge_id=pay(order)["id"])
    return order, designer


def _complete(order, *, until=OrderStatus.COMPLETED):
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    for item in WorkItem.objects.filter(order=order):
        finish_work_item(item)
        transfer_release_for_work_item(work_item_id=item.pk)
    for leg in TransportLeg.objects.filter(order=order):
        deliver_leg(leg)
        transfer_release_for_leg(leg_id=leg.pk)
    for transfer in Transfer.objects.filter(order=order):
        transfer_send(transfer_id=transfer.pk)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
        if status == until:
            return


def _royalty_transfer(order) -> Transfer:
    return Transfer.objects.get(order=order, order_line__isnull=False)


def test_the_royalty_is_transferred_at_settlement_and_equals_what_stripe_holds(money_a):
    order, designer = _royalty_order()
    _complete(order)
    assert not Transfer.objects.filter(order=order, designer=designer).exists(), "not before completion"
    assert order_settle(order_id=order.pk) is False, "the royalty is released, its transfer not sent yet"
    transfer = _royalty_transfer(order)
    assert (transfer.designer_id, transfer.amount_minor, transfer.idempotency_key) == (
        designer.pk,
        ROYALTY,
        f"transfer:{transfer.pk}",
    )
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    assert order_settle(order_id=order.pk) is True
    transfer.refresh_from_db()

    at_stripe = {t["destination"]: t for t in stripe_transfers(order.pk)}
    assert at_stripe[designer.stripe_account_id]["amount"] == ROYALTY
    assert at_stripe[designer.stripe_account_id]["id"] == transfer.stripe_transfer_id
    balance = platform_get("/v1/balance", account=designer.stripe_account_id)
    held = sum(b["amount"] for b in balance["available"] + balance["pending"] if b["currency"] == "eur")
    assert held == ROYALTY

    split = statement_refresh_for_order(order_id=order.pk)
    statement = ProfitShareStatement.objects.get(split=split, designer=designer)
    assert statement.amount_minor == ROYALTY and statement.fee_share_minor == 0
    assert statement.parts.get().order_line_id == transfer.order_line_id
    assert any("Your royalty is paid in full" in line for line in statement.lines)
    parts = sum(s.amount_minor for s in split.statements.all())
    assert parts + split.platform_commission_minor + split.stripe_fee_minor == 13_500

    account = LedgerAccount.objects.get(kind=AccountKind.PAYABLE_DESIGNER, designer=designer)
    assert account_balance(account_id=account.pk) == 0, "released and sent: nothing left payable"
    assert payable_account(currency="EUR", designer_id=designer.pk) == account
    identity = settled_order_identity(order.pk)
    assert identity["commission"] == split.platform_commission_minor
    assert unbalanced_entries() == []
    funding_respected(order.pk)
    reconciles_clean()


def test_a_designer_not_onboarded_is_held_then_paid_when_account_updated_says_payable(money_a):
    order, designer = _royalty_order(designer_onboarded=False)
    _complete(order)
    order_settle(order_id=order.pk)
    transfer = _royalty_transfer(order)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.PENDING
    transfer.refresh_from_db()
    assert transfer.last_error_code == "not_onboarded" and not transfer.stripe_transfer_id
    assert order_settle(order_id=order.pk) is False
    onboard(designer, complete=False)
    control(f"accounts/{designer.stripe_account_id}/complete_onboarding")
    [*_, event] = [
        e for e in stripe_events(account=designer.stripe_account_id) if e["type"] == "account.updated"
    ]
    deliver(event)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempts) == (TransferStatus.PENDING, 0)
    assert transfer.next_attempt_at <= timezone.now(), "resumed at once, not at its backed-off attempt"
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    assert order_settle(order_id=order.pk) is True
    assert [
        t["amount"] for t in stripe_transfers(order.pk) if t["destination"] == designer.stripe_account_id
    ] == [ROYALTY]
    reconciles_clean()


def test_a_refund_after_completion_reverses_the_royalty_pro_rata_and_it_bears_no_refund_fee(money_a):
    profit_share_policy_publish(
        method="proportional",
        platform_surplus_bp=2_000,
        min_platform_fee_minor=0,
        fee_bearer="participants",
        refund_fee_bearer="pro_rata",
    )
    order, designer = _royalty_order()
    _complete(order)
    order_settle(order_id=order.pk)
    transfer_send(transfer_id=_royalty_transfer(order).pk)
    assert order_settle(order_id=order.pk)
    split = statement_refresh_for_order(order_id=order.pk)
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=4_500, reason="Scratched", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    recorded = order_refund_record(order_refund_id=refund.pk)
    key = f"line:{_royalty_transfer(order).order_line_id}"
    parts = {
        (
            (p.work_item_id and f"work_item:{p.work_item_id}")
            or (p.order_line_id and f"line:{p.order_line_id}")
            or f"leg:{p.transport_leg_id}"
        ): p.amount_minor
        for s in split.statements.all()
        for p in s.parts.all()
    }
    holders = [profit_share.Holder(profit_share.PLATFORM, 13_500 - sum(parts.values()))]
    holders += [profit_share.Holder(k, amount) for k, amount in parts.items()]
    expected = profit_share.refund_split(refund_minor=4_500, holders=holders)
    assert recorded.allocation[key] == expected[key] == 500  # a third of the payment: a third of €15.00
    assert key not in recorded.fee_allocation, "the royalty bears no part of Stripe's fee on the refund"
    assert any(k != profit_share.PLATFORM for k in recorded.fee_allocation), "the workshops do (pro rata)"
    reversal = Reversal.objects.get(transfer__order_line__isnull=False, transfer__order=order)
    assert reversal.amount_minor == 500
    for row in Reversal.objects.filter(transfer__order=order):
        assert reversal_send(reversal_id=row.pk).status == ReversalStatus.SENT
    royalty_at_stripe = next(
        t for t in stripe_transfers(order.pk) if t["destination"] == designer.stripe_account_id
    )
    assert royalty_at_stripe["amount_reversed"] == 500
    assert order_settle(order_id=order.pk)
    settled_order_identity(order.pk)
    assert unbalanced_entries() == []
    funding_respected(order.pk)
    reconciles_clean()


def test_a_refund_of_a_delivered_order_is_taken_off_the_royalty_released_with_it(money_a):
    """A staff refund of a delivered order makes it refunded (it never becomes completed): its settlement releases
    the royalty less the refund's share of it."""
    order, designer = _royalty_order()
    _complete(order, until=OrderStatus.DELIVERED)
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=2_700, reason="Late", scope=Scope.STAFF
    )
    refund_issue(refund_id=refund.pk)
    recorded = order_refund_record(order_refund_id=refund.pk)
    line = OrderLine.objects.get(order=order)
    taken = recorded.allocation[f"line:{line.pk}"]
    assert taken == 300  # a fifth of the payment: a fifth of the royalty
    assert order_settle(order_id=order.pk) is False
    assert not Transfer.objects.filter(order=order, designer=designer).exists(), (
        "the charge funds the royalty only once the workshops' shares of the refund are back"
    )
    for row in Reversal.objects.filter(transfer__order=order):
        reversal_send(reversal_id=row.pk)
    assert order_settle(order_id=order.pk) is False
    transfer = _royalty_transfer(order)
    assert (transfer.part_amount_minor, transfer.amount_minor) == (ROYALTY, ROYALTY - taken)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    assert not Reversal.objects.filter(transfer__designer=designer).exists(), "taken off, not reversed"
    assert order_settle(order_id=order.pk)
    settled_order_identity(order.pk)
    reconciles_clean()


def test_the_split_reads_the_royalty_pinned_on_the_line_not_todays_template(money_a):
    order, designer = _royalty_order()
    template = OrderLine.objects.get(order=order).design_version.design.template
    template.royalty_kind, template.royalty_minor = "fixed", 9_999
    template.save(update_fields=["royalty_kind", "royalty_minor"])
    split = statement_refresh_for_order(order_id=order.pk)
    assert ProfitShareStatement.objects.get(split=split, designer=designer).amount_minor == ROYALTY


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_finance_exports_and_statements_page_include_the_designer(money_a, client_a, make_user):
    order, designer = _royalty_order()
    _complete(order)
    order_settle(order_id=order.pk)
    transfer_send(transfer_id=_royalty_transfer(order).pk)
    assert order_settle(order_id=order.pk)
    finance = sign_in(client_a, money_a, make_user(money_a, Role.FINANCE))
    connection.set_tenant(money_a)
    statements = _csv(finance.get("/backoffice/finance/export/statements.csv"))
    designer_rows = [row for row in statements[1:] if row[1] == "designer"]
    assert [(row[0], row[2], row[10]) for row in designer_rows] == [
        (order.reference, designer.name, str(ROYALTY))
    ]
    ledger = _csv(finance.get("/backoffice/finance/export/ledger.csv"))
    owner_column = ledger[0].index("account_owner")
    designer_postings = [row for row in ledger[1:] if row[owner_column] == f"designer {designer.pk}"]
    assert {row[7] for row in designer_postings} == {AccountKind.PAYABLE_DESIGNER}
    assert sum(int(row[10]) for row in designer_postings) == 0, "released and sent: the payable is settled"
    assert sum(int(row[10]) for row in ledger[1:]) == 0
    page = finance.get(f"/backoffice/finance/statements/?participant=designer:{designer.pk}")
    assert page.status_code == 200 and designer.name.encode() in page.content
    assert b"Designer" in page.content
