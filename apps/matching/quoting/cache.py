"""Quotes kept for a few minutes in the network's own cache, keyed by what they answer: the operations and
quantities, the destination, the requested day, and the network's plan and network versions
(apps/matching/plan_version.py, network_version.py), so a quote never outlives the schedule or the network it
was solved against. Keys go through the cache's KEY_FUNCTION (django_tenants.cache.make_key), which puts the
tenant's schema in every key: one network never reads another's quotes. If the cache is unreachable quotes are solved every time (logged).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

QUOTE_KEY_PREFIX = "matching:quote:"
# Short: the origin moves with the clock and calendars or resources may change without a commit.
QUOTE_CACHE_SECONDS = 300

T = TypeVar("T")


def quote_key(question: dict, versions: tuple[int, int]) -> str:
    """The cache key of a quote question (any JSON-able dict; dates and decimals as text) at the network's
    (plan version, network version)."""
    plan, network = versions
    payload = json.dumps(
        {**question, "plan_version": plan, "network_version": network}, sort_keys=True, default=str
    )
    return QUOTE_KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()


def quote_cached(key: str, compute: Callable[[], T], *, usable: Callable[[T], bool] = lambda _: True) -> T:
    """The cached answer under `key` if there is one `usable`, else `compute()` stored under it."""
    try:
        hit = cache.get(key)
    except RedisError:
        logger.warning("Quote cache not read: the cache is unreachable", exc_info=True)
        return compute()
    if hit is not None and usable(hit):
        return hit
    answer = compute()
    try:
        cache.set(key, answer, timeout=QUOTE_CACHE_SECONDS)
    except RedisError:
        logger.warning("Quote not cached: the cache is unreachable", exc_info=True)
    return answer


def quotes_cached_many(keys: list[str]) -> dict:
    """The cached answers among `keys` in one round trip ({} when the cache is unreachable)."""
    try:
        return cache.get_many(keys)
    except RedisError:
        logger.warning("Quote cache not read: the cache is unreachable", exc_info=True)
        return {}
