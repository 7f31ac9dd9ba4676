"""The .fjs parser reads the standard benchmark files as makespan-mode problems."""

import pytest

from apps.matching.engine.benchmarks.fjs import BRANDIMARTE_DIR as BRANDIMARTE
from apps.matching.engine.benchmarks.fjs import FJSP_DIR, FjsFormatError, load_fjs, parse_fjs
from apps.matching.engine.benchmarks.runners import load_best_known
from apps.matching.engine.domain import Candidate


def test_mk01_has_ten_jobs_six_machines_and_55_operations():
    problem = load_fjs(BRANDIMARTE / "Mk01.fjs")
    assert len(problem.orders) == 10
    assert len(problem.resources) == 6
    assert len(problem.operations) == 55
    assert problem.weights.makespan_only


def test_mk01_first_operations_read_machine_time_pairs_one_based():
    """First job line: `6 2 1 5 3 4 3 5 3 3 5 2 1 ...` -> op 1 on M1 (5) or M3 (4); op 2 on M5 (3), M3 (5), M2 (1)."""
    problem = load_fjs(BRANDIMARTE / "Mk01.fjs")
    first, second = problem.operations[0], problem.operations[1]
    assert first.candidates == (Candidate("M1", 5, 0), Candidate("M3", 4, 0))
    assert set(second.candidates) == {Candidate("M5", 3, 0), Candidate("M3", 5, 0), Candidate("M2", 1, 0)}
    assert second.predecessors == (first.id,)
    assert first.predecessors == ()


def test_mk06_header_declares_ten_machines_and_the_data_uses_ten():
    problem = load_fjs(BRANDIMARTE / "Mk06.fjs")
    assert (BRANDIMARTE / "Mk06.fjs").read_text().split()[:3] == ["10", "10", "3"]
    assert len(problem.orders) == 10
    assert {r.id for r in problem.resources} == {f"M{i}" for i in range(1, 11)}
    assert len(problem.operations) == 150


def test_mk10_declared_but_unused_machines_are_not_resources():
    problem = load_fjs(BRANDIMARTE / "Mk10.fjs")
    assert (BRANDIMARTE / "Mk10.fjs").read_text().split()[1] == "15"
    assert {r.id for r in problem.resources} == {f"M{i}" for i in range(1, 11)} | {"M13"}


def test_float_third_header_field_and_a_wrong_machine_count_are_ignored():
    problem = parse_fjs("1 9 1.15\n2  1 2 7\t2 1 3 2 4\n")
    assert [len(op.candidates) for op in problem.operations] == [1, 2]
    assert {r.id for r in problem.resources} == {"M1", "M2"}


def test_every_instance_in_the_repository_parses_and_has_a_best_known_row():
    files = sorted(FJSP_DIR.glob("*/*.fjs"))
    assert [f.stem for f in files] == [f"Mk{n:02}" for n in range(1, 11)]
    for file in files:
        assert load_fjs(file).operations
    best_known = load_best_known(FJSP_DIR / "best_known.csv")
    assert {("brandimarte", f.stem) for f in files} <= set(best_known)


@pytest.mark.parametrize(
    "text",
    ["2 2 1\n1 1 1 5\n", "1 2 1\n1 1 1 5 7\n", "1 2 1\n1 1 x 5\n", "1 2 1\n1 0\n", "1"],
    ids=["missing job", "numbers left over", "not a number", "operation without machine", "short header"],
)
def test_malformed_files_are_rejected_with_a_reason(text):
    with pytest.raises(FjsFormatError):
        parse_fjs(text, "bad.fjs")
