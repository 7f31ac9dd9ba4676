"""Benchmarks that provision networks or start workers run in a database of their own, created for the run and
dropped after it, and against a Redis server of their own (cache, marks and broker), started for the run and
stopped after it: they never touch a development database, a shared Redis or another checkout's queues
(bench_fleet, bench_queues)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import redis
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

INSIDE = "THROWAWAY_DATABASE"


def inside_throwaway_database() -> bool:
    """Whether this process is the run inside the throwaway database (its connection points at it)."""
    name = os.environ.get(INSIDE)
    return bool(name) and name == connection.settings_dict["NAME"]


def rerun_in_throwaway_database(
    *, command: str, database: str, env: dict | None = None, keep: bool = False, reuse: bool = False
) -> None:
    """Creates `database` afresh (or, with `reuse`, takes the one a run with `keep` left) and starts a private
    Redis server, runs `manage.py <command> <this process's arguments>` again against both (with `env` added),
    then stops the server and drops the database unless `keep`. Raises CommandError when the run fails."""
    env = env or {}
    if not database.startswith("cf_bench_") or database == settings.DATABASES["default"]["NAME"]:
        raise CommandError("The throwaway database's name must start with cf_bench_ (it is dropped).")
    own = settings.DATABASES["default"]
    if not reuse:
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _admin_sql(f'CREATE DATABASE "{database}"')
    elif not _database_exists(database):
        raise CommandError(f"There is no database {database} to reuse (run with --keep first).")
    auth = quote(own["USER"] or "") + (f":{quote(own['PASSWORD'])}" if own["PASSWORD"] else "")
    redis_server, redis_url = _private_redis_start()
    child_env = {
        **os.environ,
        **env,
        INSIDE: database,
        "DATABASE_URL": f"postgres://{auth}@{own['HOST'] or '127.0.0.1'}:{own['PORT'] or 5432}/{database}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    argv = [sys.executable, "manage.py", command, *sys.argv[sys.argv.index(command) + 1 :]]
    try:
        returncode = subprocess.run(argv, env=child_env, check=False).returncode  # noqa: S603 - ourselves
    finally:
        redis_server.terminate()
        redis_server.wait(10)
        if not keep:
            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if returncode:
        raise CommandError(f"{command} failed in {database} (exit {returncode})")


def _database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _admin_sql(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _private_redis_start() -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if not server:
        raise CommandError("redis-server is not installed (the benchmark runs its own).")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise CommandError("The private Redis server did not start.") from None
            time.sleep(0.05)
