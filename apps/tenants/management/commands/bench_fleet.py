"""Fleet benchmark: what a network costs as their number grows (JSON last line).

    python manage.py bench_fleet --networks 1000

Runs in a throwaway database (`--database`, dropped at the end unless --keep) against a Redis server of its own
(apps/tenants/throwaway_database.py). Inside it reports: provisioning time (each tenant_create, medians of the first and last 100), deletion
time, disk and catalog size per network, a no-op and a one-migration `migrate_schemas --tenant` over all of them
with django-tenants' parallel executor, beat's periodic fan-out (tasks enqueued a minute and worker time per
network, every network vs the rule of apps/core/periodic_fanout.py) and page latency with N schemas vs the first 10.
"""

import json
import re
import statistics
import subprocess
import sys
import time
import uuid

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

from apps.core import periodic_fanout
from apps.core.periodic_fanout import network_work_mark, periodic_targets
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_delete, tenant_public_ensure, tenant_template_ensure
from apps.tenants.tasks import dispatch_to_tenants
from apps.tenants.throwaway_database import inside_throwaway_database, rerun_in_throwaway_database

PAGES = ("/", "/accounts/login/")
# The executor's last line (apps/tenants/migration_executor.py).
SUMMARY = (
    r"in (?P<in_pool_s>[\d.]+) s: (?P<applied_count>\d+) applied migrations, (?P<unchanged_count>\d+) had nothing"
    r" to apply, (?P<failed_count>\d+) failed; per schema median (?P<per_schema_median_s>[\d.]+) s, 90th"
    r" percentile (?P<per_schema_p90_s>[\d.]+) s, max (?P<per_schema_max_s>[\d.]+) s"
)
DAY_S = 24 * 3600


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1) if values else 0.0


class Command(BaseCommand):
    help = "Provisions N networks in a throwaway database and measures what the fleet costs; JSON last line."

    def add_arguments(self, parser):
        parser.add_argument("--networks", type=int, default=200)
        parser.add_argument("--database", default="cf_bench_fleet", help="throwaway database (dropped after)")
        parser.add_argument("--busy-share", type=float, default=0.05, help="share of networks with work")
        parser.add_argument(
            "--migration-app", default="catalog", help="app whose newest migration is re-applied"
        )
        parser.add_argument("--delete-sample", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="measure only the migrate runs in the networks a run with --keep left in --database",
        )
        parser.add_argument(
            "--skip-migrations", action="store_true", help="leave out the migrate_schemas runs"
        )

    def handle(self, *args, **options):
        if inside_throwaway_database():
            return self._bench(**options)
        return self._outside(**options)

    def _outside(self, *, database: str, keep: bool, reuse: bool, **options):
        rerun_in_throwaway_database(command="bench_fleet", database=database, keep=keep, reuse=reuse)

    # --- inside the throwaway database

    def _bench(
        self,
        *,
        networks: int,
        busy_share: float,
        migration_app: str,
        delete_sample: int,
        skip_migrations: bool,
        reuse: bool,
        **options,
    ):
        if reuse:
            schemas = Tenant.objects.exclude(schema_name=get_public_schema_name()).count()
            result = {"networks": schemas - 1, "reused": True}  # the template is one of them
            if not skip_migrations:
                result["migrate"] = self._migrations(migration_app, schemas=schemas)
            self.stdout.write(json.dumps(result))
            return
        self._run_manage("migrate_schemas", "--shared", "-v0")
        tenant_public_ensure()
        tenant_template_ensure()
        run = uuid.uuid4().hex[:4]
        baseline = min(10, networks)
        size0 = self._sizes()
        provisioning: list[float] = []
        result: dict = {"networks": networks}
        for i in range(networks):
            started = time.perf_counter()
            tenant_create(
                name=f"Fleet {i}",
                subdomain=f"fleet-{run}-{i}",
                currency="EUR",
                admin_email=f"owner{i}@fleet.test",
                admin_password="fleet-bench-password-1",  # noqa: S106 - throwaway benchmark networks
            )
            provisioning.append(time.perf_counter() - started)
            if (i + 1) % 50 == 0 or i + 1 == networks:
                self._progress(
                    f"provisioned {i + 1}/{networks}: first 100 median {statistics.median(provisioning[:100]):.3f} s,"
                    f" last 50 median {statistics.median(provisioning[-50:]):.3f} s"
                )
            if i + 1 == baseline:
                result["page_ms_at_10"] = self._page_latency(f"fleet-{run}-0")
        sample = min(100, max(networks // 2, 1))
        size1 = self._sizes()
        result["provision_s"] = {
            "first_median": round(statistics.median(provisioning[:sample]), 3),
            "last_median": round(statistics.median(provisioning[-sample:]), 3),
            "max": round(max(provisioning), 3),
            "sample": sample,
        }
        result["per_network_mb"] = {
            "disk": round((size1["database"] - size0["database"]) / networks / 2**20, 2),
            "catalog": round((size1["catalog"] - size0["catalog"]) / networks / 2**20, 2),
        }
        result[f"page_ms_at_{networks}"] = self._page_latency(f"fleet-{run}-0")
        self._progress(f"pages: {result.get('page_ms_at_10')} -> {result[f'page_ms_at_{networks}']}")
        if not skip_migrations:
            result["migrate"] = self._migrations(migration_app, schemas=networks + 1)
            self._progress(f"migrate: {result['migrate']}")
        result["beat"] = self._fanout(busy_share=busy_share)
        self._progress(f"beat: {result['beat']}")
        if delete_sample:
            result["delete_s"] = self._deletions(delete_sample)
        self.stdout.write(json.dumps(result))

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # a long run's progress shows in a log file as it goes

    def _run_manage(self, *argv: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", *argv], check=True)  # noqa: S603 - ourselves
        return time.perf_counter() - started

    def _sizes(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_database_size(current_database()), (SELECT sum(pg_total_relation_size(oid)) FROM pg_class"
                " WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r')"
            )
            database, catalog = cursor.fetchone()
        return {"database": database, "catalog": int(catalog)}

    def _page_latency(self, slug: str, repeat: int = 30) -> dict:
        connection.set_schema_to_public()
        client = Client(HTTP_HOST=f"{slug}.{settings.PLATFORM_DOMAIN}")
        latency = {}
        for path in PAGES:
            timings = []
            for attempt in range(repeat + 3):
                started = time.perf_counter()
                response = client.get(path)
                if attempt >= 3:
                    timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
            latency[path] = _median_ms(timings)
        connection.set_schema_to_public()
        return latency

    def _migrations(self, app: str, *, schemas: int) -> dict:
        """A no-op run, then the app's newest migration rolled back everywhere and applied again (the deploy),
        each the deploy's command (apps/tenants/migration_executor.py: system checks once, 2 processes)."""
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        leaf = max(name for (label, name) in loader.graph.leaf_nodes() if label == app)
        parents = [name for (label, name) in loader.graph.node_map[(app, leaf)].parents if label == app]
        previous = parents[0] if parents else "zero"
        if dependents := [child.key for child in loader.graph.node_map[(app, leaf)].children]:
            raise CommandError(f"{app}.{leaf} has dependents ({dependents}): choose another --migration-app.")
        connection.close()  # the pool's processes open their own; this one's would idle meanwhile
        result = {
            "schemas": schemas,
            "processes": getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2),
            "migration": f"{app}.{leaf}",
            "command": "migrate_schemas --tenant --executor=multiprocessing",
        }
        for name, argv in (("noop", ()), ("rollback", (app, previous)), ("one_migration", ())):
            seconds, summary = self._migrate_timed(*argv)
            result[name] = {"total_s": round(seconds, 1), **summary}
            self._progress(f"migrate {name}: {result[name]}")
        return result

    def _migrate_timed(self, *argv: str) -> tuple[float, dict]:
        """The command's wall time (process start included) and its summary line's figures."""
        started = time.perf_counter()
        completed = subprocess.run(  # noqa: S603 - ourselves
            [sys.executable, "manage.py", "migrate_schemas", *argv, "--tenant", "--executor=multiprocessing"],
            check=False,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if completed.returncode:
            raise CommandError(
                f"migrate_schemas {' '.join(argv)} failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
            )
        summary = re.search(SUMMARY, completed.stdout)
        if not summary:
            raise CommandError(f"migrate_schemas printed no summary:\n{completed.stdout[-2000:]}")
        figures = {key: float(value) for key, value in summary.groupdict().items()}
        return seconds, {
            key: int(value) if key.endswith("count") else value for key, value in figures.items()
        }

    def _fanout(self, *, busy_share: float) -> dict:
        """Tasks beat enqueues a minute and worker time a network spends on periodic tasks, sending every task
        to every network (before) vs the rule (after), over a simulated day after a first day of history."""
        schemas = list(Tenant.objects.filter(slug__startswith="fleet-").values_list("schema_name", flat=True))
        client = periodic_fanout._redis()
        for key in client.scan_iter("fleet:*"):
            client.delete(key)
        busy = schemas[: max(1, int(len(schemas) * busy_share))]
        schedule = [
            (entry["args"][0], float(entry["schedule"]))
            for entry in settings.CELERY_BEAT_SCHEDULE.values()
            if entry["task"] == "tenants.dispatch_to_tenants"
        ]
        task_ms = self._periodic_task_ms(schemas[-1], [task for task, _ in schedule])
        start = time.time()
        for schema in busy:
            network_work_mark(schema, now=start + DAY_S)  # work came in just before the measured day
        sent_busy = sent_idle = 0
        worker_busy_ms = worker_idle_ms = 0.0
        busy_set = set(busy)
        for task, interval in schedule:
            tick = 0.0
            while tick < 2 * DAY_S:
                targets = periodic_targets(task, schemas, now=start + tick)
                if tick >= DAY_S:  # the second day: every network has a history
                    in_busy = sum(1 for schema in targets if schema in busy_set)
                    sent_busy += in_busy
                    sent_idle += len(targets) - in_busy
                    worker_busy_ms += in_busy * task_ms[task]
                    worker_idle_ms += (len(targets) - in_busy) * task_ms[task]
                tick += interval
        minutes = DAY_S / 60
        idle_count = len(schemas) - len(busy)
        before_per_min = sum(len(schemas) * 60 / interval for _, interval in schedule)
        before_worker_ms = sum(60 / interval * task_ms[task] for task, interval in schedule)
        for key in client.scan_iter("fleet:*"):
            client.delete(key)
        started = time.perf_counter()
        sent_now = dispatch_to_tenants.apply(args=("accounts.clear_expired_sessions",)).get()
        dispatch_s = time.perf_counter() - started
        return {
            "networks": len(schemas),
            "busy": len(busy),
            "task_ms": task_ms,
            "before_tasks_per_min": round(before_per_min, 1),
            "after_tasks_per_min": round((sent_busy + sent_idle) / minutes, 1),
            "before_worker_ms_per_network_per_min": round(before_worker_ms, 2),
            "after_worker_ms_per_busy_network_per_min": round(
                worker_busy_ms / max(len(busy), 1) / minutes, 2
            ),
            "after_worker_ms_per_idle_network_per_min": round(
                worker_idle_ms / max(idle_count, 1) / minutes, 3
            ),
            "dispatch_everyone_s": round(dispatch_s, 2),
            "dispatch_everyone_sent": sent_now,
        }

    def _periodic_task_ms(self, schema: str, tasks: list[str]) -> dict[str, float]:
        """Each periodic task run once (in this process, as a worker would) in an idle network."""
        current_app.loader.import_default_modules()
        timings = {}
        for name in dict.fromkeys(tasks):
            with schema_context(schema):
                started = time.perf_counter()
                outcome = current_app.tasks[name].apply()
                timings[name] = round((time.perf_counter() - started) * 1000, 1)
                if outcome.failed():
                    self.stderr.write(f"{name} failed in an idle network: {outcome.result!r}")
        return timings

    def _deletions(self, count: int) -> dict:
        connection.set_schema_to_public()
        timings = []
        for tenant in list(Tenant.objects.filter(slug__startswith="fleet-").order_by("-created_at")[:count]):
            started = time.perf_counter()
            tenant_delete(tenant=tenant, confirm_slug=tenant.slug)
            timings.append(time.perf_counter() - started)
        return {
            "median": round(statistics.median(timings), 3),
            "max": round(max(timings), 3),
            "sample": count,
        }
