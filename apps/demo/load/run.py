"""One load run from start to end: copy the network, start the servers, run locust, clean up, summarise."""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from celery import current_app
from django.conf import settings

from apps.demo.load import server
from apps.demo.load.network import LoadNetworkError, load_network_create, load_network_drop
from apps.demo.load.summary import summarise
from apps.tenants.subdomains import schema_name_for

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


class LoadRunError(Exception):
    pass


@dataclass(frozen=True)
class LoadOptions:
    users: int = 10
    spawn_rate: float | None = None  # users started per second; default: all in the first second
    run_time: str = "30s"  # locust's syntax
    source: str = "demo"
    network: str = "loadbench"
    workers: int = 2
    job_orders: int = 12
    suppliers: int = 3
    broker_db: int = 15
    url: str = ""  # a running server on this database instead of the run's own gunicorn
    keep: bool = False


def run_seconds(run_time: str) -> int:
    """locust's run time syntax (30s, 2m, 1h30m, or plain seconds) → seconds."""
    total, number = 0, ""
    for char in run_time.strip():
        if char.isdigit():
            number += char
        elif char in "hms" and number:
            total += int(number) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
        else:
            raise LoadRunError(f"Run time {run_time!r}: use e.g. 30s, 2m or 1m30s.")
    return total + int(number or 0)


def load_benchmark_run(options: LoadOptions, *, say: Callable[[str], None]) -> dict:
    """Runs the benchmark and returns the JSON document to print; `say` gets progress lines. Raises LoadRunError
    (the run's folder of logs is kept then, and named)."""
    seconds = run_seconds(options.run_time)
    if options.users < 1 or not 1 <= seconds <= 600:
        raise LoadRunError("Users must be at least 1 and the run time between 1 s and 10 min.")
    if options.url and not server.is_loopback(options.url):
        raise LoadRunError(f"{options.url} is not a loopback address; load goes to this machine only.")
    broker_url = server.broker_url_for(settings.REDIS_URL, options.broker_db)
    # What the set-up enqueues goes to the run's broker database too (nothing has been sent yet).
    current_app.conf.broker_url = broker_url
    # Mails the set-up's orders trigger stay in memory instead of being printed among the results.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("stripe").setLevel(logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    stripe = web = None
    succeeded = False
    try:
        stripe = server.stripe_start(work)
        settings.STRIPE_LOCAL_URL = stripe.url
        started = time.monotonic()
        try:
            copy = load_network_create(
                source_slug=options.source,
                slug=options.network,
                customers=options.users,
                suppliers=options.suppliers,
                job_orders=options.job_orders,
            )
        except LoadNetworkError as error:
            raise LoadRunError(str(error)) from None
        jobs = sum(len(slot["jobs"]) for slot in copy.plan["suppliers"])
        if not jobs:
            raise LoadRunError("The copy planned no jobs for any workshop; is the demo network seeded?")
        say(
            f"Copied {options.source!r} to {copy.host} with {jobs} offered jobs in {time.monotonic() - started:.1f} s"
        )
        if not options.url:
            web = server.web_start(
                work, host=copy.host, workers=options.workers, stripe_url=stripe.url, broker_url=broker_url
            )
        load_before = [round(x, 2) for x in os.getloadavg()]
        stats = _locust(work, copy.plan, options, options.url or web.url, seconds)
        load_after = [round(x, 2) for x in os.getloadavg()]
        succeeded = True
    except (LoadRunError, server.ServerError) as error:
        raise LoadRunError(f"{error}\n(logs of the run: {work})") from None
    finally:
        for process in (web, stripe):
            if process is not None:
                process.stop()
        if not options.keep:
            with contextlib.suppress(LoadNetworkError):  # a real network of that name was never touched
                load_network_drop(slug=options.network)
        if succeeded and not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        forgotten = server.broker_forget_schema(broker_url, schema_name_for(options.network))
    return {
        "bench": "load",
        "users": options.users,
        "run_time": options.run_time,
        "server": options.url or f"gunicorn, {options.workers} sync workers, DEBUG off",
        "network": f"copy of {options.source!r}",
        "offered_jobs": jobs,
        "queued_tasks_dropped": forgotten,
        # Other work on a shared machine moves these numbers: the load average says how busy it was.
        "load_average": {"before": load_before, "after": load_after},
        **stats,
    }


def _locust(work: Path, plan: dict, options: LoadOptions, url: str, seconds: int) -> dict:
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    rate = options.spawn_rate or options.users
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url]
    command += ["--users", str(options.users), "--spawn-rate", str(rate), "--run-time", options.run_time]
    command += [
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    command += ["--json-file", str(work / "stats"), "--csv", str(work / "stats")]
    log_path = work / "locust.log"
    with open(log_path, "wb") as log:
        # Fixed argv: this interpreter running locust on our locustfile against a loopback URL.
        finished = subprocess.run(  # noqa: S603
            command,
            env={**os.environ, "LOAD_PLAN": str(plan_path)},
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
            check=False,
        )
    stats_path = work / "stats.json"
    if finished.returncode != 0 or not stats_path.exists():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise LoadRunError(f"locust failed ({finished.returncode}):\n{tail}")
    summary = summarise(json.loads(stats_path.read_text(encoding="utf-8")))
    summary["failure_messages"] = _failures(work / "stats_failures.csv")
    return summary


def _failures(csv_path: Path) -> dict[str, list[str]]:
    """The first few distinct failure messages per endpoint, from locust's failures CSV."""
    found: dict[str, list[str]] = {}
    if csv_path.exists():
        with open(csv_path, newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                messages = found.setdefault(row["Name"], [])
                if len(messages) < 3:
                    messages.append(f"{row['Error']} (x{row['Occurrences']})")
    return found
