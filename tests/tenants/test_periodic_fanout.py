"""Beat's fan-out rule (apps/core/periodic_fanout.py): periodic tasks go to the networks with work; an idle
network gets each one only on its turn; without marks (or without Redis) every network gets every task."""

import pytest
from celery import Task, shared_task
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context
from kombu.exceptions import OperationalError

from apps.core import periodic_fanout
from apps.core.periodic_fanout import network_work_mark, periodic_targets
from apps.outbox.services import outbox_enqueue
from apps.tenants.tasks import dispatch_to_tenants

TASK = "accounts.clear_expired_sessions"
HOUR = 3600.0
NOW = 1_900_000_000.0


@pytest.fixture(autouse=True)
def _no_marks():
    periodic_fanout._marked_at.clear()
    client = periodic_fanout._redis()
    keys = client.keys("fleet:*")
    if keys:
        client.delete(*keys)
    yield
    keys = client.keys("fleet:*")
    if keys:
        client.delete(*keys)


def test_without_marks_every_network_gets_every_task():
    assert periodic_targets(TASK, ["t_one", "t_two"], now=NOW) == ["t_one", "t_two"]
    assert periodic_targets(TASK, ["t_one", "t_two"], now=NOW + 60) == ["t_one", "t_two"]


def test_a_busy_network_gets_each_dispatch_an_idle_one_only_its_turn():
    network_work_mark("t_busy", now=NOW)
    schemas = ["t_busy", "t_idle"]
    assert periodic_targets(TASK, schemas, now=NOW) == schemas  # the idle one was never sent it
    assert periodic_targets(TASK, schemas, now=NOW + 60) == ["t_busy"]
    assert periodic_targets(TASK, schemas, now=NOW + 2 * HOUR) == ["t_busy"]
    assert periodic_targets(TASK, schemas, now=NOW + 6 * HOUR) == schemas  # its turn: within 6 h
    # Fifteen days without work: the busy one is idle too and waits for its turn like the other.
    later = NOW + 15 * 24 * HOUR
    assert periodic_targets(TASK, schemas, now=later) == schemas
    assert periodic_targets(TASK, schemas, now=later + 60) == []


def test_a_process_writes_a_networks_mark_at_most_once_a_minute():
    """Every outbox commit marks its network: the second within a minute costs no Redis write."""
    client = periodic_fanout._redis()
    network_work_mark("t_busy", now=NOW)
    client.delete("fleet:busy")  # a write now would show
    network_work_mark("t_busy", now=NOW + 30)
    assert client.zscore("fleet:busy", "t_busy") is None
    network_work_mark("t_other", now=NOW + 30)  # each network has its own minute
    assert client.zscore("fleet:busy", "t_other") == NOW + 30
    network_work_mark("t_busy", now=NOW + 61)
    assert client.zscore("fleet:busy", "t_busy") == NOW + 61


def test_each_periodic_task_keeps_its_own_turns():
    network_work_mark("t_other", now=NOW)
    assert periodic_targets(TASK, ["t_idle"], now=NOW) == ["t_idle"]
    assert periodic_targets("orders.outbox_sweep", ["t_idle"], now=NOW + 60) == ["t_idle"]
    assert periodic_targets(TASK, ["t_idle"], now=NOW + 120) == []


@pytest.mark.django_db
def test_committed_outbox_work_marks_its_network_busy_and_rolled_back_work_does_not(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    with schema_context(tenant_b.schema_name), django_capture_on_commit_callbacks(execute=False):
        outbox_enqueue(task_name=TASK, kwargs={})  # its transaction never commits
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(task_name=TASK, kwargs={})
    client = periodic_fanout._redis()
    assert client.zscore("fleet:busy", tenant_a.schema_name) is not None
    assert client.zscore("fleet:busy", tenant_b.schema_name) is None


@pytest.mark.django_db
def test_the_dispatcher_sends_only_to_networks_with_work_once_the_others_had_their_turn(tenant_a, tenant_b):
    """The first dispatch reaches every active network; the next only the one that has had work since."""
    network_work_mark("t_somewhere_else")  # marks exist, the rule applies
    everyone = dispatch_to_tenants.apply(args=(TASK,)).get()
    assert everyone >= 2
    network_work_mark(tenant_a.schema_name)
    assert dispatch_to_tenants.apply(args=(TASK,)).get() == 1
    assert connection.schema_name == "public"


class _BrokerRefuses(Task):
    def apply_async(self, *args, **kwargs):
        raise OperationalError("the broker refused the message")


@shared_task(name="tests.periodic_refused_by_the_broker", base=_BrokerRefuses)
def _refused_by_the_broker() -> None:
    """A periodic task the broker never takes."""


@pytest.mark.django_db
def test_a_network_the_broker_refused_the_task_for_is_still_due_at_the_next_dispatch(tenant_a):
    """The targets are recorded as sent before the sends: one refused must not wait out an idle turn (6 h)."""
    network_work_mark("t_somewhere_else")  # marks exist: an idle network gets the task only on its turn
    with pytest.raises(OperationalError):
        dispatch_to_tenants.apply(args=(_refused_by_the_broker.name,)).get()

    assert periodic_targets(_refused_by_the_broker.name, [tenant_a.schema_name]) == [tenant_a.schema_name]


def test_without_redis_every_network_gets_every_task():
    network_work_mark("t_busy", now=NOW)
    periodic_targets(TASK, ["t_busy", "t_idle"], now=NOW)
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):  # nothing listens there
        assert periodic_targets(TASK, ["t_busy", "t_idle"], now=NOW + 60) == ["t_busy", "t_idle"]
