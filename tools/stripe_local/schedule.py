"""Connected accounts' payout schedules (``settings.payouts.schedule``) and the automatic payouts they make.

As on Stripe, a new account is paid out ``daily``; ``interval`` is one of ``manual`` (payouts only through
``POST /v1/payouts``), ``daily``, ``weekly`` (``weekly_anchor``, default ``monday``) or ``monthly``
(``monthly_anchor``, 1–31, default 1), settable at create and update with ``delay_days`` (an integer or
``minimum``; reported, and the server's ``available_delay_days`` stands for ``minimum``).

Automatic payouts happen when the clock passes a payout day of the account's schedule (days are UTC): the
whole *available* balance of each currency is paid out (``payout.created`` then ``payout.paid`` on the
connected account, ``automatic: true``). Time passes when the test clock is advanced (``POST /_test/clock``)
or in real time, and is applied before every request; freezing a clock that was running in real time starts
a new timeline (nothing is paid for the jump).
"""

from datetime import UTC, datetime, timedelta

from . import clock, money, state
from .errors import invalid

INTERVALS = ("manual", "daily", "weekly", "monthly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_last_applied: tuple[int, int] | None = None  # (clock timeline, time)


@state.on_reset
def _new_timeline() -> None:
    global _last_applied
    _last_applied = None


def default_schedule() -> dict:
    return {"delay_days": money.settings.available_delay_days, "interval": "daily"}


def schedule_merge(current: dict, given: dict | None) -> dict:
    """The schedule after applying ``settings[payouts][schedule]`` (validated like Stripe's parameters)."""
    if not given:
        return current
    param = "settings[payouts][schedule]"
    schedule = dict(current)
    interval = given.get("interval", schedule.get("interval"))
    if interval not in INTERVALS:
        raise invalid(f"Invalid interval: must be one of {', '.join(INTERVALS)}", param=f"{param}[interval]")
    schedule["interval"] = interval
    if "delay_days" in given:
        delay = given["delay_days"]
        if delay == "minimum":
            delay = money.settings.available_delay_days
        try:
            delay = int(delay)
            if delay < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise invalid(
                "Invalid delay_days: an integer or `minimum`.", param=f"{param}[delay_days]"
            ) from None
        schedule["delay_days"] = delay
    schedule.pop("weekly_anchor", None)
    schedule.pop("monthly_anchor", None)
    if interval == "weekly":
        anchor = given.get("weekly_anchor", current.get("weekly_anchor", "monday"))
        if anchor not in WEEKDAYS:
            raise invalid("Invalid weekly_anchor: a day of the week.", param=f"{param}[weekly_anchor]")
        schedule["weekly_anchor"] = anchor
    if interval == "monthly":
        try:
            anchor = int(given.get("monthly_anchor", current.get("monthly_anchor", 1)))
            if not 1 <= anchor <= 31:
                raise ValueError
        except (TypeError, ValueError):
            raise invalid("Invalid monthly_anchor: 1 to 31.", param=f"{param}[monthly_anchor]") from None
        schedule["monthly_anchor"] = anchor
    return schedule


def payout_settings_merge(settings: dict, given: dict | None) -> dict:
    """The account's ``settings`` with ``given`` (the create/update parameter) merged in; schedule validated."""
    payouts = dict(settings.get("payouts") or {})
    schedule = payouts.get("schedule") or default_schedule()
    given = dict(given or {})
    given_payouts = dict(given.pop("payouts", None) or {})
    schedule = schedule_merge(schedule, given_payouts.pop("schedule", None))
    payouts = {"debit_negative_balances": False, "statement_descriptor": None, **payouts, **given_payouts}
    payouts["schedule"] = schedule
    return {**settings, **given, "payouts": payouts}


def _is_payout_day(schedule: dict, day: datetime) -> bool:
    interval = schedule.get("interval")
    if interval == "daily":
        return True
    if interval == "weekly":
        return WEEKDAYS[day.weekday()] == schedule.get("weekly_anchor", "monday")
    if interval == "monthly":
        next_day = day + timedelta(days=1)
        anchor = schedule.get("monthly_anchor", 1)
        # Anchors past the month's end pay on its last day.
        return day.day == anchor or (next_day.month != day.month and day.day < anchor)
    return False


def payout_day_passed(schedule: dict, after: int, until: int) -> bool:
    """Whether a payout day of ``schedule`` starts in (after, until] (Unix seconds, UTC days)."""
    if schedule.get("interval") not in INTERVALS[1:] or until <= after:
        return False
    day = datetime.fromtimestamp(after, tz=UTC).replace(hour=0, minute=0, second=0) + timedelta(days=1)
    end = datetime.fromtimestamp(until, tz=UTC)
    for _ in range(62):  # a monthly schedule meets its day within two months
        if day > end:
            return False
        if _is_payout_day(schedule, day):
            return True
        day += timedelta(days=1)
    return True


def elapsed() -> tuple[int, int] | None:
    """The span of time to apply since the last call ((after, until)), or None when nothing passed.

    A clock frozen from real time or returned to it starts a new timeline instead of paying for the jump."""
    global _last_applied
    now, timeline = clock.now(), clock.timeline()
    previous, _last_applied = _last_applied, (timeline, now)
    if previous is None or previous[0] != timeline or now <= previous[1]:
        return None
    return previous[1], now
