"""The network's version for quotes: a counter in the network's cache bumped whenever something a quote reads
from the network (not its schedule: that is the plan version) is saved or deleted — workshops and their
machines, opening hours and closures, carriers and rate cards, the matching settings. With the plan version it
names the network state a cached quote was solved against, so a page asks the cache one question (two
counters) instead of the database four (settings, the workshops' middle, the last resource and rate-card
edits).

Bumped at once and again after the transaction commits: a quote solved between the two (on the old rows) is
cached under the first bump's version, never under the one that follows the commit. Queryset `update()` and
`bulk_create` send no signals (Stripe's eligibility fields are written so; a participant that loses it has its
work re-planned, which bumps the plan version); like that, a cached quote then lives out its few minutes.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

from apps.matching.plan_version import PLAN_VERSION_KEY, version_bump

logger = logging.getLogger(__name__)

NETWORK_VERSION_KEY = "matching:network-version"
# What a quote reads from the network, as "app_label.ModelName".
WATCHED_MODELS = (
    "suppliers.AssetOwner",
    "suppliers.ParticipantStatusChange",  # a status transition is a compare-and-swap update plus this row
    "suppliers.Resource",
    "suppliers.OpeningHours",
    "suppliers.CalendarException",
    "suppliers.Carrier",
    "suppliers.RateCard",
    "matching.MatchingSettings",
)


def quote_versions() -> tuple[int, int]:
    """(plan version, network version) in one round trip; (-1, -1) when the cache is unreachable."""
    try:
        found = cache.get_many([PLAN_VERSION_KEY, NETWORK_VERSION_KEY])
    except RedisError:
        logger.warning("Quote versions not read: the cache is unreachable", exc_info=True)
        return -1, -1
    return int(found.get(PLAN_VERSION_KEY) or 0), int(found.get(NETWORK_VERSION_KEY) or 0)


def network_version_bump() -> None:
    version_bump(NETWORK_VERSION_KEY)


def _network_edited(sender, created: bool = False, **kwargs) -> None:
    if created and sender._meta.label == "matching.MatchingSettings":
        return  # the settings row is made with the defaults on first use: nothing cached changes (a quote does)
    network_version_bump()
    transaction.on_commit(network_version_bump)


def network_version_watch() -> None:
    """Connects the bump to every watched model's saves and deletes (MatchingConfig.ready)."""
    from django.apps import apps

    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        post_save.connect(_network_edited, sender=model, dispatch_uid=f"quote-network-version:{label}")
        post_delete.connect(_network_edited, sender=model, dispatch_uid=f"quote-network-version:{label}")
