"""A network's cache entries, found by the schema name every key starts with (django_tenants.cache.make_key:
`<schema>:<prefix>:<version>:<key>`), so removing a network can remove them too."""

from __future__ import annotations

from django.core.cache import cache

SCAN_BATCH = 500


def network_cache_clear(*, schema_name: str) -> int:
    """Deletes every cache key written while `schema_name` was the connection's schema; returns how many."""
    client = cache._cache.get_client(write=True)  # Django's RedisCache: the one client the cache itself uses
    deleted = 0
    batch: list[bytes] = []
    # Schema names are [a-z0-9_] (django-tenants validates them): nothing in them is a glob character.
    for key in client.scan_iter(match=f"{schema_name}:*", count=SCAN_BATCH):
        batch.append(key)
        if len(batch) >= SCAN_BATCH:
            deleted += client.delete(*batch)
            batch.clear()
    if batch:
        deleted += client.delete(*batch)
    return deleted
