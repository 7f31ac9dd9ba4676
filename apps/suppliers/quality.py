"""The quality score of an asset owner: a pure function over outcome counts, with the formula it shows.

score = 100 × (60 % × pass rate + 40 % × on-time rate), over the last QUALITY_WINDOW_DAYS days, where
pass rate = passed checks / all checks and on-time rate = on-time deliveries / all deliveries. When only one
kind of outcome has been recorded, that rate alone makes the score; with none, there is no score yet (the
matching engine treats that as neutral, not as bad).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

QUALITY_WINDOW_DAYS = 90
QUALITY_WEIGHT = Fraction(3, 5)
ON_TIME_WEIGHT = Fraction(2, 5)
FORMULA = (
    "Quality score = 60 % × pass rate + 40 % × on-time rate, over the last 90 days. "
    "Pass rate = passed quality checks ÷ all quality checks; on-time rate = jobs finished on time ÷ all "
    "finished jobs. With only one of the two recorded, that rate alone counts; with neither, there is no "
    "score yet."
)


@dataclass(frozen=True, slots=True)
class QualityScore:
    passes: int
    fails: int
    on_time: int
    late: int
    score: float | None  # 0–100, one decimal; None without any outcome
    pass_rate: float | None  # 0–1
    on_time_rate: float | None  # 0–1
    window_days: int = QUALITY_WINDOW_DAYS
    formula: str = FORMULA

    @property
    def checks(self) -> int:
        return self.passes + self.fails

    @property
    def deliveries(self) -> int:
        return self.on_time + self.late


def _rate(good: int, bad: int) -> Fraction | None:
    return Fraction(good, good + bad) if good + bad else None


def quality_score(
    *, passes: int, fails: int, on_time: int, late: int, window_days: int = QUALITY_WINDOW_DAYS
) -> QualityScore:
    """Computes the score from counts over the window. Exact arithmetic; rounded once, at the end."""
    if min(passes, fails, on_time, late) < 0:
        raise ValueError("Outcome counts cannot be negative.")
    pass_rate = _rate(passes, fails)
    on_time_rate = _rate(on_time, late)
    if pass_rate is not None and on_time_rate is not None:
        value: Fraction | None = QUALITY_WEIGHT * pass_rate + ON_TIME_WEIGHT * on_time_rate
    else:
        value = pass_rate if pass_rate is not None else on_time_rate
    return QualityScore(
        passes=passes,
        fails=fails,
        on_time=on_time,
        late=late,
        score=None if value is None else round(float(value * 100), 1),
        pass_rate=None if pass_rate is None else float(pass_rate),
        on_time_rate=None if on_time_rate is None else float(on_time_rate),
        window_days=window_days,
    )
