"""Batches: a line's quantity of one step is one operation (setup paid once on its resource, run time per unit);
a batch longer than a working day is run as day-sized lots; and, when a batch is long enough to be worth
sharing out, up to `lots` operations of whole units that the solver may place on different resources or
companies (each lot pays its own setup).

The quote and the commit split the same way (the order keeps the number of lots of the option bought), so the
plan the customer paid for is one the commit can find again. A lot is a step of its own: op id and step key carry
the lot number ("legs~2"), so its work item is told apart from its sibling's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from apps.matching.problem.values import StepInput

LOT_SEPARATOR = "~"
# A batch shorter than this (minutes at reference speed) is never shared out: a second setup and a second
# transport leg cost more than the hours saved.
SPLIT_MIN_MINUTES = Decimal(240)
# An operation runs in one go within one opening of its resource, so a batch longer than a working day is run
# as day-sized lots (each its own setup) whatever the option: ten four-hour parts are not one 40-hour job.
LOT_MAX_MINUTES = Decimal(480)


def steps_in_lots(
    steps: Sequence[StepInput],
    *,
    lots: int = 1,
    max_operations: int = 0,
    min_minutes: Decimal = SPLIT_MIN_MINUTES,
    max_lot_minutes: Decimal = LOT_MAX_MINUTES,
) -> tuple[StepInput, ...]:
    """Batches as operations: a batch longer than `max_lot_minutes` becomes day-sized lots (never fewer than
    that; a single part longer than a day stays one operation); then, longest first and while the problem
    stays within `max_operations`, a batch of at least `min_minutes` may be shared out into `lots` lots for
    other workshops to take. Lots are sizes that differ by at most one unit; a successor waits for every lot
    of its predecessor."""
    chosen: dict[str, int] = {}
    for step in steps:
        if step.release is None and step.quantity > 1:
            needed = min(step.quantity, math.ceil(step.reference_minutes / max_lot_minutes))
            if needed > 1:
                chosen[step.op_id] = needed
    count = len(steps) + sum(n - 1 for n in chosen.values())
    for step in sorted(steps, key=lambda s: s.reference_minutes, reverse=True):
        have = chosen.get(step.op_id, 1)
        parts = min(lots, step.quantity)
        if step.reference_minutes < min_minutes or parts <= have or step.release is not None:
            continue
        if count + parts - have > max_operations:
            break
        chosen[step.op_id] = parts
        count += parts - have
    if not chosen:
        return tuple(steps)
    lot_ids = {op_id: [lot_id(op_id, k, n) for k in range(1, n + 1)] for op_id, n in chosen.items()}
    result: list[StepInput] = []
    for step in steps:
        predecessors = tuple(p for pred in step.predecessors for p in lot_ids.get(pred, [pred]))
        parts = chosen.get(step.op_id)
        if parts is None:
            result.append(replace(step, predecessors=predecessors))
            continue
        base, extra = divmod(step.quantity, parts)
        for k in range(1, parts + 1):
            units = base + (1 if k <= extra else 0)
            share = Decimal(units) / Decimal(step.quantity)
            result.append(
                replace(
                    step,
                    op_id=lot_id(step.op_id, k, parts),
                    step_key=lot_id(step.step_key, k, parts),
                    name=f"{step.name} (lot {k} of {parts})",
                    reference_minutes=step.reference_minutes * share,
                    quantity=units,
                    predecessors=predecessors,
                    material_cost=step.material_cost * share,
                )
            )
    return tuple(result)


def lot_id(base: str, k: int, parts: int) -> str:
    return f"{base}{LOT_SEPARATOR}{k}" if parts > 1 else base


def step_base(key: str) -> str:
    """The step a lot belongs to ("legs~2" → "legs")."""
    return key.split(LOT_SEPARATOR, 1)[0]
