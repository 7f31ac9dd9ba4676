"""A clock the throttle reads (apps/accounts/throttle.clock) that a test moves by hand instead of sleeping."""

import time

import pytest

from apps.accounts import throttle


class HandClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> HandClock:
    hand = HandClock()
    monkeypatch.setattr(throttle, "clock", hand)
    return hand
