"""The finance page of an order is kept whole in the cache under a fingerprint of every row it shows
(apps/backoffice/finance_order_page.py): each kind of row, written by a queryset update() or a bare create (no
service, no signal), shows on the very next request; the kept page is never another network's.

Every test asks for the page first, so the change is judged against a kept body: a key missing any of these rows
would serve the old page and fail."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.orders.models import Order, WorkItem
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.ledger.posting import Line, clearing_account, journal_entry_post, network_account
from apps.payouts.models import (
    AccountKind,
    CustomerRefund,
    Dispute,
    EntryKind,
    JournalEntry,
    OrderMoney,
    ProfitSharePart,
    ProfitShareSplit,
    ProfitShareStatement,
    Reversal,
    Transfer,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.suppliers.models import AssetOwner
from tests.conftest import host_of, sign_in
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(client_a, tenant_a, make_user, money_a):
    user = make_user(tenant_a, Role.FINANCE)
    connection.set_tenant(tenant_a)
    return sign_in(client_a, tenant_a, user)


@pytest.fixture
def order():
    """Paid, in production, its one job done and transferred to its workshop."""
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 5_000)])
    charge_record(charge_id=pay(order)["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    item = WorkItem.objects.get(order=order)
    finish_work_item(item)
    transfer_send(transfer_id=transfer_release_for_work_item(work_item_id=item.pk).pk)
    return Order.objects.get(pk=order.pk)


def _page(client, order: Order) -> str:
    response = client.get(f"/backoffice/finance/orders/{order.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _kept(client, order: Order) -> str:
    _page(client, order)
    return _page(client, order)


def test_the_orders_row_and_its_settlement(finance_client, order):
    body = _kept(finance_client, order)
    assert ">In production</span>" in body and "booked when the order settles" in body
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED)
    assert ">Delivered</span>" in _page(finance_client, order)
    OrderMoney.objects.filter(order=order).update(settled_at=timezone.now())
    assert "booked when the order settles" not in _page(finance_client, order)


def test_a_transfer_and_its_participants_name(finance_client, order):
    transfer = Transfer.objects.get(order=order)
    _kept(finance_client, order)
    Transfer.objects.filter(pk=transfer.pk).update(last_error="Account restricted")
    assert "Account restricted" in _page(finance_client, order)
    AssetOwner.objects.filter(pk=transfer.asset_owner_id).update(name="Renamed Works")
    assert "Transfer to Renamed Works" in _page(finance_client, order)


def test_a_reversal_a_refund_and_a_dispute(finance_client, order):
    transfer = Transfer.objects.get(order=order)
    _kept(finance_client, order)
    Reversal.objects.create(
        transfer=transfer, amount_minor=100, currency="EUR", reason="Dent", idempotency_key=str(uuid.uuid4())
    )
    assert "Dent" in _page(finance_client, order)
    CustomerRefund.objects.create(
        stripe_refund_id="re_cache_test", order=order, charge_id="ch_x", amount_minor=100, currency="EUR"
    )
    assert "re_cache_test" in _page(finance_client, order)
    Dispute.objects.create(
        stripe_dispute_id="dp_cache_test", order=order, charge_id="ch_x", amount_minor=100, currency="EUR"
    )
    assert "dp_cache_test" in _page(finance_client, order)


def test_the_split_its_statements_and_their_parts(finance_client, order):
    split = ProfitShareSplit.objects.get(order=order, is_current=True)
    statement = ProfitShareStatement.objects.get(split=split)
    part = ProfitSharePart.objects.filter(statement=statement, work_item__isnull=False).first()
    CustomerRefund.objects.create(
        stripe_refund_id="re_shares",
        order=order,
        charge_id="ch_x",
        amount_minor=100,
        currency="EUR",
        allocation={f"work_item:{part.work_item_id}": 100},
    )
    _kept(finance_client, order)
    ProfitShareSplit.objects.filter(pk=split.pk).update(revision=split.revision + 40)
    assert f"revision {split.revision + 40}," in _page(finance_client, order)
    ProfitShareStatement.objects.filter(pk=statement.pk).update(cost_minor=123_456)
    assert "€1,234.56" in _page(finance_client, order)
    ProfitSharePart.objects.filter(pk=part.pk).update(label="Sanding, renamed")
    assert "Sanding, renamed" in _page(finance_client, order)


def test_a_new_journal_entry_and_a_posting_to_the_orders_clearing_account(finance_client, order):
    _kept(finance_client, order)
    journal_entry_post(
        kind=EntryKind.SETTLEMENT,
        order_id=order.pk,
        lines=[
            Line(network_account(AccountKind.PLATFORM_REVENUE, "EUR"), 125),
            Line(network_account(AccountKind.STRIPE_FEES, "EUR"), -125),
        ],
        key="test:entry-of-the-order",
    )
    entry = JournalEntry.objects.get(key="test:entry-of-the-order")
    assert f"<td>{entry.pk}</td>" in _page(finance_client, order)
    held_before = _page(finance_client, order).split("Held (not settled)")[1][:40]
    journal_entry_post(  # an entry not of the order that moves its clearing account
        kind=EntryKind.SETTLEMENT,
        lines=[
            Line(clearing_account(order_id=order.pk, currency="EUR"), -700),
            Line(network_account(AccountKind.PLATFORM_CASH, "EUR"), 700),
        ],
        key="test:clearing-move",
    )
    assert _page(finance_client, order).split("Held (not settled)")[1][:40] != held_before


def test_another_network_never_gets_the_kept_page(finance_client, order, tenant_b, make_user):
    _kept(finance_client, order)
    with schema_context(tenant_b.schema_name):
        assert not Order.objects.filter(pk=order.pk).exists()
    stranger = sign_in(Client(HTTP_HOST=host_of(tenant_b)), tenant_b, make_user(tenant_b, Role.FINANCE))
    assert stranger.get(f"/backoffice/finance/orders/{order.pk}/").status_code == 404
