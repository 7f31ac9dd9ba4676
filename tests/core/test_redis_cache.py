"""apps/core/redis_cache.py: Django's Redis cache, keeping one client per connection pool."""

from django.core.cache import cache


def test_one_client_serves_every_operation_and_the_cache_still_reads_what_it_wrote():
    cache.set("redis-cache-probe", {"a": 1}, 30)
    cache.set("redis-cache-counter", 1, 30)

    assert cache.get("redis-cache-probe") == {"a": 1}
    assert cache.incr("redis-cache-counter") == 2
    assert cache.get_many(["redis-cache-probe", "redis-cache-counter"]) == {
        "redis-cache-probe": {"a": 1},
        "redis-cache-counter": 2,
    }
    client = cache._cache.get_client()
    assert cache._cache.get_client() is client  # Django's own builds a new client every time
    assert cache._cache.get_client(write=True) is client  # one server: one pool for reads and writes
    cache.delete_many(["redis-cache-probe", "redis-cache-counter"])
    assert cache.get("redis-cache-probe") is None
