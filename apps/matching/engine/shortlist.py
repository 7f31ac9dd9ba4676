"""Which few candidates of an operation are worth a CP-SAT model when there are many (quotes, LNS steps)."""

from __future__ import annotations

import random

from .domain import Plan
from .indexing import ProblemIndex


def shortlist(
    index: ProblemIndex, plan: Plan, op_id: str, size: int, rng: random.Random | None = None
) -> set[str]:
    """The `size - 1` candidates cheapest given where `plan` put the operation's neighbours (production plus the
    cheapest transport in from the predecessors' sites and out to the successors' or the customer's site), the
    resource `plan` chose, and one candidate at random for diversity."""
    op = index.ops[op_id]
    if len(op.candidates) <= size:
        return {c.resource_id for c in op.candidates}
    sources = [index.site_of[plan.assignments[p].resource_id] for p in op.predecessors]
    targets = [index.site_of[plan.assignments[s].resource_id] for s in index.successors[op_id]]
    order = index.orders.get(op.order_id)
    if order is not None and order.delivery_site is not None and op_id in index.sinks.get(order.id, ()):
        targets.append(order.delivery_site)

    def price(resource_id: str, production: int) -> int:
        site = index.site_of[resource_id]
        return (
            production
            + sum(min(index.cheapest(a, site), 10**12) for a in sources)
            + sum(min(index.cheapest(site, b), 10**12) for b in targets)
        )

    ranked = sorted(op.candidates, key=lambda c: (price(c.resource_id, c.cost_minor), c.resource_id))
    keep = {c.resource_id for c in ranked[: size - 1]}
    if op_id in plan.assignments:
        keep.add(plan.assignments[op_id].resource_id)
    if rng is not None:
        keep.add(rng.choice(op.candidates).resource_id)
    else:
        keep.add(ranked[size - 1].resource_id)
    return keep
