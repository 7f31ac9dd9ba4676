"""Analysis time of uploaded CAD files through the task path: upload_create → outbox → the "uploads" worker →
ready, for the three benchmark files of issue 15.

    python manage.py bench_uploads --tenant demo --runs 10

Kinds: a 200,000-triangle STL, a 2,000-entity DXF and a ~5 MB STEP, written with trimesh, ezdxf and OpenCascade
(apps/uploads/analysis/bench_files.py, as for `python -m apps.uploads.analysis.bench`). The command starts a worker of its own on the uploads
queue (stopped at the end) and uploads as a customer of the network (`--tenant`, which must exist; its
bench customer is created on first use, its uploads deleted afterwards). Per kind it prints the p50/p95 seconds
from the upload to "ready" (end to end) and of the analysis alone (the sandbox's own wall time), the analyser's
CPU seconds once it had the file (what a loaded machine stretches: compare runs by it), and the peak memory of the
worker process and of the sandboxed analyser. The last line is JSON.

Hook: `EXTRA_MEASURES` lists callables f(kind, upload, tenant, started) → {name: seconds}, run in the network's
schema after each ready upload, where `started` is the time.perf_counter() taken just before the upload was
received; their values are summarised (p50/p95) into the kind's results. settings.UPLOADS_BENCH_MEASURES names more
(uploads sits below the quoting): the storefront's upload-to-price, apps/storefront/part_quote_bench.py.
"""

from __future__ import annotations

import contextlib
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.tenants.models import Tenant
from apps.uploads.analysis.bench_files import BENCHMARK_FILES, percentile
from apps.uploads.models import PartUpload
from apps.uploads.services import UploadInUse, upload_create, upload_delete
from apps.uploads.status import DONE, UploadStatus

BENCH_EMAIL = "bench-uploads@bench.localhost"
ROOT = Path(__file__).resolve().parents[4]
TIMEOUT_S = 120.0

# Further measures per ready upload: f(kind, upload, tenant, started) -> {name: seconds}, summarised (p50/p95)
# beside the analysis times; `started` is perf_counter() just before the upload was received.
EXTRA_MEASURES: list[Callable[[str, PartUpload, Tenant, float], dict[str, float]]] = []


STANDARD_TIMES = ("end_to_end_s", "upload_s", "sandbox_s", "analysis_s", "analyser_cpu_s")


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"p50": round(statistics.median(values), 3), "p95": round(percentile(values, 0.95), 3)}


def _peak_rss_mb(pid: int) -> float:
    """The highest resident memory (VmHWM) of a process and its children, in MB (Linux /proc)."""
    peak = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return round(peak, 1)


class Command(BaseCommand):
    help = "Measures CAD-file analysis through the task path (upload → worker → ready), p50/p95 per kind."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", default="demo", help="Subdomain of the network (must exist).")
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--warmup", type=int, default=1, help="Uploads per kind first, not measured.")
        parser.add_argument("--kinds", default=",".join(kind for kind, _, _ in BENCHMARK_FILES))

    def handle(self, *args, tenant: str, runs: int, warmup: int, kinds: str, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        chosen = [entry for entry in BENCHMARK_FILES if entry[0] in kinds.split(",")]
        if not chosen:
            raise CommandError(f"--kinds: choose among {', '.join(kind for kind, _, _ in BENCHMARK_FILES)}.")
        network = Tenant.objects.filter(slug=tenant).first()
        if network is None:
            raise CommandError(f"No network {tenant!r}; run `make run` (it seeds demo) or create it.")
        with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
            files = {}
            for kind, write, kwargs in chosen:
                path = write(Path(folder), **kwargs)
                files[kind] = (path.name, path.read_bytes())
                self.stderr.write(f"{kind}: {path.name}, {len(files[kind][1]) / 1024 / 1024:.1f} MB")
            with self._worker() as worker:
                results = self._measure(network, files, runs, warmup)
                worker_peak = _peak_rss_mb(worker.pid)
        for kind, result in results.items():
            self.stdout.write(
                f"{kind:22} end-to-end p50 {result['end_to_end_s'].get('p50', 0):6.2f} s"
                f"  p95 {result['end_to_end_s'].get('p95', 0):6.2f} s"
                f"  upload p95 {result['upload_s'].get('p95', 0):5.2f} s"
                f"  sandbox p95 {result['sandbox_s'].get('p95', 0):6.2f} s"
                f"  analysis p95 {result['analysis_s'].get('p95', 0):6.2f} s"
                f"  analyser cpu p95 {result['analyser_cpu_s'].get('p95', 0):5.2f} s"
                f"  analyser peak {result['analyser_peak_mb']:7.1f} MB  failed {result['failed']}"
            )
            for name, summary in result.items():
                if name not in STANDARD_TIMES and name.endswith("_s") and summary:
                    self.stdout.write(
                        f"{'':22} {name} p50 {summary['p50']:6.2f} s  p95 {summary['p95']:6.2f} s"
                    )
        self.stdout.write(f"worker peak memory {worker_peak} MB")
        self.stdout.write(
            json.dumps({"tenant": tenant, "runs": runs, "kinds": results, "worker_peak_mb": worker_peak})
        )

    def _measure(self, network, files, runs, warmup) -> dict:
        results = {}
        measures = [*EXTRA_MEASURES, *(import_string(name) for name in settings.UPLOADS_BENCH_MEASURES)]
        with schema_context(network.schema_name):
            customer = self._customer()
            for kind, (name, content) in files.items():
                end_to_end, received, sandbox, analysis, peaks, failed, extra = [], [], [], [], [], 0, {}
                cpu = []
                for index in range(warmup + runs):
                    started = time.perf_counter()
                    upload, upload_seconds = _upload_and_wait(customer, name, content)
                    elapsed = time.perf_counter() - started
                    try:
                        if index < warmup:
                            continue
                        if upload.status != UploadStatus.READY:
                            failed += 1
                            self.stderr.write(
                                f"{kind}: {upload.status} {upload.error_code} {upload.error_message}"
                            )
                            continue
                        end_to_end.append(elapsed)
                        received.append(upload_seconds)
                        costs = upload.analysis.get("extra", {})
                        sandbox.append(costs.get("sandbox_seconds", 0.0))
                        # the analyser's CPU once it had the file (a prestarted child's start and imports before)
                        cpu.append(costs.get("cpu_seconds", 0.0) - costs.get("prestart_cpu_seconds", 0.0))
                        analysis.append(upload.analysis.get("seconds", 0.0))
                        peaks.append(upload.analysis.get("peak_memory_mb", 0.0))
                        for measure in measures:
                            for measure_name, value in measure(kind, upload, network, started).items():
                                extra.setdefault(measure_name, []).append(value)
                    finally:
                        with contextlib.suppress(UploadInUse):  # a measure made it a design: it stays
                            upload_delete(actor=customer, upload=PartUpload.objects.get(pk=upload.pk))
                results[kind] = {
                    "bytes": len(content),
                    "end_to_end_s": _summary(end_to_end),
                    # upload_create (streamed, hashed, sniffed, stored, queued); the analyser's child process
                    # from start to exit; the analysis inside it.
                    "upload_s": _summary(received),
                    "sandbox_s": _summary(sandbox),
                    "analysis_s": _summary(analysis),
                    "analyser_cpu_s": _summary(cpu),
                    "analyser_peak_mb": round(max(peaks, default=0.0), 1),
                    "failed": failed,
                    **{measure_name: _summary(values) for measure_name, values in extra.items()},
                }
        return results

    def _customer(self) -> User:
        user = User.objects.filter(email=BENCH_EMAIL).first()
        if user is None:
            user = user_create(email=BENCH_EMAIL, password=uuid.uuid4().hex, role=Role.CUSTOMER)
        return user

    @contextmanager
    def _worker(self) -> Iterator[subprocess.Popen]:
        """A worker of its own on the uploads queue for the run (stopped at the end)."""
        from config.celery import app

        name = f"bench-uploads-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
        argv += ["--queues=uploads", "--loglevel=WARNING", "-n", name, "--without-gossip", "--without-mingle"]
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603 - our own interpreter and fixed arguments
        try:
            deadline = time.monotonic() + 60
            while not app.control.ping(destination=[name], timeout=0.5):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise CommandError("The benchmark's uploads worker did not start.")
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


def _upload_and_wait(customer, name: str, content: bytes) -> tuple[PartUpload, float]:
    """The upload once analysed, and how long receiving it took."""
    started = time.perf_counter()
    upload = upload_create(actor=customer, uploaded_file=SimpleUploadedFile(name, content))
    received = time.perf_counter() - started
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        current = PartUpload.objects.get(pk=upload.pk)
        if current.status in DONE:
            return current, received
        time.sleep(0.02)
    raise CommandError(
        f"{name} was not analysed within {TIMEOUT_S:.0f} s; is the worker consuming 'uploads'?"
    )
