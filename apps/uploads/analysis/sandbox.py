"""Run the analyser in a child process that a hostile or broken file cannot take the worker down with.

The child (`python -m apps.uploads.analysis`) gets CPU-time, address-space, output-size and open-file limits
(`resource.setrlimit`, applied between fork and exec), a wall-clock timeout, its own process group (so a timeout
kills anything it started), and an environment with nothing of the worker's in it: no database URL, no keys.
It answers with one JSON object on stdout. Being killed by a limit becomes AnalysisError("too_complex"), any
other death AnalysisError("crashed"): the caller only ever sees an Analysis or an AnalysisError.

Each child analyses one file and exits. After a file, the next child of that kind is started at once and waits
with its libraries loaded (`_spares`), so a customer's wait holds the analysis, not Python's start and
OpenCascade's import (a STEP upload: about 1.2 s of its 3.7 s p95 on the benchmark file).

Importing this module is cheap (no CAD library): the worker never loads trimesh or OpenCascade itself.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from apps.uploads.analysis.limits import MB, Limits, size_text
from apps.uploads.analysis.result import KIND_OF_FORMAT, Analysis, AnalysisError, PartKind, Units

ROOT = Path(__file__).resolve().parents[3]
CPU_SECONDS = 60
# A mesh at the triangle limit (2M) peaks at 1.6 GB resident; OpenCascade maps ~1 GB as it loads.
MEMORY_MB = 3072
TIMEOUT_SECONDS = 120
OUTPUT_BYTES = 512 * MB  # the largest file the child may write (previews, repaired meshes)
_RESULT_BYTES = 16 * MB


def _child_environment() -> dict[str, str]:
    """Only what Python needs to start: the worker's secrets (DATABASE_URL, Stripe keys…) stay behind."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "HOME": tempfile.gettempdir(),
        # One thread each: the limits are per process, and the worker's cores belong to the other jobs too.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _limit_child(cpu_seconds: int, memory_mb: int, output_bytes: int) -> None:
    """Runs in the child between fork and exec: only async-signal-safe work (setrlimit is)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def _kill_group(pid: int, fired: threading.Event) -> None:
    fired.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@dataclass
class _Child:
    """A started analyser waiting on its standard input for the arguments of one file (`__main__.py`, "wait")."""

    process: subprocess.Popen
    stdout: IO[bytes]
    stderr: IO[bytes]
    owner: int  # the pid that started it: a forked worker inherits the dict, not the child

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            self.process.wait()
        self.stdout.close()
        self.stderr.close()


# One prestarted child per kind of part, with the default limits, for the next file of that kind: it has already
# paid the interpreter's start and its libraries' imports (OpenCascade: a second of CPU) while nobody waited.
# It is the same one-file child as a cold one (limits, environment, process group), started earlier. The next one
# starts as a file is handed over (run_child). Idle, the solid one holds about 300 MB resident, the others
# about 70 MB.
_spares: dict[tuple[PartKind | None, tuple[int, int, int]], _Child] = {}
DEFAULT_RLIMITS = (CPU_SECONDS, MEMORY_MB, OUTPUT_BYTES)


def _start(kind: PartKind | None, rlimits: tuple[int, int, int]) -> _Child:
    cpu_seconds, memory_mb, output_bytes = rlimits
    arguments = [sys.executable, "-s", "-m", "apps.uploads.analysis", "wait", *([kind.value] if kind else [])]
    # they outlive this call (the child writes into them until it exits): _Child and run_child close them
    stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 - our own module, arguments as a list
        arguments,
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=stderr,
        cwd=ROOT,
        env=_child_environment(),
        preexec_fn=lambda: _limit_child(
            cpu_seconds, memory_mb, output_bytes
        ),  # setrlimit only: safe after fork
        start_new_session=True,
        close_fds=True,
    )
    return _Child(process, stdout, stderr, os.getpid())


def _take_spare(kind: PartKind | None, rlimits: tuple[int, int, int]) -> _Child | None:
    spare = _spares.pop((kind, rlimits), None)
    if spare is None or spare.owner != os.getpid():
        return None
    if spare.process.poll() is not None:  # it died waiting (killed from outside): start afresh
        spare.discard()
        return None
    return spare


def _keep_spare(kind: PartKind | None, rlimits: tuple[int, int, int]) -> None:
    if kind is None or rlimits != DEFAULT_RLIMITS or (kind, rlimits) in _spares:
        return
    _spares[(kind, rlimits)] = _start(kind, rlimits)


@atexit.register
def _discard_spares() -> None:
    while _spares:
        _, spare = _spares.popitem()
        if spare.owner == os.getpid():
            spare.discard()


def _kind_guess(path: Path) -> PartKind | None:
    """The kind of part the file's first bytes suggest, to pick the child with the right libraries loaded. Only a
    guess from the head (no zip is opened here): the child itself decides the format and refuses a mismatch."""
    from apps.uploads.analysis.sniff import HEAD_BYTES, sniff_bytes

    try:
        with Path(path).open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        file_format = sniff_bytes(head, Path(path).stat().st_size, is_zip_with_model=head.startswith(b"PK"))
    except (OSError, ValueError):
        return None
    return KIND_OF_FORMAT.get(file_format) if file_format else None


def _cpu_seconds_so_far(pid: int) -> float:
    """The CPU time (user + system) process `pid` has used so far, from /proc/PID/stat (0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hand_over(child: _Child, arguments: list[str]) -> bool:
    try:
        child.process.stdin.write(json.dumps(arguments).encode() + b"\n")
        child.process.stdin.close()
    except BrokenPipeError:
        return False
    return True


def run_child(
    command: str,
    path: Path,
    out_dir: Path,
    *,
    units: Units | None = None,
    filename: str | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    cpu_seconds: int = CPU_SECONDS,
    memory_mb: int = MEMORY_MB,
    output_bytes: int = OUTPUT_BYTES,
    timeout: float = TIMEOUT_SECONDS,
) -> tuple[dict, dict]:
    """Run one command in the sandbox; returns the child's "ok" payload and what it cost: `seconds` from the
    hand-over of the file to the answer, the child's whole `cpu_seconds` (its start included) and peak memory,
    whether it was `prestarted`, and the `prestart_cpu_seconds` it had spent before the file came."""
    arguments = [command, str(path), str(out_dir), "--limits", json.dumps(limits.to_json())]
    if units:
        arguments += ["--units", Units(units).value]
    if filename:
        arguments += ["--filename", filename]
    rlimits = (cpu_seconds, memory_mb, output_bytes)
    kind = _kind_guess(path)
    child = _take_spare(kind, rlimits)
    prestarted = child is not None
    prestart_cpu = _cpu_seconds_so_far(child.process.pid) if child is not None else 0.0
    started = time.perf_counter()
    if child is None or not _hand_over(child, arguments):
        if child is not None:
            child.discard()
        prestarted, prestart_cpu, child = False, 0.0, _start(kind, rlimits)
        _hand_over(child, arguments)  # a child that dies at once is reported below as crashed
    # The next file's child starts loading now, beside this one: the analysis is single-threaded, so on an idle
    # machine the other core does it, and a file that follows at once still finds its libraries loaded.
    _keep_spare(kind, rlimits)
    process = child.process
    try:
        timed_out = threading.Event()
        timer = threading.Timer(timeout, _kill_group, args=(process.pid, timed_out))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        child.stdout.seek(0)
        output = child.stdout.read(_RESULT_BYTES)
        child.stderr.seek(0)
        errors = child.stderr.read()[-4000:].decode(errors="replace")
    finally:
        child.stdout.close()
        child.stderr.close()
    cost = {
        "seconds": round(seconds, 4),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 4),  # the child's whole life
        "peak_memory_mb": round(usage.ru_maxrss / 1024, 1),
        "prestarted": prestarted,
        # what the child had spent before the file came (its start and imports, while nobody waited)
        "prestart_cpu_seconds": round(prestart_cpu, 4),
    }
    if timed_out.is_set():
        raise AnalysisError(
            "too_complex",
            f"The file took longer than {timeout:g} s to analyse. Simplify it or split it into parts.",
        )
    if process.returncode == -signal.SIGXFSZ:
        raise AnalysisError(
            "too_complex",
            f"The file's preview would be larger than {size_text(output_bytes)}. Simplify it or split it into parts.",
        )
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise AnalysisError(
            "too_complex",
            f"The file needs more than {cpu_seconds} s of processing to analyse. Simplify it or split it into parts.",
        )
    try:
        payload = json.loads(output)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        if any(
            sign in errors for sign in ("MemoryError", "bad_alloc", "Cannot allocate memory", "map segment")
        ):
            raise AnalysisError(
                "too_complex",
                f"The file needs more than {memory_mb:,} MB of memory to analyse. Simplify it or split it into parts.",
            ) from None
        raise AnalysisError(
            "crashed",
            "The analyser stopped on this file without an answer (exit "
            f"{process.returncode}). It may be damaged; export it again, or send it to us.",
        ) from None
    if "error" in payload:
        raise AnalysisError(payload["error"]["code"], payload["error"]["message"])
    return payload["ok"], cost


def analyse_in_sandbox(
    path: Path,
    out_dir: Path,
    *,
    units: Units | None = None,
    filename: str | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    cpu_seconds: int = CPU_SECONDS,
    memory_mb: int = MEMORY_MB,
    timeout: float = TIMEOUT_SECONDS,
    output_bytes: int = OUTPUT_BYTES,
) -> Analysis:
    """Analyse the file at `path` in a limited child process, its preview written into `out_dir`.

    `units` apply when the file states none (default mm); `filename` is the customer's name for the file (its
    extension must agree with the content; default the path's). `seconds` is the analysis itself, `extra` adds
    the whole child's `sandbox_seconds` and `cpu_seconds`; `peak_memory_mb` is the child's peak resident memory.
    Raises AnalysisError (the file's problem in plain words, or "too_complex"/"crashed")."""
    result, cost = run_child(
        "analyse",
        Path(path),
        Path(out_dir),
        units=units,
        filename=filename,
        limits=limits,
        cpu_seconds=cpu_seconds,
        memory_mb=memory_mb,
        timeout=timeout,
        output_bytes=output_bytes,
    )
    analysis = Analysis.from_json(result)
    extra = {
        **analysis.extra,
        "sandbox_seconds": cost["seconds"],
        "cpu_seconds": cost["cpu_seconds"],
        "prestarted": cost["prestarted"],
        "prestart_cpu_seconds": cost["prestart_cpu_seconds"],
    }
    return replace(analysis, peak_memory_mb=cost["peak_memory_mb"], extra=extra)


def repair_in_sandbox(path: Path, out_dir: Path, *, units: Units | None = None, filename: str | None = None):
    """Repair a mesh in the sandbox (the default limits): writes `repaired.stl` (mm) into `out_dir` and returns the
    MeshRepair saying what changed. Analyse the repaired file next (with units mm) to show the customer the result."""
    from apps.uploads.analysis.repair import MeshRepair

    result, _ = run_child("repair", Path(path), Path(out_dir), units=units, filename=filename)
    return MeshRepair.from_json(result)
