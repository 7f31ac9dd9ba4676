"""The two transport formulations agree, and the search-free lower bounds stay below the optimum."""

import pytest

from apps.matching.engine.benchmarks.fjs import parse_fjs
from apps.matching.engine.benchmarks.scenarios import generate_scenario
from apps.matching.engine.bounds import makespan_lower_bound, objective_lower_bound
from apps.matching.engine.cpsat_model import transport
from apps.matching.engine.domain import OPTIMAL, Limits
from apps.matching.engine.indexing import ProblemIndex

from .builders import solve_checked
from .test_solver import remote_or_local, two_jobs_two_machines


@pytest.mark.parametrize("seed", [4, 8])
def test_pair_and_compact_transport_forms_reach_the_same_optimum(seed, monkeypatch):
    problem = generate_scenario(orders=2, suppliers=5, seed=seed)
    limits = Limits(time_limit_s=20, workers=1, strategy="monolithic")
    pairs = solve_checked(problem, limits)
    monkeypatch.setattr(transport, "PAIR_OPTIONS_LIMIT", 0)  # every arc in the compact form
    compact = solve_checked(problem, limits)
    assert (pairs.status, compact.status) == (OPTIMAL, OPTIMAL)
    assert pairs.objective == compact.objective


def test_cost_lower_bound_counts_transport_and_is_tight_when_capacity_does_not_bind():
    problem = remote_or_local(transport_cost=500)
    assert objective_lower_bound(ProblemIndex(problem)) == 1000 == solve_checked(problem).objective


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cost_lower_bound_never_exceeds_the_optimum(seed):
    problem = generate_scenario(orders=3, suppliers=5, seed=seed)
    plan = solve_checked(problem, Limits(time_limit_s=20, workers=1, strategy="monolithic"))
    assert plan.status == OPTIMAL
    assert objective_lower_bound(ProblemIndex(problem)) <= plan.objective


def test_makespan_lower_bound_uses_machine_load_and_job_length():
    assert makespan_lower_bound(ProblemIndex(two_jobs_two_machines())) == 6  # B: 2 + 4 on its only machines
    # machine 1 alone must run two of the three 5-minute jobs: load 10, longer than any job
    assert makespan_lower_bound(ProblemIndex(parse_fjs("3 2 1\n1 1 1 5\n1 1 1 5\n1 2 1 5 2 5\n"))) == 10
