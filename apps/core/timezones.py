"""Time zones a network may be set to: the IANA names this system's zoneinfo knows, nothing typed freely.

A stored name ZoneInfo cannot load ("Mars/Olympus_Mons") made every page of that network a 500; inputs offer
these choices and validate against them, and `zone_or_utc` is the reader's fallback for a row written before.
"""

from __future__ import annotations

import logging
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

# Files in the zoneinfo directory that are not zones a person would pick.
_NOT_ZONES = {"localtime", "posixrules", "Factory"}


@cache
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() - _NOT_ZONES))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            "%(value)s is not a time zone; choose one such as Europe/Amsterdam.",
            code="invalid_time_zone",
            params={"value": value},
        )


def zone_or_utc(name: str) -> ZoneInfo:
    """The zone, or UTC (logged) for a name that is no zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.error("Unknown time zone %r; using UTC", name)
        return ZoneInfo("UTC")
