"""`migrate_schemas --executor=multiprocessing` for a fleet of networks (settings.GET_EXECUTOR_FUNCTION).

django-tenants' multiprocessing executor runs Django's whole migrate command per schema, in a pool of
`TENANT_MULTIPROCESSING_MAX_PROCESSES` processes: seconds per schema, more as the fleet grows (see
apps/tenants/schema_migrate.py for where the time went). This one keeps its pool and its options but migrates each
schema with `MigrationRun.migrate`, prepared once before the pool forks, and:

- runs the system checks once for the run, not once per schema (unless --skip-checks);
- keeps going after a schema fails and then fails itself, naming every schema that failed and why (the others
  are migrated; each failed schema's migration was rolled back in its transaction);
- prints a line per schema that changed (verbosity 1) or per schema (2), and a summary with the time per schema.

Options that only inspect or fake (--plan, --check, --prune, --fake…) and squashed migrations go to
django-tenants' executor unchanged.
"""

import os
import statistics
import time
import traceback

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_tenants.migration_executors import get_executor
from django_tenants.migration_executors.base import run_migrations
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor, get_pool
from django_tenants.signals import schema_migrated, schema_pre_migration

from apps.tenants.schema_migrate import MigrationRun, SchemaOutcome

# The run the pool's processes inherit when they fork (a MigrationRun holds the graph and rendered states: it
# is not sent to them).
_RUN: MigrationRun | None = None


def executor_for(codename: str | None = None):
    """django-tenants' executor for `codename`, this module's for "multiprocessing"."""
    codename = codename or os.environ.get("EXECUTOR")
    if codename == FleetMigrationExecutor.codename:
        return FleetMigrationExecutor
    return get_executor(codename)


class FleetMigrationExecutor(MultiprocessingExecutor):
    codename = "multiprocessing"

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        if self.PUBLIC_SCHEMA_NAME in tenants:
            run_migrations(self.args, self.options, self.codename, self.PUBLIC_SCHEMA_NAME)
            tenants.remove(self.PUBLIC_SCHEMA_NAME)
        if not tenants:
            return
        database = self.options.get("database") or self.TENANT_DB_ALIAS
        run = MigrationRun.prepare(database=database, options=self.options)
        if run is None:
            return super().run_migrations(tenants=tenants)
        if not self.options.get("skip_checks"):
            BaseCommand().check(databases=[database])
        started = time.perf_counter()
        outcomes = self._outcomes(run, tenants)
        self._report(outcomes, total=time.perf_counter() - started)

    def run_multi_type_migrations(self, tenants):
        raise NotImplementedError("Networks have one type here (HAS_MULTI_TYPE_TENANTS is off).")

    # --- inside

    def _outcomes(self, run: MigrationRun, schemas: list[str]) -> list[SchemaOutcome]:
        global _RUN  # the pool's processes inherit it when they fork
        processes = min(getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2), len(schemas))
        outcomes = []
        if processes <= 1:
            for index, schema in enumerate(schemas):
                outcomes.append(_schema_migrate(schema, run))
                self._progress(outcomes[-1], index, len(schemas))
            return outcomes
        connections[run.database].close()  # each process opens its own
        _RUN = run
        chunk = max(1, min(8, len(schemas) // (processes * 4)))
        pool = get_pool()
        try:
            for index, outcome in enumerate(pool.imap_unordered(_pooled_schema_migrate, schemas, chunk)):
                outcomes.append(outcome)
                self._progress(outcome, index, len(schemas))
        finally:
            pool.close()
            pool.join()
            _RUN = None
        return outcomes

    def _progress(self, outcome: SchemaOutcome, index: int, count: int) -> None:
        verbosity = int(self.options.get("verbosity", 1))
        if (
            outcome.error
            or verbosity >= 2
            or (verbosity >= 1 and (outcome.applied or outcome.post_migrate_ran))
        ):
            done = ", ".join(outcome.applied) or "nothing to apply"
            post = "; post_migrate work ran" if outcome.post_migrate_ran else ""
            state = f"FAILED: {outcome.error.strip().splitlines()[-1]}" if outcome.error else f"{done}{post}"
            print(f"[{index + 1}/{count} {outcome.schema}] {state} ({outcome.seconds:.3f} s)", flush=True)  # noqa: T201

    def _report(self, outcomes: list[SchemaOutcome], *, total: float) -> None:
        failed = [outcome for outcome in outcomes if outcome.error]
        if int(self.options.get("verbosity", 1)) >= 1:
            seconds = sorted(outcome.seconds for outcome in outcomes)
            changed = sum(1 for outcome in outcomes if outcome.applied)
            print(  # noqa: T201 - the command's output
                f"Migrated {len(outcomes)} schemas with"
                f" {min(getattr(settings, 'TENANT_MULTIPROCESSING_MAX_PROCESSES', 2), len(outcomes))} processes"
                f" in {total:.1f} s: {changed} applied migrations, {len(outcomes) - changed - len(failed)} had"
                f" nothing to apply, {len(failed)} failed; per schema median {statistics.median(seconds):.3f} s,"
                f" 90th percentile {seconds[int(len(seconds) * 0.9)]:.3f} s, max {seconds[-1]:.3f} s",
                flush=True,
            )
        if failed:
            for outcome in failed:
                print(f"--- {outcome.schema}\n{outcome.error}", flush=True)  # noqa: T201
            names = ", ".join(outcome.schema for outcome in failed)
            raise CommandError(f"{len(failed)} of {len(outcomes)} schemas failed to migrate: {names}")


def _pooled_schema_migrate(schema: str) -> SchemaOutcome:
    return _schema_migrate(schema, _RUN)


def _schema_migrate(schema: str, run: MigrationRun) -> SchemaOutcome:
    """One schema's migrate, timed; what it raised becomes the outcome's error (the run goes on)."""
    connection = connections[run.database]
    started = time.perf_counter()
    schema_pre_migration.send(run_migrations, schema_name=schema)
    try:
        outcome = run.migrate(schema)
    except Exception:
        outcome = SchemaOutcome(schema=schema, error=traceback.format_exc())
        if not connection.in_atomic_block:
            connection.close()  # whatever state it was left in, the next schema starts on a new connection
    else:
        schema_migrated.send(run_migrations, schema_name=schema)
    connection.set_schema_to_public()
    outcome.seconds = time.perf_counter() - started
    return outcome
