"""Matching through real processes: a Celery worker running the tasks by name, and two commits racing.

These tests commit their rows (the worker and the threads use their own connections) in network beta and
retire them afterwards (owners and carriers suspended, open orders cancelled, runs deleted), so the rolled-back
tests in alpha never see them."""

import hashlib
import threading

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.matching.models import MatchingRun, MatchingSettings, RunMode, RunOutcome, RunStatus
from apps.matching.services import order_commit
from apps.matching.tasks import commit_order
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import order_transition, work_item_accept, work_item_decline, work_item_start
from apps.orders.status import LEG_ACTIVE, WORK_ITEM_ACTIVE, OrderStatus, WorkItemStatus
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.services import participant_transition
from apps.suppliers.status import ParticipantStatus
from tests.conftest import wait_for
from tests.matching.builders import design_version, full_workshop, haulier, paid_order, workshop
from tests.matching.helpers import assert_no_double_booking, assert_plan_valid


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """This module's `db`: pytest-django sets the test database up only for tests that ask for `db` (without it
    these tests would reach the development database), but the rows must be committed for other processes to
    see them, so no transaction is wrapped around the test."""
    assert connection.settings_dict["NAME"].startswith("test_"), "not on the test database"
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def beta(db, tenant_b):
    """Network beta with committed rows, retired after the test."""
    with schema_context(tenant_b.schema_name):
        MatchingSettings.objects.update_or_create(
            pk=1, defaults={"commit_time_limit_s": 1.0, "replan_time_limit_s": 1.0}
        )
        haulier()
        yield tenant_b
        for order in Order.objects.filter(status__in=[OrderStatus.PAID, OrderStatus.PLANNED]):
            order_transition(order_id=order.pk, to=OrderStatus.CANCELLED, actor_label="test cleanup")
        for model in (AssetOwner, Carrier):
            for participant in model.objects.filter(status=ParticipantStatus.APPROVED):
                participant_transition(
                    participant=participant, to=ParticipantStatus.SUSPENDED, reason="cleanup"
                )
        MatchingRun.objects.all().delete()


@pytest.fixture
def buyer(beta, make_user):
    return make_user(beta, Role.CUSTOMER)


def _active(order):
    return {i.step_key: i for i in WorkItem.objects.filter(order=order, status__in=WORK_ITEM_ACTIVE)}


@pytest.mark.worker
def test_commit_task_run_twice_creates_work_once(celery_worker, beta, buyer):
    """The payment flow may deliver matching.commit_order twice: the items and legs exist once."""
    full_workshop("Twice")
    order = paid_order(buyer, design_version(buyer))
    commit_order.delay(order_id=order.pk)
    commit_order.delay(order_id=order.pk)
    wait_for(
        lambda: (
            MatchingRun.objects.filter(order=order, mode=RunMode.COMMIT, status=RunStatus.DONE).count() == 2
        ),
        timeout=90,
    )
    outcomes = sorted(MatchingRun.objects.filter(order=order).values_list("outcome", flat=True))
    assert outcomes == [RunOutcome.APPLIED, RunOutcome.SKIPPED]
    order.refresh_from_db()
    assert order.status == OrderStatus.PLANNED
    assert WorkItem.objects.filter(order=order).count() == 3
    assert TransportLeg.objects.filter(order=order).count() == 1
    assert_plan_valid(order.pk, MatchingRun.objects.get(order=order, outcome=RunOutcome.APPLIED))


@pytest.mark.worker
def test_decline_is_replanned_by_the_worker_and_started_work_stays(celery_worker, beta, buyer):
    """A supplier declines through orders; the outbox sends matching.replan_order by name; the worker moves the
    declined step to another workshop and leaves the started one alone."""
    full_workshop("First")
    _, second = workshop("Second", processes={"sheet_bending": {"setup_cost_minor": 50_000}})
    order = paid_order(buyer, design_version(buyer))
    order_commit(order_id=order.pk)
    items = _active(order)
    work_item_accept(work_item_id=items["cut"].pk, actor=None, scope=Scope.SYSTEM)
    work_item_start(work_item_id=items["cut"].pk, actor=None, scope=Scope.SYSTEM)
    cut = WorkItem.objects.get(pk=items["cut"].pk)
    work_item_decline(
        work_item_id=items["bend"].pk, actor=None, reason="No capacity after all", scope=Scope.SYSTEM
    )

    run = wait_for(
        lambda: MatchingRun.objects.filter(order=order, mode=RunMode.REPLAN, status=RunStatus.DONE).first(),
        timeout=90,
    )
    assert run.outcome == RunOutcome.APPLIED
    after = _active(order)
    assert after["bend"].resource == second["sheet_bending"]
    assert (after["cut"].pk, after["cut"].status, after["cut"].planned_start) == (
        cut.pk,
        WorkItemStatus.IN_PROGRESS,
        cut.planned_start,
    )
    assert_plan_valid(order.pk, run)


@pytest.mark.worker
def test_suspension_replans_through_the_tasks_by_name(celery_worker, beta, buyer):
    """Suppliers suspend an asset owner and send matching.replan_for_supplier by name; the worker fans out a
    matching.replan_order per order, which moves the unstarted jobs to the remaining workshop."""
    from apps.suppliers.services import asset_owner_suspend

    owner, _ = full_workshop("Suspended soon")
    _, other = workshop(
        "Other",
        processes={"laser_cutting": {"setup_cost_minor": 9_000}, "sheet_bending": {}, "packaging": {}},
    )
    order = paid_order(buyer, design_version(buyer))
    order_commit(order_id=order.pk)
    assert {i.asset_owner_id for i in _active(order).values()} == {owner.pk}
    asset_owner_suspend(asset_owner=owner, actor=None, reason="Quality problems")
    run = wait_for(
        lambda: MatchingRun.objects.filter(order=order, mode=RunMode.REPLAN, status=RunStatus.DONE).first(),
        timeout=90,
    )
    assert run.outcome == RunOutcome.APPLIED
    assert {i.resource_id for i in _active(order).values()} == {r.pk for r in other.values()}
    assert_plan_valid(order.pk, run)


def _lock_key(schema: str) -> int:
    digest = hashlib.sha256(f"matching:{schema}".encode()).digest()[:8]
    return int.from_bytes(digest, "big", signed=True)


def test_two_concurrent_commits_never_double_book(beta, buyer):
    """Two orders want the same machine at the same time. Both solve while the network lock is held elsewhere;
    when it is released the first applies, the second finds its plan no longer valid, solves again and lands
    after it: no resource holds two jobs at once."""
    _, resources = full_workshop("Contested")
    orders = [paid_order(buyer, design_version(buyer)) for _ in range(2)]
    settings = connection.settings_dict
    blocker = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )
    blocker.execute("select pg_advisory_lock(%s)", [_lock_key(beta.schema_name)])
    results, errors = {}, []

    def commit(order_id):
        try:
            with schema_context(beta.schema_name):
                results[order_id] = order_commit(order_id=order_id)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(o.pk,)) for o in orders]
    for thread in threads:
        thread.start()
    try:
        wait_for(
            lambda: (
                blocker.execute(
                    "select count(*) from pg_locks where locktype = 'advisory' and not granted"
                ).fetchone()[0]
                == 2
            ),
            timeout=60,
        )
    finally:
        blocker.execute("select pg_advisory_unlock(%s)", [_lock_key(beta.schema_name)])
        blocker.close()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(r.outcome for r in results.values()) == [RunOutcome.APPLIED, RunOutcome.APPLIED]
    assert sorted(r.statistics["attempts"] for r in results.values()) == [1, 2]
    for resource in resources.values():
        assert_no_double_booking(resource)
    for order in orders:
        assert_plan_valid(order.pk, results[order.pk])
    assert TransportLeg.objects.filter(order__in=orders, status__in=LEG_ACTIVE).count() == 2
