"""One `bench_pages` run: copy the demo network, serve it with gunicorn, measure each page and the floor with wrk
in alternation, drop the copy, summarise as ratios of the floor.

The machine is shared, so absolute req/s move with everyone else's work; a ratio to the floor measured in the
same minutes does not (much). Each round measures the floor, then every page; a page's ratio in a round is its
req/s over the mean of the floor just before and just after the round's pages; the run reports the median round.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.demo.load import server
from apps.demo.load.network import LoadNetworkError, load_network_drop
from apps.demo.pages.targets import FLOOR, Page, pages_network_create
from apps.demo.pages.wrk import WrkError, wrk_path, wrk_run

WARM_UP_REQUESTS = 10  # per page: templates compiled and caches filled in both workers before any timing


class PagesRunError(Exception):
    pass


@dataclass(frozen=True)
class PagesOptions:
    seconds: int = 5
    rounds: int = 3
    threads: int = 2
    connections: int = 20
    workers: int = 2
    source: str = "demo"
    network: str = "pagebench"
    pool: int = 0  # psycopg pool size per web worker (DATABASE_POOL_MAX_SIZE); 0: persistent connections
    compare_pool: int = 0  # > 0: a second server with a pool of this size, each page measured on both in turn
    only: str = ""  # only pages whose name contains this
    broker_db: int = 15
    keep: bool = False


def pages_benchmark_run(options: PagesOptions, *, say: Callable[[str], None]) -> dict:
    if options.seconds < 1 or options.rounds < 1:
        raise PagesRunError("Seconds and rounds must be at least 1.")
    wrk_path()
    broker_url = server.broker_url_for(settings.REDIS_URL, options.broker_db)
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    stripe = web = pooled = None
    try:
        stripe = server.stripe_start(work)
        copy = pages_network_create(source_slug=options.source, slug=options.network)
        pages = [page for page in copy.pages if options.only.lower() in page.name.lower()]

        def serve(pool: int, name: str) -> server.Running:
            (work / name).mkdir()
            extra_env = {"BENCH_FLOOR_PAGE": "true", "DATABASE_POOL_MAX_SIZE": str(pool)}
            running = server.web_start(
                work / name,
                host=copy.host,
                workers=options.workers,
                stripe_url=stripe.url,
                broker_url=broker_url,
                extra_env=extra_env,
            )
            for page in [FLOOR, *pages]:
                _warm_up(running.url, copy.host, page)
            return running

        web = serve(options.pool, "web")
        pooled = serve(options.compare_pool, "web-pooled") if options.compare_pool else None
        queries = {page.name: _query_count(copy.host, page) for page in pages}
        say(f"Serving a copy of {options.source!r} at {copy.host} ({web.url}); {len(pages)} pages")
        load_before = [round(x, 2) for x in os.getloadavg()]
        rounds = _measure(web.url, pooled.url if pooled else "", copy.host, pages, options, say)
        load_after = [round(x, 2) for x in os.getloadavg()]
    except (PagesRunError, LoadNetworkError, server.ServerError, WrkError) as error:
        raise PagesRunError(f"{error}\n(logs of the run: {work})") from None
    finally:
        for process in (web, pooled, stripe):
            if process is not None:
                process.stop()
        if not options.keep:
            with contextlib.suppress(LoadNetworkError):
                load_network_drop(slug=options.network)
    shutil.rmtree(work, ignore_errors=True)
    return _summary(rounds, pages, queries, options, load_before, load_after)


def _warm_up(url: str, host: str, page: Page) -> None:
    """A few sequential requests; every one must answer 200 (a redirect to the sign-in page measures nothing)."""
    parts = urlsplit(url)
    for _ in range(WARM_UP_REQUESTS):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request("GET", page.path, headers=page.headers(host))
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise PagesRunError(f"{page.name} ({page.path}) answered {response.status}, not 200.")


def _query_count(host: str, page: Page) -> int:
    """The page's statements, served in this process (the same code and data as gunicorn's)."""
    client = Client(HTTP_HOST=host)
    if page.session:
        client.cookies[settings.SESSION_COOKIE_NAME] = page.session
    client.get(page.path)  # warm: content types, sessions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.path)
    if response.status_code != 200:
        raise PagesRunError(f"{page.name} answered {response.status_code} in-process.")
    return len(captured.captured_queries)


def _measure(
    url: str, pooled_url: str, host: str, pages: list[Page], options: PagesOptions, say
) -> list[dict]:
    """Rounds of the floor and every page; with `pooled_url`, each is measured on the pooled server right after,
    and the round also keeps pooled req/s over persistent req/s per page."""

    def one(page: Page, base: str = url):
        measured = wrk_run(
            base + page.path,
            page.headers(host),
            seconds=options.seconds,
            threads=options.threads,
            connections=options.connections,
        )
        if measured.failed:
            raise PagesRunError(f"{page.name}: {measured.failed} failed requests of {measured.requests}.")
        return measured.requests_per_s

    def pool_gain(page: Page, persistent: float) -> float:
        return one(page, pooled_url) / persistent if persistent else 0.0

    rounds = []
    floor_before = one(FLOOR)
    for number in range(1, options.rounds + 1):
        rates, pool = {}, {}
        for page in [FLOOR, *pages] if pooled_url else pages:
            rates[page.name] = one(page)
            if pooled_url:
                pool[page.name] = pool_gain(page, rates[page.name])
        rates.pop(FLOOR.name, None)
        floor_after = one(FLOOR)
        floor = (floor_before + floor_after) / 2
        if not floor:
            raise PagesRunError(
                f"The floor page answered nothing in {options.seconds} s: the machine is too busy to measure; "
                "retry later or with more --seconds."
            )
        rounds.append({"floor_rps": floor, "rps": rates, "pool_vs_persistent": pool})
        say(
            f"round {number}: floor {floor:.0f} req/s; "
            + ", ".join(f"{name} {rate / floor:.2f}" for name, rate in rates.items())
        )
        floor_before = floor_after
    return rounds


def _summary(rounds, pages, queries, options, load_before, load_after) -> dict:
    rows = {}
    for page in pages:
        ratios = [r["rps"][page.name] / r["floor_rps"] for r in rounds]
        rows[page.name] = {
            "path": page.path,
            "ratio": round(statistics.median(ratios), 3),
            "ratios": [round(ratio, 3) for ratio in ratios],
            "rps": round(statistics.median(r["rps"][page.name] for r in rounds), 1),
            "queries": queries[page.name],
        }
        if options.compare_pool:
            gains = [r["pool_vs_persistent"][page.name] for r in rounds]
            rows[page.name]["pool_vs_persistent"] = round(statistics.median(gains), 3)
    if options.compare_pool:
        gains = [r["pool_vs_persistent"][FLOOR.name] for r in rounds]
        floor_gain = {"floor_pool_vs_persistent": round(statistics.median(gains), 3)}
    else:
        floor_gain = {}
    return {
        "bench": "pages",
        "server": f"gunicorn, {options.workers} sync workers, DEBUG off",
        "load": f"wrk -t{options.threads} -c{options.connections} -d{options.seconds}s per page and round",
        "connections": f"psycopg pool, {options.pool} per worker"
        if options.pool
        else "persistent (CONN_MAX_AGE)",
        "rounds": options.rounds,
        "floor_rps": round(statistics.median(r["floor_rps"] for r in rounds), 1),
        **floor_gain,
        "compare_pool": options.compare_pool or None,
        "pages": rows,
        "slowest_ratio": min((row["ratio"] for row in rows.values()), default=None),
        # Other work on a shared machine moves the req/s (less the ratios): the load average says how busy it was.
        "load_average": {"before": load_before, "after": load_after},
    }
