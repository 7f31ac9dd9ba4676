"""How fast the sandboxed analyser is on issue 15's benchmark files, without the platform around it.

    python -m apps.uploads.analysis.bench --runs 20

Per kind (a 200,000-triangle STL, a 2,000-entity DXF, a ~5 MB STEP: apps/uploads/analysis/bench_files.py) it
runs `analyse_in_sandbox` `runs` times and reports p50/p95 of the child from the hand-over of the file to its
answer (what a worker waits for: with a prestarted child, the analysis and preview without Python's start and the
imports), of the analysis alone, the child's CPU seconds (all, and after the hand-over: the CPU a file waits for),
and its peak resident memory.
Wall times on a shared, loaded machine run well above the CPU times: both are printed. The last line is JSON.
`bench_uploads` (uploads-core) measures the same files through the task path.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from apps.uploads.analysis.bench_files import BENCHMARK_FILES, percentile
from apps.uploads.analysis.sandbox import analyse_in_sandbox

TARGET_P95_SECONDS = {"stl_200k_triangles": 2.0, "dxf_2000_entities": 2.0, "step_5mb": 5.0}


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 3),
        "p95": round(percentile(values, 0.95), 3),
        "max": round(max(values), 3),
    }


@contextlib.contextmanager
def _stdout_to_stderr():
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def benchmark_analysis(runs: int = 10, kinds: list[str] | None = None) -> dict[str, dict]:
    """Measure each benchmark file through the sandbox `runs` times (after one warm-up run each)."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as folder:
        for kind, write, arguments in BENCHMARK_FILES:
            if kinds and kind not in kinds:
                continue
            with _stdout_to_stderr():  # OpenCascade's writer talks on stdout; the report stays parseable
                path = write(Path(folder), **arguments)
            out_dir = Path(folder) / f"{kind}-out"
            out_dir.mkdir()
            analyse_in_sandbox(path, out_dir)  # warm-up: the page cache, not the measure
            total, analysis, cpu, path_cpu, memory = [], [], [], [], []
            for _ in range(runs):
                result = analyse_in_sandbox(path, out_dir)
                total.append(result.extra["sandbox_seconds"])
                analysis.append(result.seconds)
                cpu.append(result.extra["cpu_seconds"])
                path_cpu.append(result.extra["cpu_seconds"] - result.extra["prestart_cpu_seconds"])
                memory.append(result.peak_memory_mb)
            results[kind] = {
                "file_mb": round(path.stat().st_size / 1024 / 1024, 2),
                "sandbox_s": _summary(total),
                "analysis_s": _summary(analysis),
                "cpu_s": _summary(cpu),
                "cpu_after_handover_s": _summary(path_cpu),
                "peak_memory_mb": max(memory),
                "target_p95_s": TARGET_P95_SECONDS[kind],
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apps.uploads.analysis.bench")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--kinds", default=",".join(kind for kind, _, _ in BENCHMARK_FILES))
    arguments = parser.parse_args(argv)
    results = benchmark_analysis(arguments.runs, arguments.kinds.split(","))
    for kind, result in results.items():
        sys.stdout.write(
            f"{kind:20} {result['file_mb']:6.2f} MB  sandbox p50 {result['sandbox_s']['p50']:5.2f} s"
            f"  p95 {result['sandbox_s']['p95']:5.2f} s (target {result['target_p95_s']:g})"
            f"  analysis p95 {result['analysis_s']['p95']:5.2f} s  cpu p95 {result['cpu_s']['p95']:5.2f} s"
            f" (after hand-over {result['cpu_after_handover_s']['p95']:5.2f} s)"
            f"  peak {result['peak_memory_mb']:6.1f} MB\n"
        )
    sys.stdout.write(json.dumps({"runs": arguments.runs, "kinds": results}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
