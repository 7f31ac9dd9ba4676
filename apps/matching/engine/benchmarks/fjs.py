"""Standard flexible job shop files (.fjs, Brandimarte/Hurink/... text format) as makespan-mode Problems.

The file is a stream of whitespace-separated numbers: `n_jobs n_machines avg_flexibility`, then per job
`n_ops` and per operation `k` followed by k pairs `machine duration` (machines 1-based). The third header field
may be a float and may be wrong, and the declared machine count may exceed the machines used, so neither is
trusted: resources are the machines the operations name.
"""

from __future__ import annotations

from pathlib import Path

from ..domain import Candidate, Operation, Order, Problem, Resource, Weights

# The public instances kept in the repository (see bench/fjsp/SOURCES.md); the bench commands default to them.
FJSP_DIR = Path(__file__).resolve().parents[4] / "bench" / "fjsp"
BRANDIMARTE_DIR = FJSP_DIR / "brandimarte"

SHOP_SITE = "shop"


class FjsFormatError(ValueError):
    pass


def machine_id(number: int) -> str:
    return f"M{number}"


def operation_id(job: int, position: int) -> str:
    return f"J{job}.{position}"


def parse_fjs(text: str, name: str = "") -> Problem:
    tokens = text.split()
    cursor = 0

    def take_int(what: str) -> int:
        nonlocal cursor
        if cursor >= len(tokens):
            raise FjsFormatError(f"{name}: file ends while reading {what}")
        token = tokens[cursor]
        cursor += 1
        try:
            return int(token)
        except ValueError:
            raise FjsFormatError(f"{name}: expected an integer for {what}, got {token!r}") from None

    n_jobs = take_int("the job count")
    take_int("the machine count")  # declared, not trusted
    if len(tokens) < 3:
        raise FjsFormatError(f"{name}: header needs three fields")
    cursor += 1  # average flexibility: may be a float and may be wrong

    operations: list[Operation] = []
    orders: list[Order] = []
    used_machines: set[int] = set()
    for job in range(1, n_jobs + 1):
        n_ops = take_int(f"the operation count of job {job}")
        previous: str | None = None
        for position in range(1, n_ops + 1):
            k = take_int(f"the machine count of operation {position} of job {job}")
            if k < 1:
                raise FjsFormatError(f"{name}: operation {position} of job {job} has no machine")
            durations: dict[int, int] = {}
            for _ in range(k):
                machine = take_int("a machine id")
                duration = take_int("a processing time")
                if machine < 1 or duration < 0:
                    raise FjsFormatError(f"{name}: bad machine {machine} or time {duration} in job {job}")
                # a machine listed twice for one operation keeps its shorter time
                durations[machine] = min(duration, durations.get(machine, duration))
            used_machines.update(durations)
            op_id = operation_id(job, position)
            operations.append(
                Operation(
                    id=op_id,
                    order_id=f"J{job}",
                    process="fjs",
                    candidates=tuple(Candidate(machine_id(m), d, 0) for m, d in sorted(durations.items())),
                    predecessors=(previous,) if previous else (),
                )
            )
            previous = op_id
        orders.append(Order(id=f"J{job}", due=0, lateness_weight=0, delivery_site=None))
    if cursor != len(tokens):
        raise FjsFormatError(f"{name}: {len(tokens) - cursor} numbers left over after {n_jobs} jobs")
    resources = tuple(Resource(machine_id(m), SHOP_SITE) for m in sorted(used_machines))
    return Problem(
        operations=tuple(operations),
        resources=resources,
        orders=tuple(orders),
        weights=Weights(cost=0, lateness=0, makespan=1),
    )


def load_fjs(path: str | Path) -> Problem:
    path = Path(path)
    return parse_fjs(path.read_text(), name=path.name)
