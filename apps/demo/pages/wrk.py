"""wrk (apt-get install wrk) against one page: requests/s and the responses that were not 2xx/3xx.

wrk rather than a Python load generator: a C event loop with two threads drives 20 connections at ~1 % of one
core, so on a two-core machine the measured server keeps the CPU (locust or a thread pool in Python would take a
core of their own and cap what they can measure near the floor's 1,000 req/s).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

REQUESTS_PER_S = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
NOT_OK = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


class WrkError(Exception):
    pass


@dataclass(frozen=True)
class Measured:
    requests: int
    requests_per_s: float
    failed: int  # non-2xx/3xx answers and socket errors


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkError("wrk is not installed: apt-get install wrk")
    return found


def wrk_parse(output: str) -> Measured:
    rate, total = REQUESTS_PER_S.search(output), TOTAL.search(output)
    if rate is None or total is None:
        raise WrkError(f"Unexpected wrk output:\n{output[-1000:]}")
    not_ok = NOT_OK.search(output)
    failed = int(not_ok.group(1)) if not_ok else 0
    sockets = SOCKET_ERRORS.search(output)
    if sockets is not None:
        failed += sum(int(n) for n in sockets.groups())
    return Measured(requests=int(total.group(1)), requests_per_s=float(rate.group(1)), failed=failed)


def wrk_run(
    url: str, headers: dict[str, str], *, seconds: int, threads: int = 2, connections: int = 20
) -> Measured:
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    # Fixed argv: the wrk binary against a loopback URL the caller checked.
    finished = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if finished.returncode != 0:
        raise WrkError(f"wrk failed ({finished.returncode}): {finished.stderr[-1000:]}")
    return wrk_parse(finished.stdout)
