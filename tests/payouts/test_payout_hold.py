"""Refunds after payouts (issue 12, point 2): participants' connected accounts are on a manual payout schedule and
the platform pays them out itself once an order's hold has passed (refund window + the network's hold days), never
before; a refund's share Stripe will not reverse any more (the balance was paid out) is an explicit UNRECOVERABLE
reversal, booked as owed by the participant, shown to finance, and taken from the participant's next funds before
their next payout. Against the local Stripe server, whose clock moves the card funds from pending to available."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from apps.accounts.roles import Role
from apps.core.money import Money
from apps.orders.models import WorkItem
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.selectors import order_settings_get
from apps.orders.services.refunds import order_refund_staff, refund_request_create
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.connect.bank_payouts import participant_payouts_run, payout_hold_get
from apps.payouts.connect.onboarding import connect_status_refresh
from apps.payouts.ledger.balances import account_balance
from apps.payouts.ledger.posting import payable_account, receivable_account
from apps.payouts.models import (
    ConnectedPayout,
    EntryKind,
    JournalEntry,
    PayoutHold,
    PayoutStatus,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.payouts.transfers.reversals import reversal_send, reversal_write_off
from apps.payouts.transfers.settlement import order_settle
from apps.payouts.transfers.sweep import order_refund_record
from tests.conftest import sign_in
from tests.payouts.money_builders import (
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_get,
    platform_post,
)
from tests.payouts.money_checks import unbalanced_entries

DAY = 24 * 3600


def _delivered_order(owner, *, total_minor=10_000, cost_minor=6_000):
    """Paid, produced (the owner's transfer sent with the charge as source_transaction) and delivered."""
    order = make_order(total_minor=total_minor, items=[(owner, cost_minor)])
    charge_record(charge_id=pay(order)["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    item = finish_work_item(WorkItem.objects.get(order=order))
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    order.refresh_from_db()
    return order, Transfer.objects.get(pk=transfer.pk)


def _hold_ends(order):
    return order.delivered_at + timedelta(
        days=order_settings_get().refund_window_days + payout_hold_get().hold_days
    )


def _payouts_at_stripe(owner) -> list[dict]:
    return platform_get("/v1/payouts", account=owner.stripe_account_id)["data"]


def _days_pass_at_stripe(stripe_clock, days: int) -> None:
    """Stripe's clock runs `days` on from now (frozen a minute ahead first, so the days really pass: a daily
    schedule would pay out meanwhile, the card funds become available)."""
    now = int(time.time())
    stripe_clock(now + 60)
    stripe_clock(now + days * DAY)


def _refund_half(order) -> None:
    refund = order_refund_staff(
        order_id=order.pk,
        actor=None,
        amount_minor=order.total_minor // 2,
        reason="Scratched",
        scope=Scope.STAFF,
    )
    refund_issue(refund_id=refund.pk)
    order_refund_record(order_refund_id=refund.pk)


def test_participants_are_paid_out_by_the_platform_after_the_hold_not_before(money_a, stripe_clock):
    (owner,), _ = make_participants(owners=1, carriers=0)
    account = platform_get(f"/v1/accounts/{owner.stripe_account_id}")
    assert account["settings"]["payouts"]["schedule"]["interval"] == "manual"
    order, transfer = _delivered_order(owner)
    _days_pass_at_stripe(stripe_clock, 30)  # Stripe pays nobody out by itself: the schedule is manual
    assert _payouts_at_stripe(owner) == []
    hold_ends = _hold_ends(order)

    before = participant_payouts_run(now=hold_ends - timedelta(minutes=1))

    assert before["payouts"] == 0 and _payouts_at_stripe(owner) == []
    assert participant_payouts_run(now=hold_ends)["payouts"] == 1
    [payout] = _payouts_at_stripe(owner)
    row = ConnectedPayout.objects.get(stripe_payout_id=payout["id"])
    assert (payout["amount"], payout["automatic"]) == (transfer.amount_minor, False)
    assert payout["metadata"]["connected_payout_id"] == str(row.pk)
    assert (row.asset_owner_id, row.amount_minor, row.requested_at) == (
        owner.pk,
        transfer.amount_minor,
        hold_ends,
    )
    assert row.status in (PayoutStatus.PENDING, PayoutStatus.PAID)
    assert Transfer.objects.get(pk=transfer.pk).payout_id == row.pk
    assert participant_payouts_run(now=hold_ends + timedelta(days=1))["payouts"] == 0, "paid out once"


def test_an_open_refund_request_keeps_the_money_held(money_a, stripe_clock):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order, _ = _delivered_order(owner)
    refund_request_create(order_id=order.pk, customer=order.customer, reason="Wobbly", amount_minor=1_000)
    _days_pass_at_stripe(stripe_clock, 30)

    assert participant_payouts_run(now=_hold_ends(order) + timedelta(days=1))["payouts"] == 0
    assert _payouts_at_stripe(owner) == []


def test_a_refund_before_the_payout_is_reversed_from_the_held_money(money_a, stripe_clock):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order, transfer = _delivered_order(owner)
    _refund_half(order)
    [reversal] = Reversal.objects.filter(transfer=transfer)
    assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.SENT
    _days_pass_at_stripe(stripe_clock, 30)

    participant_payouts_run(now=_hold_ends(order))

    [payout] = _payouts_at_stripe(owner)
    assert payout["amount"] == transfer.amount_minor - reversal.amount_minor


def test_a_refund_after_the_payout_is_owed_by_the_participant_shown_to_finance_and_netted(
    money_a, stripe_clock, client_a, tenant_a, make_user
):
    (owner,), _ = make_participants(owners=1, carriers=0)
    order, transfer = _delivered_order(owner)
    _days_pass_at_stripe(stripe_clock, 30)
    participant_payouts_run(now=_hold_ends(order))
    assert [p["amount"] for p in _payouts_at_stripe(owner)] == [transfer.amount_minor]

    _refund_half(order)  # after the refund window (staff may still refund): the money is at the bank
    [reversal] = Reversal.objects.filter(transfer=transfer)
    result = reversal_send(reversal_id=reversal.pk)

    reversal.refresh_from_db()
    assert result.status == reversal.status == ReversalStatus.UNRECOVERABLE
    assert reversal.last_error_code == "balance_insufficient"
    owed = reversal.amount_minor
    assert owed == transfer.amount_minor // 2  # a 50 % refund, pro rata: half of the owner's share
    receivable = receivable_account(currency="EUR", asset_owner_id=owner.pk)
    payable = payable_account(currency="EUR", asset_owner_id=owner.pk)
    assert (account_balance(account_id=receivable.pk), account_balance(account_id=payable.pk)) == (owed, 0)
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL_UNRECOVERABLE, order=order).count() == 1
    assert unbalanced_entries() == []
    assert (
        reversal_send(reversal_id=reversal.pk).status == ReversalStatus.UNRECOVERABLE
    )  # not retried blindly
    assert order_settle(order_id=order.pk), "nothing is in flight: what is owed is the participant's debt"

    # Finance sees the amount and the participant.
    finance = sign_in(client_a, tenant_a, make_user(tenant_a, Role.FINANCE))
    connection.set_tenant(tenant_a)
    page = finance.get("/backoffice/finance/").content.decode()
    section = page[page.index('id="owed-refund-shares"') :]
    section = section[: section.index("</table>")]
    assert owner.name in section and Money(owed, "EUR").format() in section and order.reference in section

    # Without new funds the payout run does not ask Stripe again (it would refuse again).
    attempts = reversal.attempts
    assert participant_payouts_run(now=_hold_ends(order) + timedelta(hours=1))["recovered"] == 0
    reversal.refresh_from_db()
    assert (reversal.status, reversal.attempts) == (ReversalStatus.UNRECOVERABLE, attempts)

    # The owner's next order: what it owes is taken from those funds before anything reaches its bank.
    second, second_transfer = _delivered_order(owner)
    done = participant_payouts_run(
        now=_hold_ends(order) + timedelta(days=1)
    )  # the second order is still held
    assert (done["recovered"], done["payouts"]) == (1, 0)
    reversal.refresh_from_db()
    assert reversal.status == ReversalStatus.SENT
    recovered = JournalEntry.objects.get(kind=EntryKind.REVERSAL_RECOVERED)
    assert recovered.stripe_object_id == reversal.stripe_reversal_id
    assert account_balance(account_id=receivable.pk) == 0
    assert unbalanced_entries() == []
    stripe_clock(int(time.time()) + 60 * DAY)  # the second charge's funds are available

    participant_payouts_run(now=_hold_ends(second))

    newest = _payouts_at_stripe(owner)[0]
    assert newest["amount"] == second_transfer.amount_minor - owed
    assert "owed-refund-shares" in finance.get("/backoffice/finance/").content.decode()
    assert not Reversal.objects.filter(status=ReversalStatus.UNRECOVERABLE).exists()


def test_an_account_still_on_an_automatic_schedule_is_switched_to_manual(money_a):
    (owner,), _ = make_participants(owners=1, carriers=0)
    platform_post(
        f"/v1/accounts/{owner.stripe_account_id}", **{"settings[payouts][schedule][interval]": "daily"}
    )

    connect_status_refresh(account_id=owner.stripe_account_id)

    account = platform_get(f"/v1/accounts/{owner.stripe_account_id}")
    assert account["settings"]["payouts"]["schedule"]["interval"] == "manual"


@pytest.mark.parametrize("hold_days", [0, 30])
def test_the_hold_is_a_network_setting(money_a, stripe_clock, hold_days):
    PayoutHold.objects.update_or_create(pk=1, defaults={"hold_days": hold_days})
    (owner,), _ = make_participants(owners=1, carriers=0)
    order, _ = _delivered_order(owner)
    _days_pass_at_stripe(stripe_clock, 60)
    window_closes = order.delivered_at + timedelta(days=order_settings_get().refund_window_days)

    done = participant_payouts_run(now=window_closes + timedelta(days=hold_days) - timedelta(seconds=1))
    assert done["payouts"] == 0
    assert participant_payouts_run(now=window_closes + timedelta(days=hold_days))["payouts"] == 1


def _owed_share(stripe_clock):
    """A participant paid out after the hold, then half the order refunded: its share is owed (UNRECOVERABLE)."""
    (owner,), _ = make_participants(owners=1, carriers=0)
    order, transfer = _delivered_order(owner)
    _days_pass_at_stripe(stripe_clock, 30)
    participant_payouts_run(now=_hold_ends(order))
    _refund_half(order)
    [reversal] = Reversal.objects.filter(transfer=transfer)
    assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.UNRECOVERABLE
    return owner, order, Reversal.objects.get(pk=reversal.pk)


def test_finance_writes_off_an_owed_share_as_the_platforms_loss_and_it_is_not_recovered_again(
    money_a, stripe_clock, client_a, tenant_a, make_user
):
    owner, order, reversal = _owed_share(stripe_clock)
    finance_user = make_user(tenant_a, Role.FINANCE)
    finance = sign_in(client_a, tenant_a, finance_user)
    connection.set_tenant(tenant_a)
    url = f"/backoffice/finance/reversals/{reversal.pk}/write-off/"
    assert 'action="' + url + '"' in finance.get("/backoffice/finance/").content.decode()

    refused = finance.post(url, {"reason": "  "}, follow=True)
    assert "Say why" in refused.content.decode()
    connection.set_tenant(tenant_a)
    assert Reversal.objects.get(pk=reversal.pk).status == ReversalStatus.UNRECOVERABLE

    done = finance.post(url, {"reason": "Workshop closed its business"}, follow=True)
    assert "written off" in done.content.decode()
    connection.set_tenant(tenant_a)
    reversal.refresh_from_db()
    assert reversal.status == ReversalStatus.WRITTEN_OFF
    assert (reversal.written_off_by_id, reversal.write_off_reason) == (
        finance_user.pk,
        "Workshop closed its business",
    )
    receivable = receivable_account(currency="EUR", asset_owner_id=owner.pk)
    assert account_balance(account_id=receivable.pk) == 0
    entry = JournalEntry.objects.get(kind=EntryKind.REVERSAL_WRITTEN_OFF, order=order)
    assert "Workshop closed its business" in entry.memo
    assert unbalanced_entries() == []

    again = finance.post(url, {"reason": "twice"}, follow=True)
    assert "not owed any more" in again.content.decode()
    connection.set_tenant(tenant_a)
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL_WRITTEN_OFF).count() == 1
    # The owner's next funds are theirs: nothing is taken back any more.
    _delivered_order(owner)
    assert participant_payouts_run(now=_hold_ends(order) + timedelta(days=1))["recovered"] == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.CUSTOMER, Role.SUPPLIER_MEMBER])
def test_only_finance_or_the_owner_may_write_off(money_a, stripe_clock, client_a, tenant_a, make_user, role):
    _, _, reversal = _owed_share(stripe_clock)
    someone = make_user(tenant_a, role)
    with pytest.raises(PermissionDenied):
        reversal_write_off(reversal_id=reversal.pk, actor=someone, reason="Not mine to decide")
    client = sign_in(client_a, tenant_a, someone)
    response = client.post(f"/backoffice/finance/reversals/{reversal.pk}/write-off/", {"reason": "x"})
    assert response.status_code == 404
    connection.set_tenant(tenant_a)
    assert Reversal.objects.get(pk=reversal.pk).status == ReversalStatus.UNRECOVERABLE
