"""Locust's final stats (`--json-file`, one entry per request name) → the run's JSON: per endpoint the requests,
failures, p50/p95/p99 in ms and requests per second, and the same for all requests together.

Percentiles come from each entry's response-time histogram exactly as locust computes them
(`locust.stats.calculate_response_time_percentile`); requests per second are counted over the whole run (the
first entry's start to the last request), as locust's `total_rps` does. Nothing here imports locust.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


def percentile(histogram: Mapping[int, int], count: int, fraction: float) -> int:
    """The response time within which `fraction` of `count` requests finished (locust's algorithm: walk the
    buckets from the slowest down until what is left is no more than the wanted share)."""
    wanted = int(count * fraction)
    seen = 0
    for response_time in sorted(histogram, reverse=True):
        seen += histogram[response_time]
        if count - seen <= wanted:
            return response_time
    return 0


def _histogram(entry: Mapping) -> dict[int, int]:
    # JSON turns the integer keys into strings.
    return {int(float(key)): int(value) for key, value in (entry.get("response_times") or {}).items()}


def _row(requests: int, timed: int, failures: int, histogram: dict[int, int], seconds: float) -> dict:
    row = {"requests": requests, "failures": failures}
    for name, fraction in PERCENTILES.items():
        row[name] = percentile(histogram, timed, fraction) if timed else None
    row["requests_per_s"] = round(requests / seconds, 2) if seconds > 0 else None
    return row


def summarise(entries: Iterable[Mapping]) -> dict:
    """Locust's serialized stats entries → {"endpoints": {name: row}, "total": row, "seconds": run length}."""
    entries = list(entries)
    starts = [entry["start_time"] for entry in entries if entry.get("start_time")]
    ends = [entry["last_request_timestamp"] for entry in entries if entry.get("last_request_timestamp")]
    seconds = (max(ends) - min(starts)) if starts and ends else 0.0
    endpoints: dict[str, dict] = {}
    total_histogram: dict[int, int] = {}
    totals = {"requests": 0, "timed": 0, "failures": 0}
    for entry in sorted(entries, key=lambda e: e["name"]):
        histogram = _histogram(entry)
        timed = entry["num_requests"] - entry.get("num_none_requests", 0)
        name = entry["name"] if entry["name"] not in endpoints else f"{entry['name']} ({entry.get('method')})"
        endpoints[name] = _row(entry["num_requests"], timed, entry["num_failures"], histogram, seconds)
        totals["requests"] += entry["num_requests"]
        totals["timed"] += timed
        totals["failures"] += entry["num_failures"]
        for key, value in histogram.items():
            total_histogram[key] = total_histogram.get(key, 0) + value
    total = _row(totals["requests"], totals["timed"], totals["failures"], total_histogram, seconds)
    return {"endpoints": endpoints, "total": total, "seconds": round(seconds, 2)}
