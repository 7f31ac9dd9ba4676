"""With a real Celery worker: the orders app's hooks drive the money (charge booked, transfers released and sent),
and a worker killed between Stripe's answer and our commit leaves exactly one transfer, recorded once.

No `db` fixture: the worker must see committed rows. Each test works in a network of its own, so what it commits
(the ledger cannot be deleted) never meets another test."""

import os
import signal
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.models import EntryKind, JournalEntry, OrderMoney, StripeWrite, Transfer, TransferStatus
from apps.payouts.tasks import transfer_send_task
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item
from apps.tenants.services import tenant_create
from tests.conftest import PASSWORD, wait_for, wait_for_idle_worker
from tests.payouts.money_builders import deliver_leg, finish_work_item, make_order, make_participants, pay
from tests.payouts.money_checks import reconciles_clean, stripe_transfers


def test_the_money_side_listens_to_every_orders_hook(db):
    from apps.orders import hooks
    from apps.payouts import order_listeners

    assert order_listeners.on_order_paid in hooks._listeners["order.paid"]
    assert order_listeners.on_order_refunded in hooks._listeners["order.refunded"]
    assert order_listeners.on_work_item_status_changed in hooks._listeners["work_item.status_changed"]
    assert order_listeners.on_leg_status_changed in hooks._listeners["transport_leg.status_changed"]
    assert order_listeners.on_order_status_changed in hooks._listeners["order.status_changed"]


def _network():
    slug = f"money{uuid.uuid4().hex[:6]}"
    return tenant_create(
        name="Money worker",
        subdomain=slug,
        currency="EUR",
        admin_email=f"o@{slug}.test",
        admin_password=PASSWORD,
    )


def _pool_children(worker: subprocess.Popen) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


@pytest.mark.worker
def _waiting_for_a_lock_on(table: str) -> bool:
    """Whether some session (the worker's) is waiting for a lock on `table` (PostgreSQL's lock table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table])
        return cursor.fetchone()[0] > 0


def test_orders_hooks_drive_charge_release_and_send_through_the_worker(celery_worker, django_db_blocker):
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        network = _network()
        with schema_context(network.schema_name):
            (owner,), (carrier,) = make_participants(owners=1, carriers=1)
            order = make_order(total_minor=9_000, items=[(owner, 5_000)], legs=[(carrier, 1_000)])
            charge = pay(order)  # order_payment_apply publishes order.paid → payouts.charge_record
            wait_for(
                lambda: OrderMoney.objects.filter(order=order, charge_id=charge["id"]).exists(), timeout=60
            )
            for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
                order_transition(order_id=order.pk, to=status, actor_label="test")
            finish_work_item(WorkItem.objects.get(order=order))  # work_item.status_changed → release → send
            deliver_leg(
                TransportLeg.objects.get(order=order)
            )  # transport_leg.status_changed → release → send
            wait_for(
                lambda: Transfer.objects.filter(order=order, status=TransferStatus.SENT).count() == 2,
                timeout=60,
            )
            assert len(stripe_transfers(order.pk)) == 2
            for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
                order_transition(order_id=order.pk, to=status, actor_label="test")  # → payouts.order_settle
            wait_for(lambda: OrderMoney.objects.get(order=order).settled_at is not None, timeout=60)
            reconciles_clean()


@pytest.mark.worker
def test_worker_killed_after_the_stripe_call_before_commit_sends_once(celery_worker, django_db_blocker):
    """Block the ledger insert that follows Stripe's answer, kill the pool process there, release: the redelivered
    task sends with the same key, Stripe answers with the transfer it already made, and it is recorded once."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        network = _network()
        with schema_context(network.schema_name):
            (owner,), _ = make_participants(owners=1, carriers=0)
            order = make_order(total_minor=10_000, items=[(owner, 6_000)])
            charge = pay(order)  # order.paid → the worker books the charge
            wait_for(
                lambda: OrderMoney.objects.filter(order=order, charge_id=charge["id"]).exists(), timeout=60
            )
            # The lock below would park any task of this setup still queued (the charge booking, planning) in
            # the single pool process, ahead of the send this test is about.
            wait_for_idle_worker()
            item = WorkItem.objects.get(order=order)
            # Not through the hook: this test enqueues the send itself, while the ledger is blocked.
            WorkItem.objects.filter(pk=item.pk).update(status="done")
            transfer = transfer_release_for_work_item(work_item_id=item.pk)
            params = connection.settings_dict
            blocker = psycopg.connect(
                host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"]
            )
            ledger = f'"{network.schema_name}".payouts_journalentry'
            with blocker.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ledger} IN SHARE MODE")
                transfer_send_task.delay(str(transfer.pk))
                wait_for(lambda: len(stripe_transfers(order.pk)) == 1, timeout=60)  # Stripe made it
                # The worker now waits on the blocked insert, its transaction uncommitted.
                wait_for(lambda: _waiting_for_a_lock_on(ledger), timeout=60)
                transfer.refresh_from_db()
                assert transfer.status == TransferStatus.PENDING
                pool = _pool_children(celery_worker)
                assert pool, "the worker's pool process is running the send"
                for pid in pool:
                    os.kill(pid, signal.SIGKILL)
                blocker.rollback()
            blocker.close()
            wait_for(lambda: Transfer.objects.get(pk=transfer.pk).status == TransferStatus.SENT, timeout=90)
            (at_stripe,) = stripe_transfers(order.pk)
            transfer.refresh_from_db()
            assert transfer.stripe_transfer_id == at_stripe["id"]
            assert JournalEntry.objects.filter(kind=EntryKind.TRANSFER, order=order).count() == 1
            assert StripeWrite.objects.filter(idempotency_key=f"transfer:{transfer.pk}").count() == 1
            reconciles_clean()
