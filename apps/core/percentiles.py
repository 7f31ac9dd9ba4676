"""The percentile the benchmarks report (bench_checkout, bench_configurator). The sandboxed CAD analyser may not
import apps.core (import-linter), so apps/uploads/analysis/bench_files.py keeps the same rule for bench_uploads."""


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank `fraction` percentile of `values` (0.95 for p95): the sample at that share of the sorted
    run, never an interpolated value no request took."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]
