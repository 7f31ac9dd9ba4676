"""Start the local Stripe server as a subprocess (for pytest fixtures, here and in the Django suite).

Each call gets its own process and port, so parallel test runs never share state. This module only
uses the standard library and does not import localstripe.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _answers(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=1)
    try:
        connection.request("GET", "/_test/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start_local_stripe(
    port: int | None = None, *, host: str = "127.0.0.1", extra_args=(), timeout: float = 20.0
) -> tuple[str, subprocess.Popen]:
    """Start ``python -m tools.stripe_local`` and wait until it answers; returns ``(base_url, popen)``.

    Output goes to a temporary log file whose path is ``popen.log_path``. Without ``port`` a free one
    is picked (and the start retried on another port if it was taken in the meantime). ``extra_args``
    are passed to the server (e.g. ``["--fee-percent", "2.9"]``). Stop it with ``stop_local_stripe``.
    """
    attempts = 1 if port else 3
    for _ in range(attempts):
        chosen = port or free_port(host)
        command = [sys.executable, "-m", "tools.stripe_local", "--host", host, "--port", str(chosen)]
        command += ["--exit-with-parent", *extra_args]
        log_name = f"stripe_local-{chosen}-"
        with tempfile.NamedTemporaryFile(prefix=log_name, suffix=".log", delete=False) as log:
            # Fixed argv (our own module and options), no shell.
            popen = subprocess.Popen(  # noqa: S603
                command,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        popen.log_path = log.name
        deadline = time.monotonic() + timeout
        while popen.poll() is None and time.monotonic() < deadline:
            if _answers(host, chosen):
                return f"http://{host}:{chosen}", popen
            time.sleep(0.05)
        stop_local_stripe(popen)
    log_tail = Path(popen.log_path).read_text()[-2000:]
    raise RuntimeError(f"stripe_local did not start; see {popen.log_path}:\n{log_tail}")


def stop_local_stripe(popen: subprocess.Popen, timeout: float = 5.0) -> None:
    if popen.poll() is None:
        popen.terminate()
        try:
            popen.wait(timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout)
