"""The network's plan version: a counter in the network's cache bumped whenever a plan is applied (commit,
re-plan, batch: services/applying.plan_apply), so what was computed against the committed schedule (quotes:
quoting/cache.py, read with quoting/network_version.quote_versions) is never served after the schedule
changed. Keys go through the cache's KEY_FUNCTION (django_tenants.cache.make_key): each network has its own
counter. Services bump it and quotes read it, so it lives below both; so does the one way a version counter is
bumped (`version_bump`), which the network version (quoting/network_version.py) shares."""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PLAN_VERSION_KEY = "matching:plan-version"


def plan_version_bump() -> None:
    """A plan was applied: every cached quote of this network is stale (their keys name the old version)."""
    version_bump(PLAN_VERSION_KEY)


def version_bump(key: str) -> None:
    """Adds one to the network's counter `key` (made at 1, kept without expiry); logged when unreachable."""
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except RedisError:
        logger.warning("%s not bumped: the cache is unreachable", key, exc_info=True)
