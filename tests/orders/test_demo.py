"""The demo seed: orders in every state for the demo customer, built through the services, and idempotent."""

import pytest

from apps.accounts.roles import Role
from apps.demo.orders import DEMO_CUSTOMER, orders_demo_seed
from apps.orders.models import Order, OrderRefund, TransportLeg, WorkItem
from apps.orders.selectors import work_item_waiting_for
from apps.orders.status import FINISHED, WORK_ITEM_STARTED, LegStatus, OrderStatus
from tests.conftest import sign_in
from tests.orders.conftest import small_network

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_every_state_and_every_page_renders(network_a, make_user, tenant_a, client_a):
    customer = make_user(tenant_a, Role.CUSTOMER, email=DEMO_CUSTOMER)
    make_user(tenant_a, Role.STAFF)
    counts = orders_demo_seed()
    assert set(counts) == set(OrderStatus.values), counts
    assert orders_demo_seed() == counts  # a second run adds nothing
    orders = Order.objects.filter(customer=customer)
    assert orders.filter(status=OrderStatus.IN_PRODUCTION, eta__isnull=False).get().is_late
    assert orders.filter(status=OrderStatus.AWAITING_PAYMENT).exclude(payment_error="").exists()
    # Every job was started legitimately: its predecessors done and its parts delivered (which stay so).
    started = list(WorkItem.objects.filter(order__customer=customer, status__in=WORK_ITEM_STARTED))
    assert len(started) > len(orders.filter(status__in=FINISHED)) and work_item_waiting_for(started) == {}
    between = TransportLeg.objects.filter(
        order__customer=customer, is_last_mile=False, to_work_item__in=started
    )
    assert between and all(leg.status == LegStatus.DELIVERED for leg in between)
    cancelled = orders.get(status=OrderStatus.CANCELLED)
    assert cancelled.refunded_minor == cancelled.total_minor
    assert OrderRefund.objects.filter(order__customer=customer).exclude(stripe_refund_id="").count() == 2
    sign_in(client_a, tenant_a, customer)
    assert client_a.get("/orders/").status_code == 200
    for order in orders:
        assert client_a.get(f"/orders/{order.pk}/").status_code == 200


def test_demo_seed_without_the_demo_customer_does_nothing(in_tenant_a):
    small_network()
    assert orders_demo_seed() == {}
