"""Ruin and recreate in a second, forked process beside the search (second_process.py): it uses the core the first
one leaves idle, hands over better plans, never reports progress itself, counts on the CPU clock, and is reaped."""

import multiprocessing
import os
import random
import signal
import time

import pytest

from apps.matching.engine.domain import CPU_CLOCK, Limits
from apps.matching.engine.lns import LargeNeighbourhoodSearch
from apps.matching.engine.second_process import Partner, _Channel
from apps.matching.engine.solver import planning_horizon
from apps.matching.engine.validator import validate_plan


def _search(index, plan, *, seconds: float, workers: int = 2, on_progress=None) -> LargeNeighbourhoodSearch:
    # CPU seconds: on the wall clock a loaded machine could leave either process no time to improve
    limits = Limits(time_limit_s=seconds, workers=workers, seed=1, clock=CPU_CLOCK, on_progress=on_progress)
    return LargeNeighbourhoodSearch(
        index,
        plan,
        horizon=planning_horizon(index, plan),
        limits=limits,
        started=limits.timer(),
        max_candidates=4,
        start_size=5,
    )


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_second_process_hands_over_better_plans_reports_nothing_itself_and_is_reaped(crowded, tmp_path):
    index, plan = crowded
    heard = tmp_path / "progress"

    def on_progress(elapsed, objective, bound):
        with heard.open("a") as f:  # a file: what a forked process wrote would show here too
            f.write(f"{os.getpid()}\n")

    search = _search(index, plan, seconds=2.5, on_progress=on_progress)
    better = search.run(search.clock() + 2.5, threads=2)
    assert search.partner is not None, "two workers and a marketplace: the search forked"
    assert validate_plan(index.problem, better) == []
    assert better.objective < plan.objective
    assert search.stats.from_second_process >= 1
    assert set(heard.read_text().split()) == {str(os.getpid())}, (
        "progress is reported by the first process only"
    )
    assert _gone(search.partner.pid)


def test_the_cpu_clock_counts_both_processes(crowded):
    index, plan = crowded
    search = _search(index, plan, seconds=3)
    own_cpu = time.process_time()
    started = search.clock()
    search.run(started + 3, threads=2)
    own_cpu = time.process_time() - own_cpu
    assert search.partner.cpu_s > 0.5
    # the budget is 3 s on the clock of two workers, 6 CPU seconds: both processes' CPU reached it together
    assert own_cpu + search.partner.cpu_s >= 2 * 3 - 1.0
    assert own_cpu < 2 * 3 - 0.5, "the first process alone did not spend the whole budget"


def test_one_worker_searches_in_one_process(crowded):
    index, plan = crowded
    search = _search(index, plan, seconds=1, workers=1)
    search.run(search.clock() + 1, threads=1)
    assert search.partner is None


def test_a_second_process_that_dies_leaves_the_search_going_on_alone(crowded):
    index, plan = crowded
    killed = []

    def on_progress(elapsed, objective, bound):
        if not killed and search.partner is not None:
            os.kill(search.partner.pid, signal.SIGKILL)
            killed.append(time.process_time())

    search = _search(index, plan, seconds=2.5, on_progress=on_progress)
    better = search.run(search.clock() + 2.5, threads=2)
    assert killed, "the second process was started and killed"
    assert validate_plan(index.problem, better) == []
    assert better.objective < plan.objective
    assert search.partner is None, "the first process noticed and let it go"
    assert time.process_time() > killed[0], "and searched on"


def _pipe_pair(first, second) -> list[int]:
    """Two searches' sides connected over a pair of pipes (the first plays the child); the fds to close."""
    a_to_b, b_to_a = os.pipe(), os.pipe()
    first.partner = Partner(_Channel(b_to_a[0], a_to_b[1]), None)
    second.partner = Partner(_Channel(a_to_b[0], b_to_a[1]), os.getpid())
    return [*a_to_b, *b_to_a]


def _improved(search, plan, pool, rng):
    """A cheaper plan that moved only a few orders of `pool`, and those orders."""
    while True:
        chosen = rng.sample(pool, 2)
        better = search.reinsertion.recreate(plan, list(chosen), rng)
        if better is not None:
            return better, chosen


def test_an_exchange_keeps_the_moves_of_both_sides_where_they_fit(crowded):
    """Each side moved different orders since they last met: the receiver replays its own moves onto the plan it
    gets, so the plan it keeps has both gains (an order's cost depends on its own placement only), not the
    better of the two alone."""
    index, plan = crowded
    sender, receiver = _search(index, plan, seconds=1), _search(index, plan, seconds=1)
    rng = random.Random(4)
    orders = [o.id for o in index.problem.orders]
    theirs, _ = _improved(sender, plan, orders[: len(orders) // 2], rng)
    for _ in range(50):
        mine, moved = _improved(receiver, plan, orders[len(orders) // 2 :], rng)
        if receiver.reinsertion.replay(theirs, mine, moved) is not None:
            break
    else:
        pytest.fail("no move of the receiver fits beside the sender's")
    sender.incumbent, receiver.incumbent = theirs, mine
    fds = _pipe_pair(sender, receiver)
    try:
        receiver.partner.moved(moved)
        receiver.partner._sent = mine  # it has nothing to send yet: only the sender's plan travels
        assert sender.partner.exchange(sender)
        deadline = time.monotonic() + 10
        while receiver.incumbent is mine and time.monotonic() < deadline:
            receiver.partner.exchange(receiver)
        kept = receiver.incumbent
        assert kept.objective == theirs.objective + mine.objective - plan.objective
        assert kept.objective < min(theirs.objective, mine.objective)
        assert validate_plan(index.problem, kept) == []
        for order_id in moved:
            for op_id in index.ops_of_order[order_id]:
                assert kept.assignments[op_id] == mine.assignments[op_id]
    finally:
        for fd in fds:
            os.close(fd)


def test_a_plan_handed_over_arrives_whole_and_only_a_better_one_is_taken(crowded):
    """Two sides over a pair of pipes: the plan assembled on the receiving side is the sender's, to the cent and
    the minute; the same plan sent back is not taken (it is no better)."""
    index, plan = crowded
    sender, receiver = _search(index, plan, seconds=1), _search(index, plan, seconds=1)
    rng = random.Random(2)
    orders = [o.id for o in index.problem.orders]
    while sender.incumbent.objective >= plan.objective:
        better = sender.reinsertion.recreate(sender.incumbent, rng.sample(orders, 3), rng)
        if better is not None:
            sender.incumbent = better
    fds = _pipe_pair(sender, receiver)
    try:
        assert sender.partner.exchange(sender)
        deadline = time.monotonic() + 10
        while receiver.incumbent is plan and time.monotonic() < deadline:
            receiver.partner.exchange(receiver)
        taken = receiver.incumbent
        assert taken.objective == sender.incumbent.objective
        assert dict(taken.assignments) == dict(sender.incumbent.assignments)
        assert sorted(taken.legs, key=repr) == sorted(sender.incumbent.legs, key=repr)
        assert receiver.partner.plans_taken == 1 and receiver.stats.improvements == 1
        sender.partner._sent_at = receiver.partner._sent_at = -1e9
        receiver.partner._sent = None  # make it send what it holds
        receiver.partner.exchange(receiver)
        assert receiver.partner._sent is taken, "the equal plan went back to the sender"
        held = sender.incumbent
        sender.partner.exchange(sender)
        assert sender.partner.plans_taken == 0 and sender.incumbent is held, "an equal plan is not taken"
    finally:
        for fd in fds:
            os.close(fd)


def _search_in_a_daemon(index, plan, answers) -> None:
    search = _search(index, plan, seconds=2.5)
    better = search.run(search.clock() + 2.5, threads=2)
    answers.put(
        (
            search.partner is not None,
            validate_plan(index.problem, better) == [],
            better.objective,
            os.getpid(),
        )
    )


def test_a_celery_like_daemon_process_forks_its_second_process_too(crowded):
    """Celery's prefork pool runs tasks in daemonic processes, which multiprocessing forbids to have children;
    the search forks with os.fork, which they may."""
    index, plan = crowded
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    worker = context.Process(target=_search_in_a_daemon, args=(index, plan, answers), daemon=True)
    worker.start()
    forked, valid, objective, pid = answers.get(timeout=60)
    worker.join(10)
    assert pid != os.getpid() and worker.exitcode == 0
    assert forked and valid and objective < plan.objective
