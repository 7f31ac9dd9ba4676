"""With a real Celery worker: the whole journey (design → quote → pay → plan → accept → make → ship → deliver →
complete) with planning driven through the public task name `matching.commit_order`, and a payment applied by the
webhook inbox in the worker. Data is committed, in a network of its own (gamma), so no other test sees it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.demo.catalog import catalog_demo_seed
from apps.orders import checkout
from apps.orders.models import Order, OrderEvent
from apps.orders.scope import Scope
from apps.orders.services import (
    order_complete,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import OrderStatus, WorkItemStatus
from apps.payouts import stripe_client
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.conftest import PASSWORD, wait_for
from tests.orders.conftest import deliver_inbound, design_for, fill_cart, small_network
from tests.orders.helpers import post_webhook, stripe_events

pytestmark = pytest.mark.worker


def test_these_tests_run_on_the_test_database(db):
    """Asks pytest-django for the test database even when this module runs alone: without a test that needs
    `db`, it sets none up and the committed writes below would land in the development database."""
    assert connection.settings_dict["NAME"].startswith("test_")


@pytest.fixture(scope="session")
def gamma(django_db_setup, django_db_blocker, stripe_server):
    """A third network with the demo catalog and a small supplier network, committed for the worker to see."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), (
            "refusing to write outside the test database"
        )
        tenant = Tenant.objects.filter(slug="gamma").first() or tenant_create(
            name="Gamma Works",
            subdomain="gamma",
            currency="EUR",
            admin_email="owner@gamma.test",
            admin_password=PASSWORD,
        )
        with schema_context(tenant.schema_name):
            templates = {t.slug: t for t in catalog_demo_seed()}
            small_network()
        yield tenant, templates


def _customer(tenant, name: str):
    with schema_context(tenant.schema_name):
        return user_create(email=f"{name}@gamma.test", password=PASSWORD, role=Role.CUSTOMER)


def _in(tenant):
    connection.set_tenant(tenant)


def _status(tenant, order_id: int) -> str:
    with schema_context(tenant.schema_name):
        return Order.objects.get(pk=order_id).status


def _place(customer, template) -> Order:
    design = design_for(customer, template, "Journey table")
    fill_cart(customer, (design.current_version, 1))
    quoted = checkout.cart_quote(customer=customer)
    assert quoted.quote is not None, quoted.error
    return checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    ).order


def test_full_journey_planned_through_the_matching_task(celery_worker, gamma, django_db_blocker):
    tenant, templates = gamma
    with django_db_blocker.unblock():
        customer = _customer(tenant, "journey")
        _in(tenant)
        order = _place(customer, templates["dining-table"])
        result = checkout.checkout_pay(order=order, payment_method="pm_card_visa")
        assert result.status == "paid"
        # Payment committed the outbox message; the relay sent matching.commit_order to the worker.
        wait_for(lambda: _status(tenant, order.pk) == OrderStatus.PLANNED, timeout=90)
        _in(tenant)
        order = Order.objects.get(pk=order.pk)
        items = list(order.work_items.filter(status=WorkItemStatus.OFFERED).order_by("planned_start"))
        assert items and order.eta is not None
        assert {item.step_key for item in items} == {
            op["step_key"] for op in order.lines.get().design_version.operations
        }
        for item in items:
            work_item_accept(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
        for item in items:  # in plan order: a job's predecessors first, its parts delivered before it starts
            deliver_inbound(item, customer)
            work_item_start(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
            work_item_quality_record(
                work_item_id=item.pk, actor=customer, passed=True, measurements={"ok": 1}, scope=Scope.SYSTEM
            )
        assert Order.objects.get(pk=order.pk).status == OrderStatus.IN_PRODUCTION
        last_mile = order.transport_legs.exclude(status="cancelled").get(is_last_mile=True)
        assert not order.transport_legs.exclude(status__in=["cancelled", "delivered"]).exclude(
            pk=last_mile.pk
        )
        transport_leg_pick_up(leg_id=last_mile.pk, actor=customer, scope=Scope.SYSTEM)
        assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
        transport_leg_deliver(
            leg_id=last_mile.pk, actor=customer, receiver_name="Journey Customer", scope=Scope.SYSTEM
        )
        assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
        order_complete(order_id=order.pk, actor=customer, reason="Received, thank you", scope=Scope.STAFF)
        statuses = list(
            OrderEvent.objects.filter(order=order, kind="status")
            .order_by("created_at", "id")
            .values_list("to_status", flat=True)
        )
        assert statuses == [
            "awaiting_payment",
            "paid",
            "planned",
            "in_production",
            "shipped",
            "delivered",
            "completed",
        ]
        connection.set_schema_to_public()


def test_beat_dispatched_offer_expiry_declines_and_hands_the_order_back_to_matching(
    celery_worker, gamma, django_db_blocker
):
    """`orders.expire_offers` runs in every network through tenants.dispatch_to_tenants (as beat sends it)."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.tenants.tasks import dispatch_to_tenants

    tenant, templates = gamma
    with django_db_blocker.unblock():
        customer = _customer(tenant, "expiry")
        _in(tenant)
        order = _place(customer, templates["phone-stand"])
        assert checkout.checkout_pay(order=order, payment_method="pm_card_visa").status == "paid"
        wait_for(lambda: _status(tenant, order.pk) == OrderStatus.PLANNED, timeout=90)
        _in(tenant)
        offered = list(order.work_items.filter(status=WorkItemStatus.OFFERED).values_list("pk", flat=True))
        order.work_items.filter(pk__in=offered).update(offer_deadline=timezone.now() - timedelta(minutes=1))
        connection.set_schema_to_public()
        assert dispatch_to_tenants.apply(args=("orders.expire_offers",)).get() >= 3

        def declined() -> bool:
            with schema_context(tenant.schema_name):
                return (
                    not order.work_items.filter(pk__in=offered)
                    .exclude(status=WorkItemStatus.DECLINED)
                    .exists()
                )

        wait_for(declined, timeout=60)
        with schema_context(tenant.schema_name):
            items = order.work_items.filter(pk__in=offered)
            assert all(item.decline_reason.startswith("Offer expired") for item in items)
            assert OrderEvent.objects.filter(order=order, reason__startswith="Re-plan requested").exists()


def test_webhook_processed_by_the_worker_pays_the_order(
    celery_worker, gamma, django_db_blocker, stripe_server
):
    """The customer's browser never comes back (Stripe's own page in real mode): the webhook alone pays."""
    from django.test import Client

    tenant, templates = gamma
    with django_db_blocker.unblock():
        customer = _customer(tenant, "webhook")
        _in(tenant)
        order = _place(customer, templates["bookshelf"])
        stripe_client.payment_intent_confirm(
            payment_intent_id=order.payment_intent_id,
            payment_method="pm_card_visa",
            idempotency_key=f"t:{order.pk}:browser",
        )
        event = stripe_events(
            stripe_server, event_type="payment_intent.succeeded", object_id=order.payment_intent_id
        )[0]
        response = post_webhook(Client(HTTP_HOST="gamma.localhost"), event)
        assert response.status_code == 200
        wait_for(lambda: _status(tenant, order.pk) in (OrderStatus.PAID, OrderStatus.PLANNED), timeout=60)
        _in(tenant)
        paid = OrderEvent.objects.get(order=order, to_status=OrderStatus.PAID)
        assert paid.actor_label == "Stripe webhook"
        connection.set_schema_to_public()


def test_concurrent_double_submit_makes_exactly_one_order(gamma, django_db_blocker):
    """Two requests with the same checkout key at the same moment (a double click): one order."""
    tenant, templates = gamma
    with django_db_blocker.unblock():
        customer = _customer(tenant, "double")
        _in(tenant)
        design = design_for(customer, templates["phone-stand"], "Stand")
        fill_cart(customer, (design.current_version, 1))
        quoted = checkout.cart_quote(customer=customer)
        results, errors = [], []
        barrier = threading.Barrier(2)

        def submit():
            try:
                connection.set_tenant(tenant)
                barrier.wait(5)
                results.append(
                    checkout.checkout_place(
                        customer=customer,
                        checkout_key=quoted.cart.checkout_key,
                        seen_total_minor=quoted.quote.total_minor,
                        seen_delivery_date=quoted.quote.delivery_date,
                    ).order.pk
                )
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        _in(tenant)
        assert not errors, errors
        assert len(results) == 2 and results[0] == results[1]
        assert Order.objects.filter(customer=customer).count() == 1
        connection.set_schema_to_public()
