"""The network's rows a quote reads that change rarely — resources with their owners and calendars, the eligible
carriers with their rate cards — kept in this process between quotes, so a quote's problem reads only the
committed load from the database.

Keyed by the network (schema), its plan and network versions (network_version.py: the latter is bumped when
any of these rows is saved; a participant that loses Stripe eligibility, written by a queryset update, has its
work re-planned, which bumps the former) and the stamp of its resources (the last edit and how many there are:
one aggregate query; it also keeps a test's rows, rolled back without a bump, from serving the next test).
Kept at most KEEP_SECONDS, like the quote cache's answers but shorter. Re-plans and commits never use this:
they read the network afresh (problem_build without seeded reads).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.db import connection
from django.db.models import Count, Max

from apps.matching.problem.network import resources_of
from apps.suppliers.models import Resource
from apps.suppliers.selectors import carrier_list_eligible

MAX_ENTRIES = 64  # networks × process sets kept per process; small rows, a few hundred kB at most
KEEP_SECONDS = 60

_entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def network_reads(processes: frozenset[str], versions: tuple[int, int]) -> dict:
    """A `reads` dict for problem_build (its memo keys) holding the resources of `processes` with their
    calendars, and the eligible carriers, from this process's copy when the network has not changed."""
    resources_key = ("resources", processes, frozenset())
    if min(versions) < 0:  # the cache is unreachable: no version to trust, so problem_build reads afresh
        return {}
    stamp = Resource.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    network = (connection.schema_name, *versions, stamp["latest"], stamp["count"])
    return {
        resources_key: _kept((*network, resources_key), lambda: resources_of(set(processes), set())),
        "carriers": _kept((*network, "carriers"), lambda: list(carrier_list_eligible())),
    }


def _kept(key: tuple, read):
    now = time.monotonic()
    with _lock:
        kept = _entries.get(key)
        if kept is not None and now - kept[0] < KEEP_SECONDS:
            _entries.move_to_end(key)
            return kept[1]
    value = read()
    with _lock:
        _entries[key] = (now, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value
