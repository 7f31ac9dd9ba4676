"""The benchmarks' percentile is the nearest-rank sample: one the run really took, never an interpolation."""

from apps.core.percentiles import percentile


def test_the_percentile_is_the_sample_at_that_rank():
    samples = [float(n) for n in range(100, 0, -1)]  # unsorted on purpose
    assert percentile(samples, 0.5) == 51.0  # rank round(49.5) = 50 of 0..99: the 51st smallest
    assert percentile(samples, 0.95) == 95.0
    assert percentile(samples, 0.0) == 1.0 and percentile(samples, 1.0) == 100.0
    assert percentile([3.0, 7.0], 0.95) == 7.0
    assert percentile([4.0], 0.95) == 4.0
