"""The timeline's earliest slot, checked against counting bookings minute by minute."""

import random

import pytest

from apps.matching.engine.timeline import Timeline


def _load(bookings: list[tuple[int, int]], minute: int) -> int:
    return sum(1 for start, end in bookings if start <= minute < end)


def _fits(bookings, closed, capacity, start, duration) -> bool:
    for minute in range(start, start + duration):
        if any(s <= minute < e for s, e in closed) or _load(bookings, minute) >= capacity:
            return False
    return True


@pytest.mark.parametrize("capacity", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_the_earliest_start_is_the_first_minute_where_a_unit_is_free_throughout(capacity, seed):
    """Multi-unit resources keep the stretches their bookings fill up as blocked time; a booking placed where
    the timeline says must never exceed the capacity, and no earlier start may fit."""
    rng = random.Random(seed)
    closed = [(100, 140), (300, 320)]
    timeline = Timeline(capacity, tuple(closed), horizon=600)
    bookings: list[tuple[int, int]] = []
    for _ in range(40):
        earliest, duration = rng.randrange(0, 400), rng.randrange(1, 60)
        start = timeline.earliest_start(earliest, duration)
        expected = next(
            (t for t in range(earliest, 601 - duration) if _fits(bookings, closed, capacity, t, duration)),
            None,
        )
        assert start == expected
        if start is not None:
            timeline.book(start, start + duration)
            bookings.append((start, start + duration))
    assert max(_load(bookings, minute) for minute in range(600)) <= capacity
