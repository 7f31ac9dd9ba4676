"""The processes a load run needs, on loopback: the web server (gunicorn, as in production, with development
settings and DEBUG off) and a private local Stripe server; and the clean-up of the tasks the run queued.

Background work the pages enqueue (webhook processing, planning, statements) goes to a broker database of the
run's own that no worker reads: the run measures the web tier, and no worker of the development network picks up
tasks of a network that is about to be dropped.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis

ROOT = Path(__file__).resolve().parents[3]


class ServerError(Exception):
    pass


@dataclass
class Running:
    url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def is_loopback(url: str) -> bool:
    """Whether `url` points at this machine (127.0.0.0/8, ::1, localhost or a name under .localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, path: str, *, host: str | None = None) -> bool:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
    try:
        conn.request("GET", path, headers={"Host": host} if host else {})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _start(
    command: list[str], *, env: dict, log_path: Path, ready, what: str, timeout: float
) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        # Fixed argv (this interpreter, our own modules), no shell; bound to loopback.
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServerError(f"The {what} did not start; see {log_path}.")
        time.sleep(0.2)
    return process


def stripe_start(log_dir: Path) -> Running:
    """A local Stripe server of the run's own: its PaymentIntents never mix with the development server's."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / "stripe-local.log"
    command = [sys.executable, "-m", "tools.stripe_local", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--quiet", "--exit-with-parent"]
    process = _start(
        command,
        env=os.environ.copy(),
        log_path=log_path,
        ready=lambda: answers(url, "/_test/health"),
        what="local Stripe server",
        timeout=30,
    )
    return Running(url=url, process=process, log_path=log_path)


def web_start(
    log_dir: Path,
    *,
    host: str,
    workers: int,
    stripe_url: str,
    broker_url: str,
    extra_env: dict[str, str] | None = None,
) -> Running:
    """gunicorn with `workers` sync workers on a free loopback port; ready once `host`'s home page answers.
    `extra_env` adds or overrides environment variables of the server (e.g. a benchmark's own settings)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / "web.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",  # as in production: no query log kept per request, no debug pages
        "STRIPE_LOCAL_URL": stripe_url,
        "CELERY_BROKER_URL": broker_url,
        # Every simulated visitor comes from 127.0.0.1: one address's quote limit would measure the throttle.
        "QUOTE_THROTTLE_RATE": "1000000/min",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "120", "--log-level", "warning"]
    process = _start(
        command,
        env=env,
        log_path=log_path,
        ready=lambda: answers(url, "/", host=host),
        what="web server",
        timeout=60,
    )
    return Running(url=url, process=process, log_path=log_path)


def broker_url_for(redis_url: str, db: int) -> str:
    """The same Redis server, database `db`."""
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def broker_forget_schema(broker_url: str, schema: str) -> int:
    """Removes the queued task messages that carry `schema` (tenant-schemas-celery's header); returns how many.

    Only those: other messages in the same database, if any, stay where they are.
    """
    client = redis.Redis.from_url(broker_url)
    removed = 0
    try:
        for key in client.scan_iter(match="celery*"):
            if client.type(key) != b"list":
                continue
            for raw in client.lrange(key, 0, -1):
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue
                if (message.get("headers") or {}).get("_schema_name") == schema:
                    removed += client.lrem(key, 1, raw)
    finally:
        client.close()
    return removed
