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


def _same_answers(timeline: Timeline, reference: Timeline, horizon: int) -> None:
    for duration in (1, 7, 30, 90):
        for earliest in range(0, horizon, 3):
            assert timeline.earliest_start(earliest, duration) == reference.earliest_start(earliest, duration)
    for t in range(0, horizon, 5):
        assert timeline.next_busy_after(t) == reference.next_busy_after(t)


@pytest.mark.parametrize("capacity", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_a_booking_taken_back_leaves_the_timeline_the_other_bookings_make(capacity, seed):
    """Ruin and recreate takes moved work off a copy of the plan's timeline instead of rebuilding it: the result
    answers every question as the timeline built from the closures and the remaining bookings does."""
    rng = random.Random(seed)
    closed = ((100, 140), (300, 320), (500, 600))
    timeline = Timeline(capacity, closed, horizon=600)
    bookings: list[tuple[int, int]] = []
    for _ in range(60):  # a valid plan's bookings: where the timeline says they fit, many of them touching
        start = timeline.earliest_start(rng.randrange(0, 450), rng.randrange(1, 50))
        if start is not None:
            end = min(600, start + rng.randrange(1, 50))
            if timeline.earliest_start(start, end - start) == start:
                timeline.book(start, end)
                bookings.append((start, end))
    rng.shuffle(bookings)
    taken_back, kept = bookings[: len(bookings) // 2], bookings[len(bookings) // 2 :]
    for start, end in taken_back:
        timeline.unbook(start, end)
    rebuilt = Timeline(capacity, closed, horizon=600)
    for start, end in sorted(kept):
        rebuilt.book(start, end)
    _same_answers(timeline, rebuilt, 600)
    for start, end in taken_back:  # and booking them again restores the full timeline
        timeline.book(start, end)
        rebuilt.book(start, end)
    _same_answers(timeline, rebuilt, 600)
