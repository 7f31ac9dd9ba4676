"""Benchmarks that provision networks or start workers run in a database of their own, created for the run and
dropped after it, so they never touch a development database or another engineer's (bench_fleet, bench_queues)."""

import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

INSIDE = "THROWAWAY_DATABASE"


def inside_throwaway_database() -> bool:
    """Whether this process is the run inside the throwaway database (its connection points at it)."""
    name = os.environ.get(INSIDE)
    return bool(name) and name == connection.settings_dict["NAME"]


def rerun_in_throwaway_database(*, command: str, database: str, env: dict, keep: bool = False) -> None:
    """Creates `database` afresh, runs `manage.py <command> <this process's arguments>` again inside it (with
    `env` added), then drops it unless `keep`. Raises CommandError when the run fails."""
    if not database.startswith("cf_bench_") or database == settings.DATABASES["default"]["NAME"]:
        raise CommandError("The throwaway database's name must start with cf_bench_ (it is dropped).")
    own = settings.DATABASES["default"]
    _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{database}"')
    auth = quote(own["USER"] or "") + (f":{quote(own['PASSWORD'])}" if own["PASSWORD"] else "")
    child_env = {
        **os.environ,
        **env,
        INSIDE: database,
        "DATABASE_URL": f"postgres://{auth}@{own['HOST'] or '127.0.0.1'}:{own['PORT'] or 5432}/{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    argv = [sys.executable, "manage.py", command, *sys.argv[sys.argv.index(command) + 1 :]]
    try:
        returncode = subprocess.run(argv, env=child_env, check=False).returncode  # noqa: S603 - ourselves
    finally:
        if not keep:
            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if returncode:
        raise CommandError(f"{command} failed in {database} (exit {returncode})")


def _admin_sql(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
