"""Every task has a queue, every queue has a worker: a long CP-SAT run never waits in front of a webhook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.brokers import queue_of

PROCFILE = Path(settings.BASE_DIR) / "Procfile"


def _project_tasks() -> list[str]:
    from config.celery import app

    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def _procfile_queues() -> dict[str, list[str]]:
    consumed = {}
    for line in PROCFILE.read_text().splitlines():
        process, _, command = line.partition(":")
        if " worker " in command:
            found = re.search(r"--queues=(\S+)", command)
            assert found, f"the {process} worker must name its queues: {command}"
            consumed[process] = found.group(1).split(",")
    return consumed


def test_every_task_goes_to_a_declared_queue():
    tasks = _project_tasks()
    assert len(tasks) > 20
    undeclared = {task: queue_of(task) for task in tasks if queue_of(task) not in settings.WORK_QUEUES}
    assert not undeclared, undeclared


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("payouts.webhook_event_process", "webhooks"),
        ("payouts.webhook_redrive", "webhooks"),
        ("payouts.transfer_send", "money"),
        ("payouts.charge_record", "money"),
        ("outbox.send_email", "email"),
        ("matching.commit_order", "planning"),
        ("matching.replan_order", "planning"),
        ("matching.batch_reoptimise", "batch"),
        ("uploads.analyse", "uploads"),
        ("payouts.reconcile", "money"),
        ("accounts.clear_expired_sessions", "celery"),
    ],
)
def test_work_is_kept_apart_by_kind(task, queue):
    assert queue_of(task) == queue


def test_each_queue_has_exactly_one_worker_pool_in_the_procfile():
    pools = _procfile_queues()
    consumed = [queue for queues in pools.values() for queue in queues]
    assert sorted(consumed) == sorted(settings.WORK_QUEUES), pools
    assert pools["batch"] == ["batch"], "batch re-optimisation must not share a pool with anything"
    assert pools["webhooks"] == ["webhooks"], "Stripe events wait behind nothing"
    assert "planning" not in pools["money"]


def test_the_solver_and_file_analysis_pools_yield_the_cpu_to_money_webhooks_and_email():
    commands = {line.partition(":")[0]: line.partition(":")[2] for line in PROCFILE.read_text().splitlines()}
    for pool in ("planning", "batch", "uploads"):
        assert commands[pool].strip().startswith("nice -n "), pool
    for pool in ("webhooks", "money", "worker"):
        assert "nice" not in commands[pool], pool
