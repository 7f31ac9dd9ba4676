"""Busy time (calendar closures and pinned work) on a resource, as the start times that remain open.

Fixed work and operations pinned by the large-neighbourhood search are constants, never variables. On a
single-unit resource they and the calendar's closed hours become holes in the start domain of every operation
that may use it (exact, and far smaller than hundreds of fixed intervals); on a multi-unit resource they are
fixed intervals in its cumulative (closures take the whole capacity).
"""

from __future__ import annotations

from .state import ModelState


def encodes_busy_time(state: ModelState, resource_id: str) -> bool:
    """Single-unit resources carry their closures and fixed work as holes in the start domains of the
    operations that may use them, not as intervals: exact, and far smaller than hundreds of fixed intervals."""
    resource = state.index.resources[resource_id]
    return resource.capacity == 1 and bool(resource.closed or state.pinned_work.get(resource_id))


def start_slots(
    state: ModelState, resource_id: str, duration: int, lb: int, ub: int
) -> list[list[int]] | None:
    """Start times in [lb, ub] at which `duration` minutes fit between the resource's closures and fixed
    work, as intervals; None when the resource has no such busy time (any start will do)."""
    if not encodes_busy_time(state, resource_id):
        return None
    timeline = state.busy.get(resource_id)
    if timeline is None:
        timeline = state.index.calendar(resource_id).copy()
        for start, length in state.pinned_work.get(resource_id, ()):
            timeline.book(start, start + length)
        state.busy[resource_id] = timeline
    slots: list[list[int]] = []
    t = lb
    while t <= ub:
        start = timeline.earliest_start(t, duration)
        if start is None or start > ub:
            break
        gap_end = timeline.next_busy_after(start)
        slots.append([start, min(ub, gap_end - duration)])
        if gap_end >= ub + duration:
            break
        t = gap_end
    return slots
