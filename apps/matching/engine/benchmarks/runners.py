"""Benchmark runners (plain functions; the management commands bench_matching and bench_network wrap them).

Runnable without Django:
    python -m apps.matching.engine.benchmarks.runners fjs --time-limit 60 --workers 2 bench/fjsp/brandimarte/*.fjs
    python -m apps.matching.engine.benchmarks.runners network --orders 200 --suppliers 40 --seed 1 --time-limit 60 --workers 2
    python -m apps.matching.engine.benchmarks.runners quote --runs 20 --committed-orders 100 --suppliers 40
    python -m apps.matching.engine.benchmarks.runners recreate --orders 400 --suppliers 25 --steps 3000

`--clock cpu` counts the time limit in the process's CPU seconds over the workers (Limits.clock): what a quiet
machine's wall clock shows, so a comparison of two versions holds whatever the machine's load. The product's
budget is wall time; run once with the default `--clock wall` for the figure a user would see.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..bounds import objective_lower_bound
from ..domain import CPU_CLOCK, OPTIMAL, WALL_CLOCK, Limits
from ..greedy import best_dispatch
from ..indexing import ProblemIndex
from ..lns import RECREATE_CANDIDATES
from ..reinsert import Reinsertion
from ..solver import GREEDY_MARGINS, planning_horizon, solve
from ..validator import validate_plan
from .fjs import BRANDIMARTE_DIR, load_fjs
from .scenarios import generate_scenario, quote_scenario

BEST_KNOWN_NAME = "best_known.csv"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def bench_fjs(
    files: Iterable[str | Path], time_limit: float, workers: int, seed: int = 0, clock: str = WALL_CLOCK
) -> Iterator[dict]:
    """One row per instance: makespan, the solver's lower bound, status, wall time, and whether the plan passed
    the independent validator."""
    for file in files:
        path = Path(file)
        problem = load_fjs(path)
        started, cpu_started = time.perf_counter(), time.process_time()
        plan = solve(
            problem,
            Limits(time_limit_s=time_limit, workers=workers, seed=seed, explain=False, clock=clock),
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        yield {
            "set": path.parent.name,
            "instance": path.stem,
            "clock": clock,
            "makespan": plan.makespan if plan.has_schedule else None,
            "lower_bound": math.ceil(plan.best_bound - 1e-6) if plan.best_bound is not None else None,
            "status": plan.status,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),  # all threads; on a shared machine far below workers x wall
            "valid": plan.has_schedule and not validate_plan(problem, plan),
        }


def default_fjs_files() -> list[Path]:
    """The ten Brandimarte instances kept in the repository (bench/fjsp/brandimarte)."""
    return sorted(BRANDIMARTE_DIR.glob("*.fjs"))


def load_best_known(path: str | Path) -> dict[tuple[str, str], tuple[int, int]]:
    with open(path, newline="") as handle:
        return {
            (row["set"], row["instance"]): (int(row["lb"]), int(row["ub"])) for row in csv.DictReader(handle)
        }


def find_best_known(files: Iterable[str | Path]) -> Path | None:
    """best_known.csv sits in the folder above the instance folders (…/fjsp/brandimarte/Mk01.fjs)."""
    for file in files:
        candidate = Path(file).resolve().parent.parent / BEST_KNOWN_NAME
        if candidate.exists():
            return candidate
    return None


def with_gap(row: dict, best_known: dict[tuple[str, str], tuple[int, int]]) -> dict:
    """The row plus the best-known makespan and the gap to it in percent, when the instance is known."""
    known = best_known.get((row["set"], row["instance"]))
    if known is None or row["makespan"] is None:
        return row
    return {
        **row,
        "best_known": known[1],
        "gap_pct": round(100.0 * (row["makespan"] - known[1]) / known[1], 2),
    }


def summarize_fjs(rows: list[dict]) -> dict:
    gaps = [row["gap_pct"] for row in rows if "gap_pct" in row]
    return {
        "summary": True,
        "instances": len(rows),
        "with_best_known": len(gaps),
        "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
        "proven_optimal": [r["instance"] for r in rows if r["status"] == OPTIMAL],
        "all_valid": all(r["valid"] for r in rows),
        "total_wall_s": round(sum(r["wall_s"] for r in rows), 1),
        "total_cpu_s": round(sum(r["cpu_s"] for r in rows), 1),
    }


# Times on the run's clock at which the JSON line gives the best plan found so far: a long run's path, to compare
# with shorter runs' ends (a search whose acceptance cools with its deadline reaches a point of its path later
# than a shorter run reaches its end)
TRAJECTORY_S = (5, 10, 20, 30, 60, 120, 300, 600, 1200)


def _trajectory(progress: list[tuple[float, float]], time_limit: float) -> dict[str, float]:
    return {
        str(at): min((objective for elapsed, objective in progress if elapsed <= at), default=math.nan)
        for at in TRAJECTORY_S
        if at <= time_limit
    }


def bench_network(
    orders: int, suppliers: int, seed: int, time_limit: float, workers: int, clock: str = WALL_CLOCK
) -> dict:
    problem = generate_scenario(orders=orders, suppliers=suppliers, seed=seed)
    progress: list[tuple[float, float]] = []
    rss_before = _peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    plan = solve(
        problem,
        Limits(
            time_limit_s=time_limit,
            workers=workers,
            seed=seed,
            on_progress=lambda elapsed, objective, bound: progress.append((elapsed, objective)),
            clock=clock,
        ),
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    late = [o for o in problem.orders if plan.completion.get(o.id, 0) > o.due]
    capacity_free = objective_lower_bound(ProblemIndex(problem))  # what the gap was measured against before
    return {
        "orders": orders,
        "suppliers": suppliers,
        "operations": len(problem.operations),
        "resources": len(problem.resources),
        "seed": seed,
        "clock": clock,
        "status": plan.status,
        "method": plan.method,
        "objective": plan.objective,
        "first_objective": progress[0][1] if progress else None,
        "bound": plan.best_bound,
        "gap": round(plan.gap, 4) if plan.gap is not None else None,
        "capacity_free_bound": capacity_free,
        "capacity_free_gap": round((plan.objective - capacity_free) / plan.objective, 4)
        if plan.objective
        else None,
        "costs": {
            "production": plan.costs.production,
            "transport": plan.costs.transport,
            "lateness": plan.costs.lateness,
        },
        "total_lateness_min": plan.lateness_minutes(problem) if plan.has_schedule else None,
        "late_orders": len(late),
        "first_feasible_s": round(progress[0][0], 3) if progress else None,
        "improvements": len(progress) - 1 if progress else 0,
        "trajectory": _trajectory(progress, time_limit),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),  # all threads; on a shared machine far below workers x wall
        "peak_mem_mb": round(_peak_rss_mb(), 1),
        "peak_mem_before_solve_mb": round(rss_before, 1),
        "valid": plan.has_schedule and not validate_plan(problem, plan),
    }


def bench_quote(
    runs: int = 20,
    committed_orders: int = 100,
    suppliers: int = 40,
    seed: int = 0,
    time_limit: float = 1.0,
    reference_s: float = 0.0,
) -> dict:
    """Time one quote (a new order against the committed network) `runs` times, single worker. With
    `reference_s`, also solve it once over all candidates for that long and report how much dearer the quote is."""
    problem = quote_scenario(committed_orders=committed_orders, suppliers=suppliers, seed=seed)
    times: list[float] = []
    cpu: list[float] = []  # process CPU time: what the solve costs when the machine is shared
    plan = None
    for run in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        plan = solve(problem, Limits(time_limit_s=time_limit, workers=1, seed=run))
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert plan is not None
    times.sort()
    new_ops = [op for op in problem.operations if op.fixed is None]
    reference = {}
    if reference_s > 0:
        full = solve(
            problem, Limits(time_limit_s=reference_s, workers=1, strategy="monolithic", explain=False)
        )
        reference = {
            "reference_objective": full.objective,
            "reference_status": full.status,
            "quote_excess_pct": round(100.0 * (plan.objective - full.objective) / full.objective, 4)  # type: ignore[operator]
            if full.objective
            else None,
        }
    return {
        "runs": runs,
        "committed_operations": sum(1 for op in problem.operations if op.fixed is not None),
        "new_operations": len(new_ops),
        "candidates_per_new_op": round(statistics.fmean(len(op.candidates) for op in new_ops), 1),
        "status": plan.status,
        "objective": plan.objective,
        "median_ms": round(1000 * statistics.median(times), 1),
        "p95_ms": round(1000 * times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)], 1),
        "min_ms": round(1000 * times[0], 1),
        "max_ms": round(1000 * times[-1], 1),
        "cpu_median_ms": round(1000 * statistics.median(cpu), 1),
        "valid": plan.has_schedule and not validate_plan(problem, plan),
        **reference,
    }


def bench_recreate(orders: int, suppliers: int, seed: int, steps: int) -> dict:
    """CPU milliseconds per ruin-and-recreate step, one to five random orders a step, from the built plan (the
    dispatch plan placed afresh by price): the same steps and plans whatever the machine, so two versions of the
    step compare by time alone (`objective` must not change when only the speed should)."""
    problem = generate_scenario(orders=orders, suppliers=suppliers, seed=seed)
    index = ProblemIndex(problem)
    plan = best_dispatch(problem, index=index, rules=("slack",), seed=seed, margins=GREEDY_MARGINS)
    reinsertion = Reinsertion(index, planning_horizon(index, plan), candidates=RECREATE_CANDIDATES)
    built = reinsertion.construct(plan)
    assert built is not None
    plan, rng, ids = built, random.Random(seed + 1), sorted(reinsertion.routes)
    started, accepted = time.process_time(), 0
    for _ in range(steps):
        better = reinsertion.recreate(plan, rng.sample(ids, rng.randint(1, 5)), rng)
        if better is not None:
            plan, accepted = better, accepted + 1
    cpu = time.process_time() - started
    return {
        "orders": orders,
        "suppliers": suppliers,
        "seed": seed,
        "steps": steps,
        "cpu_s": round(cpu, 2),
        "ms_per_step": round(1000 * cpu / steps, 3),
        "accepted": accepted,
        "objective_built": built.objective,
        "objective": plan.objective,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apps.matching.engine.benchmarks.runners")
    commands = parser.add_subparsers(dest="command", required=True)
    fjs = commands.add_parser("fjs", help="FJSP instances in makespan mode")
    fjs.add_argument("--time-limit", type=float, default=60.0)
    fjs.add_argument("--workers", type=int, default=2)
    fjs.add_argument("--seed", type=int, default=0)
    fjs.add_argument("--best-known", default=None)
    fjs.add_argument("--clock", choices=(WALL_CLOCK, CPU_CLOCK), default=WALL_CLOCK)
    fjs.add_argument("files", nargs="*", help="default: the Brandimarte instances in bench/fjsp/brandimarte")
    network = commands.add_parser("network", help="a generated marketplace scenario")
    network.add_argument("--orders", type=int, default=200)
    network.add_argument("--suppliers", type=int, default=40)
    network.add_argument("--seed", type=int, default=0)
    network.add_argument("--time-limit", type=float, default=60.0)
    network.add_argument("--workers", type=int, default=2)
    network.add_argument("--clock", choices=(WALL_CLOCK, CPU_CLOCK), default=WALL_CLOCK)
    quote = commands.add_parser("quote", help="quote latency against a committed network")
    quote.add_argument("--runs", type=int, default=20)
    quote.add_argument("--committed-orders", type=int, default=100)
    quote.add_argument("--suppliers", type=int, default=40)
    quote.add_argument("--seed", type=int, default=0)
    quote.add_argument("--time-limit", type=float, default=1.0)
    quote.add_argument(
        "--reference-s", type=float, default=0.0, help="also solve over all candidates this long"
    )
    steps = commands.add_parser(
        "recreate", help="the speed of ruin-and-recreate steps, the search's inner loop"
    )
    steps.add_argument("--orders", type=int, default=400)
    steps.add_argument("--suppliers", type=int, default=25)
    steps.add_argument("--seed", type=int, default=0)
    steps.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args(argv)

    if args.command == "fjs":
        files = args.files or default_fjs_files()
        best_path = args.best_known or find_best_known(files)
        best_known = load_best_known(best_path) if best_path else {}
        rows = []
        for row in bench_fjs(files, args.time_limit, args.workers, args.seed, args.clock):
            rows.append(with_gap(row, best_known))
            print(json.dumps(rows[-1]), flush=True)
        print(json.dumps(summarize_fjs(rows)), flush=True)
    elif args.command == "network":
        print(
            json.dumps(
                bench_network(
                    args.orders, args.suppliers, args.seed, args.time_limit, args.workers, args.clock
                )
            )
        )
    elif args.command == "recreate":
        print(json.dumps(bench_recreate(args.orders, args.suppliers, args.seed, args.steps)))
    else:
        print(
            json.dumps(
                bench_quote(
                    args.runs,
                    args.committed_orders,
                    args.suppliers,
                    args.seed,
                    args.time_limit,
                    args.reference_s,
                )
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
