"""The files docs/deploy.md ships agree with the code: every work queue has exactly one pool, the same pools as
`make run`'s Procfile; PgBouncer runs in session mode; gunicorn's access log leaves out probes that answered."""

from __future__ import annotations

import configparser
import re
import runpy
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {name: value for name, value in pairs}


def _procfile_pools(path: Path) -> dict[str, frozenset[str]]:
    pools = {}
    for line in path.read_text().splitlines():
        process, _, command = line.partition(":")
        if found := re.search(r" worker .*--queues=(\S+)", command):
            pools[process] = frozenset(found.group(1).split(","))
    return pools


def test_every_queue_has_exactly_one_pool_and_the_pools_are_make_runs():
    pools = {
        path.stem: frozenset(_env_file(path)["CELERY_QUEUES"].split(","))
        for path in (DEPLOY / "systemd" / "pools").glob("*.env")
    }
    consumed = [queue for queues in pools.values() for queue in queues]
    assert sorted(consumed) == sorted(settings.WORK_QUEUES)
    assert set(pools.values()) == set(_procfile_pools(Path(settings.BASE_DIR) / "Procfile").values())
    assert _procfile_pools(DEPLOY / "hosts" / "workers.Procfile") == {
        name: queues for name, queues in pools.items()
    }


def test_every_systemd_pool_runs_at_the_procfiles_cpu_priority():
    """The CP-SAT and CAD pools yield the CPU in production as under `make run` (nice 0 when the Procfile has none)."""
    procfile_nice = {}
    for line in (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines():
        command = line.partition(":")[2]
        if " worker " in command:
            found = re.match(r"\s*nice -n (\d+) ", command)
            queues = re.search(r"--queues=(\S+)", command).group(1)
            procfile_nice[frozenset(queues.split(","))] = int(found.group(1)) if found else 0
    systemd_nice = {
        frozenset(_env_file(path)["CELERY_QUEUES"].split(",")): int(_env_file(path)["CELERY_NICE"])
        for path in (DEPLOY / "systemd" / "pools").glob("*.env")
    }
    assert systemd_nice == procfile_nice
    assert max(procfile_nice.values()) > 0
    unit = (DEPLOY / "systemd" / "cloudfactory-worker@.service").read_text()
    assert re.search(r"^ExecStart=/usr/bin/nice -n \$\{CELERY_NICE\} \S+/celery ", unit, re.MULTILINE)


def test_pgbouncer_pools_sessions_never_transactions():
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(DEPLOY / "pgbouncer" / "pgbouncer.ini")
    assert config["pgbouncer"]["pool_mode"] == "session"
    assert config["pgbouncer"]["server_reset_query"] == "DISCARD ALL"


@pytest.mark.parametrize(
    ("path", "status", "logged"),
    [("/healthz", 200, False), ("/readyz", 200, False), ("/readyz", 503, True), ("/catalog/", 200, True)],
)
def test_gunicorns_access_log_leaves_out_probes_that_answered(monkeypatch, path, status, logged):
    written = []
    monkeypatch.setattr(
        Logger, "access", lambda self, resp, req, environ, request_time: written.append(req.path)
    )
    quiet_logger = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["logger_class"]
    response = type("Response", (), {"status_code": status})()
    request = type("Request", (), {"path": path})()
    quiet_logger(Config()).access(response, request, {}, 0.01)
    assert written == ([path] if logged else [])


def test_the_rehearsal_script_parses():
    subprocess.run(
        ["bash", "-n", str(Path(settings.BASE_DIR) / "scripts" / "rehearse_deploy.sh")], check=True
    )
