"""Values kept in the cache under a fingerprint PostgreSQL computes of the rows they are computed from.

A page's value that is a pure function of some rows (a pay statement, a dashboard's utilisation) is computed
once and kept under the SHA-256 of those rows' text, which one SQL expression returns (for a page's own
statement as an annotation, or alone). Any change to any of those rows, by whatever path (queryset `update()`,
the admin, tasks: none of them has to bump a version), is a new fingerprint and so a new key: nothing is
invalidated, and an entry of older rows is never asked for again. The cache's key function is tenant-aware
(settings.CACHES), so one network never reads another's entries; callers put whatever scopes the value (the
participant, the part, the window) into the key besides the fingerprint.

A miss reads the fingerprint again and computes the value in one REPEATABLE READ transaction (one snapshot:
fragments.one_snapshot), so a write landing between the two cannot file newer rows under an older fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from apps.core.fragments import fingerprint_select, one_snapshot

T = TypeVar("T")
CONTENT_TIMEOUT_S = 24 * 3600  # content-keyed: an entry is never wrong, only unused after a change
_NONE = "none"  # a cached None (the cache's own None means "not cached")


def fingerprint_read(sql: str, params: dict) -> str:
    """`sql` is an SQL expression (with %(name)s parameters) whose value is the fingerprint."""
    return fingerprint_select(f"SELECT {sql}", params)


def content_cached(
    *,
    key: Callable[[str], str | None],
    fingerprint: str | None,
    fingerprint_sql: str,
    params: dict,
    compute: Callable[[], T],
    timeout: int = CONTENT_TIMEOUT_S,
) -> T:
    """`compute()`, from the cache under `key(fingerprint)` when it was computed from the same rows before.

    `fingerprint` is the value of `fingerprint_sql` when the caller read it with its own rows (None: it is read
    here, one statement). On a miss the value is filed under the fingerprint read in the computation's own
    snapshot. `key` returns None for a fingerprint that does not name the value (then it is computed, not kept)."""
    fingerprint = fingerprint or fingerprint_read(fingerprint_sql, params)
    first_key = key(fingerprint)
    found = cache.get(first_key) if first_key is not None else None
    if found is not None:
        return None if found == _NONE else found
    with one_snapshot():
        snapshot_key = key(fingerprint_read(fingerprint_sql, params))
        value = compute()
    if snapshot_key is not None:
        cache.set(snapshot_key, _NONE if value is None else value, timeout)
    return value
