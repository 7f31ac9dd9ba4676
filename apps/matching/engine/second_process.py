"""A second process for ruin and recreate, beside the search: a step is pure Python and holds the interpreter, so a
second thread only takes turns with the first on one core; a forked process uses the other one.

The search (lns.LargeNeighbourhoodSearch.run) forks once its plan is built: the child has the problem, the index
and the search's state as they were, with nothing to send over. Both then search from the same plan with their own
random streams, and each hands the other its plan whenever it has found a better one (EXCHANGE_S apart at most):
two searches that keep meeting at the better plan. A plan travels as its schedule and carriers, framed over two
pipes that neither side ever waits on (a frame that does not fit goes on the next turn); the receiver assembles it
on its own copy of the problem and takes it only when it costs what the sender said.

The child reports its CPU seconds in every frame, so the CPU clock (benchmarks) counts both processes. It stops when
its pipe closes (the search ended, or its process died), after sending its best plan, and it never touches what
the parent holds (database connections, progress callbacks, logging): it leaves with os._exit.
"""

from __future__ import annotations

import math
import os
import pickle
import random
import select
import signal
import struct
import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from .assemble import assemble_plan, carrier_choice
from .domain import FEASIBLE, Plan

if TYPE_CHECKING:
    from .lns import LargeNeighbourhoodSearch

# How often a side hands over its plan when it has a better one (and the child its CPU seconds): a plan is a few
# hundred kilobytes at marketplace scale and is assembled again on the other side, a few milliseconds each
EXCHANGE_S = 0.5
# Below this much time left a second process is not worth its start (a fork costs milliseconds, but its first
# plans reach the search an exchange or two later)
MIN_REMAINING_S = 2.0
# An exchange replays onto the plan it receives the orders this side moved this recently (the other side has
# them once this side's plan has reached it, an exchange or two later)
MOVES_KEPT_S = 3 * EXCHANGE_S
# How long the parent waits for the child's last plan once its own search is over
FINISH_S = 2.0

_HEADER = struct.Struct("<I")


class _Channel:
    """Frames (a pickle and its length) over a pair of non-blocking pipe ends."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self._in = bytearray()
        self._out = memoryview(b"")
        self.closed = False  # the other side is gone: its end closed, or it died
        self.ended = False  # everything it sent has been read

    def send(self, message: object) -> bool:
        """Queue a frame unless one is still on its way; False when it was not queued."""
        self.flush()
        if len(self._out) or self.closed:
            return False
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._out = memoryview(_HEADER.pack(len(data)) + data)
        self.flush()
        return True

    def flush(self) -> None:
        while len(self._out):
            try:
                written = os.write(self.write_fd, self._out)
            except BlockingIOError:
                return
            except OSError:  # the other side is gone
                self._out, self.closed = memoryview(b""), True
                return
            self._out = self._out[written:]

    def receive(self) -> list:
        while True:
            try:
                chunk = os.read(self.read_fd, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                self.closed = self.ended = True
                break
            self._in += chunk
        messages = []
        while len(self._in) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._in)
            if len(self._in) < _HEADER.size + size:
                break
            # frames come only from the forked twin of this process, over its private pipe
            messages.append(pickle.loads(self._in[_HEADER.size : _HEADER.size + size]))  # noqa: S301
            del self._in[: _HEADER.size + size]
        return messages

    def send_last(self, message: object) -> None:
        """Send this frame and whatever is still queued, waiting for the pipe: the last words of a side."""
        self.flush()
        os.set_blocking(self.write_fd, True)
        try:
            if len(self._out):
                os.write(self.write_fd, self._out)
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
            os.write(self.write_fd, _HEADER.pack(len(data)) + data)
        except OSError:
            pass


class Partner:
    """The other process, as one side sees it: plans to take from it, plans to hand it, its CPU seconds."""

    def __init__(self, channel: _Channel, pid: int | None) -> None:
        self.channel = channel
        self.pid = pid  # the child's, on the parent's side
        self.cpu_s = 0.0  # the child's CPU seconds as it last reported them (parent's side)
        self.plans_taken = 0
        self._sent: Plan | None = None
        self._sent_at = -math.inf
        self._moved: dict[str, float] = {}  # order -> when this side's own search last moved it

    def moved(self, orders: Iterable[str]) -> None:
        """This side's search moved these orders (an accepted step)."""
        now = time.perf_counter()
        for order_id in orders:
            self._moved[order_id] = now

    def exchange(self, search: LargeNeighbourhoodSearch) -> bool:
        """Take a better plan the other side sent, hand over ours when it is better than what we last sent (at
        most every EXCHANGE_S); False once the other side is gone."""
        for message in self.channel.receive():
            self._take(search, message)
        now = time.perf_counter()
        if now - self._sent_at >= EXCHANGE_S:
            plan = search.incumbent
            fresh = plan is not self._sent
            frame = (time.process_time(), *(_encoded(search, plan) if fresh else (None, None, None)))
            if (fresh or self.pid is None) and self.channel.send(frame):
                self._sent, self._sent_at = plan, now
        else:
            self.channel.flush()
        return not self.channel.closed

    def _take(self, search: LargeNeighbourhoodSearch, message: tuple) -> None:
        """The other side's plan, with this side's own recent moves replayed onto it where they fit: both
        searches' work survives an exchange (taking the better of two plans alone threw the other's away)."""
        cpu_s, objective, schedule, carriers = message
        if self.pid is not None:
            self.cpu_s = cpu_s
        if objective is None:
            return
        theirs = _decoded(search, schedule, carriers, objective)
        if theirs is None:
            return
        recent = time.perf_counter() - MOVES_KEPT_S
        self._moved = {o: at for o, at in self._moved.items() if at >= recent}
        merged = None
        if self._moved and search.reinsertion is not None:
            merged = search.reinsertion.replay(theirs, search.incumbent, self._moved)
        best = min(
            (p for p in (merged, theirs) if p is not None), key=lambda p: search._key(p, search.incumbent)
        )
        if search.adopt(best):
            self.plans_taken += 1
            if best is theirs:
                self._sent = theirs  # it came from there: nothing to send back
                self._moved.clear()  # this side's moves since are gone with its plan

    def finish(self, search: LargeNeighbourhoodSearch) -> None:
        """(Parent) close the child's input, take its last plan, and reap it."""
        os.close(self.channel.write_fd)
        deadline = time.perf_counter() + FINISH_S
        while not self.channel.ended and time.perf_counter() < deadline:
            select.select([self.channel.read_fd], [], [], max(0.0, deadline - time.perf_counter()))
            for message in self.channel.receive():
                self._take(search, message)
        os.close(self.channel.read_fd)
        _reap(self.pid)


def fork_partner(search: LargeNeighbourhoodSearch, stop_at: float | None) -> Partner | None:
    """(Parent) fork the second process and return the parent's side; None where a process cannot fork. The child
    runs ruin and recreate until its input closes, then hands over its best plan and exits."""
    if not hasattr(os, "fork"):
        return None
    to_child, from_parent = os.pipe()  # (read, write) ends
    to_parent, from_child = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(from_parent)
            os.close(to_parent)
            _child_search(search, Partner(_Channel(to_child, from_child), None), stop_at)
        except BaseException:  # a broken child must not take the search with it: the parent goes on alone
            traceback.print_exc()
            status = 1
        finally:
            os._exit(status)
    os.close(to_child)
    os.close(from_child)
    return Partner(_Channel(to_parent, from_parent), pid)


def _child_search(search: LargeNeighbourhoodSearch, partner: Partner, stop_at: float | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the search ends
    search.limits = replace(search.limits, on_progress=None)  # progress reaches the caller through the parent
    search.neighbourhoods = list(search._recreate_kinds)  # solver steps stay with the parent
    search.partner = partner
    search._loop(math.inf, stop_at, random.Random(search.limits.seed + 104_729), 1)
    partner.channel.send_last((time.process_time(), *_encoded(search, search.incumbent)))


def _encoded(search: LargeNeighbourhoodSearch, plan: Plan) -> tuple[int | None, list, dict]:
    """The plan as its objective, (resource, start) in the problem's order of operations, and every leg's carrier."""
    assignments = plan.assignments
    schedule = [
        (assignments[op.id].resource_id, assignments[op.id].start) for op in search.problem.operations
    ]
    return plan.objective, schedule, dict(carrier_choice(plan.legs))


def _decoded(search: LargeNeighbourhoodSearch, schedule: list, carriers: dict, objective: int) -> Plan | None:
    """The plan the other side sent, assembled here; None unless it costs what the sender said. Assembled on our
    plan first (only the orders that differ), and whole when a carrier changed without its order moving."""
    by_op = {op.id: tuple(at) for op, at in zip(search.problem.operations, schedule, strict=True)}
    for base in (search.incumbent, None):
        plan = assemble_plan(
            search.index, by_op, carrier_choice=carriers, method="reinsert", base=base, status=FEASIBLE
        )
        if plan.objective == objective:
            return plan
    return None


def _reap(pid: int | None) -> None:
    if pid is None:
        return
    deadline = time.perf_counter() + FINISH_S
    while time.perf_counter() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        time.sleep(0.01)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
