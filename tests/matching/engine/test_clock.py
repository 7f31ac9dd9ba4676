"""The clock a time limit counts: wall seconds for the product, the process's CPU seconds (over the workers) for
benchmarks, so a comparison of two versions of the engine holds whatever the machine's load."""

import time

from apps.matching.engine.benchmarks.fjs import BRANDIMARTE_DIR, load_fjs
from apps.matching.engine.benchmarks.runners import bench_fjs
from apps.matching.engine.cpsat_model import MatchingModel, ModelOptions
from apps.matching.engine.cpsat_run import run_model
from apps.matching.engine.domain import CPU_CLOCK, WALL_CLOCK, Limits
from apps.matching.engine.greedy import dispatch
from apps.matching.engine.indexing import ProblemIndex


def test_the_wall_clock_is_the_products_default_and_the_cpu_clock_counts_cpu_over_the_workers():
    assert Limits().clock == WALL_CLOCK
    assert Limits().timer is time.perf_counter  # CP-SAT keeps its own wall limit then
    two = Limits(clock=CPU_CLOCK, workers=2).timer
    before_clock, before_cpu = two(), time.process_time()
    sum(i * i for i in range(200_000))  # some CPU
    spent_clock, spent_cpu = two() - before_clock, time.process_time() - before_cpu
    assert spent_cpu > 0
    assert abs(spent_clock - spent_cpu / 2) < 0.01


def test_a_search_on_the_cpu_clock_gets_its_cpu_seconds_however_loaded_the_machine_is():
    """Mk10's whole model is nowhere near proven in half a second, so the search runs to its limit: on the CPU
    clock that is half a second of CPU, however long the wall clock takes to give it (on the wall clock, a
    machine shared by a dozen processes gave it a fraction of that)."""
    problem = load_fjs(BRANDIMARTE_DIR / "Mk10.fjs")
    index = ProblemIndex(problem)
    plan = dispatch(problem, index=index)
    assert plan is not None
    mm = MatchingModel(index, horizon=plan.makespan, options=ModelOptions(makespan_ub=plan.makespan))
    mm.add_hint(plan)
    limit = 0.5
    before = time.process_time()
    result = run_model(
        mm, time_limit_s=limit, workers=1, seed=0, clock=Limits(clock=CPU_CLOCK, workers=1).timer
    )
    assert time.process_time() - before >= limit
    assert result.seconds >= limit  # the run's length is told on its own clock
    assert result.status in ("feasible", "optimal") and result.plan is not None


def test_the_fjs_benchmark_runs_on_the_cpu_clock_and_says_so():
    (row,) = bench_fjs([BRANDIMARTE_DIR / "Mk01.fjs"], time_limit=5, workers=2, clock=CPU_CLOCK)
    assert row["clock"] == CPU_CLOCK
    assert row["valid"] and row["makespan"] >= 40
