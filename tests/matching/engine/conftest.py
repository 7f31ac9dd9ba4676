"""Fixtures shared by the engine's tests."""

import pytest

from apps.matching.engine.benchmarks.scenarios import generate_scenario
from apps.matching.engine.greedy import dispatch
from apps.matching.engine.indexing import ProblemIndex


@pytest.fixture(scope="module")
def crowded():
    """40 orders over four suppliers, which they compete for, and the dispatch plan: much for a search to improve."""
    problem = generate_scenario(orders=40, suppliers=4, seed=3)
    index = ProblemIndex(problem)
    plan = dispatch(problem, index=index, margin=10.0)
    assert plan is not None
    return index, plan
