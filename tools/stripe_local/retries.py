"""Stripe's webhook retry schedule (live mode): a failed delivery is retried with exponential back-off from
five minutes, at most a day apart, for up to three days. Standard library only, so test suites can import it
without pulling localstripe into their process.

The local server runs the same schedule faster: ``time_scale`` local seconds per Stripe second (default 1/60,
a Stripe minute is a local second, so a delivery is given up after 72 minutes).
"""

FIRST_RETRY_S = 5 * 60
LONGEST_INTERVAL_S = 24 * 3600
GIVES_UP_AFTER_S = 3 * 24 * 3600
DEFAULT_TIME_SCALE = 1 / 60


def retry_delays(time_scale: float) -> list[float]:
    """Seconds to wait before each retry (after the previous attempt), scaled by ``time_scale``."""
    delays, elapsed, delay = [], 0, FIRST_RETRY_S
    while elapsed + delay <= GIVES_UP_AFTER_S:
        delays.append(delay * time_scale)
        elapsed += delay
        delay = min(delay * 2, LONGEST_INTERVAL_S)
    return delays
