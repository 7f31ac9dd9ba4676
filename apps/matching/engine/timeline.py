"""A resource's busy time (calendar closures plus bookings) and the earliest slot that fits a new job.

Used by the greedy dispatcher and by the explanation; the validator checks plans with its own code.
"""

from __future__ import annotations

import bisect

from .domain import Interval


class Timeline:
    """Busy time of one resource. Closures take the whole capacity; each booking takes one unit.

    Time that is fully taken (closures, bookings on a single-unit resource, and the stretches where a multi-unit
    resource's bookings use every unit) is kept as sorted, merged, disjoint intervals, so a new one-unit booking
    fits exactly where it meets none of them; bookings on a multi-unit resource are also kept apart, to find the
    stretches each new one fills up.
    """

    def __init__(
        self, capacity: int = 1, closed: tuple[Interval, ...] = (), horizon: int | None = None
    ) -> None:
        self.capacity = max(1, capacity)
        self.horizon = horizon
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._items: list[tuple[int, int]] = []  # bookings of a multi-unit resource, sorted
        self._item_starts: list[int] = []
        self._longest = 0  # the longest booking: nothing starting earlier than t - longest reaches t
        for start, end in sorted(closed):
            if end > start:
                self._block(start, end)

    def copy(self) -> Timeline:
        clone = Timeline.__new__(Timeline)
        clone.capacity, clone.horizon = self.capacity, self.horizon
        clone._starts, clone._ends, clone._items = list(self._starts), list(self._ends), list(self._items)
        clone._item_starts, clone._longest = list(self._item_starts), self._longest
        return clone

    def book(self, start: int, end: int) -> None:
        if end <= start:
            return
        if self.capacity == 1:
            self._block(start, end)
        else:
            for full_start, full_end in self._filled_by(start, end):
                self._block(full_start, full_end)
            at = bisect.bisect_right(self._item_starts, start)
            self._items.insert(at, (start, end))
            self._item_starts.insert(at, start)
            self._longest = max(self._longest, end - start)

    def unbook(self, start: int, end: int) -> None:
        """Take back a booking of [start, end). Exact only when no booking meets a closure and no stretch is
        booked beyond the capacity (the timeline of a valid plan, or of part of one): then every fully taken
        minute of [start, end) was taken by this booking and the ones beside it, and freeing one unit frees it."""
        if end <= start:
            return
        if self.capacity > 1:
            at = bisect.bisect_left(self._item_starts, start)
            while self._items[at] != (start, end):
                at += 1
            del self._items[at], self._item_starts[at]
        starts, ends = self._starts, self._ends
        lo = bisect.bisect_right(ends, start)
        hi = bisect.bisect_left(starts, end)
        if lo >= hi:
            return
        kept_starts, kept_ends = [], []
        if starts[lo] < start:  # the part of the first block before the booking stays blocked
            kept_starts.append(starts[lo])
            kept_ends.append(start)
        if ends[hi - 1] > end:  # and the part of the last one after it
            kept_starts.append(end)
            kept_ends.append(ends[hi - 1])
        starts[lo:hi] = kept_starts
        ends[lo:hi] = kept_ends

    def _block(self, start: int, end: int) -> None:
        # merge with every interval that touches [start, end)
        lo = bisect.bisect_left(self._ends, start)
        hi = bisect.bisect_right(self._starts, end)
        if lo < hi:
            start = min(start, self._starts[lo])
            end = max(end, self._ends[hi - 1])
        self._starts[lo:hi] = [start]
        self._ends[lo:hi] = [end]

    def _filled_by(self, start: int, end: int) -> list[tuple[int, int]]:
        """The stretches of [start, end) where the bookings so far leave exactly one unit free (a multi-unit
        resource): a booking over them takes the last unit."""
        lo = bisect.bisect_right(self._item_starts, start - self._longest)
        hi = bisect.bisect_left(self._item_starts, end)
        events = []
        for s, e in self._items[lo:hi]:
            if e > start:
                events += [(max(s, start), 1), (min(e, end), -1)]
        if len(events) < 2 * (self.capacity - 1):
            return []
        events.sort()
        filled: list[tuple[int, int]] = []
        level, since = 0, start
        for t, delta in events:
            if level >= self.capacity - 1 and t > since:
                if filled and filled[-1][1] == since:
                    filled[-1] = (filled[-1][0], t)
                else:
                    filled.append((since, t))
            level += delta
            since = t
        return filled

    def earliest_start(self, earliest: int, duration: int) -> int | None:
        """Earliest start >= `earliest` such that [start, start+duration) fits; None if not before the horizon."""
        # the hot loop of every placement (ruin and recreate runs it millions of times a minute): every block from
        # the first one ending after t ends after t, so t simply moves to each block's end until a gap holds it
        starts, ends = self._starts, self._ends
        t = earliest
        i = bisect.bisect_right(ends, t)
        n = len(starts)
        while i < n and starts[i] < t + duration:
            t = ends[i]
            i += 1
        if self.horizon is not None and t + duration > self.horizon:
            return None
        return t

    def next_busy_after(self, t: int) -> int:
        """Start of the first fully busy stretch after minute t (a huge number when there is none)."""
        i = bisect.bisect_right(self._starts, t)
        return self._starts[i] if i < len(self._starts) else 1 << 60
