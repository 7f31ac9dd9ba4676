"""Which few candidates of an operation are worth a CP-SAT model when there are many (quotes, LNS steps)."""

from __future__ import annotations

import random

from .domain import Plan
from .indexing import ProblemIndex


def shortlist(
    index: ProblemIndex, plan: Plan, op_id: str, size: int, rng: random.Random | None = None
) -> set[str]:
    """The `size - 1` candidates cheapest given where `plan` put the operation's neighbours (placement_prices),
    the resource `plan` chose, and one candidate at random for diversity."""
    op = index.ops[op_id]
    if len(op.candidates) <= size:
        return {c.resource_id for c in op.candidates}
    prices = placement_prices(index, plan, op_id)
    ranked = sorted(op.candidates, key=lambda c: (prices[c.resource_id], c.resource_id))
    keep = {c.resource_id for c in ranked[: size - 1]}
    if op_id in plan.assignments:
        keep.add(plan.assignments[op_id].resource_id)
    if rng is not None:
        keep.add(rng.choice(op.candidates).resource_id)
    else:
        keep.add(ranked[size - 1].resource_id)
    return keep


def placement_prices(index: ProblemIndex, plan: Plan, op_id: str) -> dict[str, int]:
    """Per candidate resource of the operation, its production there plus the cheapest transport in from its
    predecessors' sites and out to its successors' (or the customer's) site, where `plan` put them."""
    op = index.ops[op_id]
    sources = [index.site_of[plan.assignments[p].resource_id] for p in op.predecessors]
    targets = [index.site_of[plan.assignments[s].resource_id] for s in index.successors[op_id]]
    order = index.orders.get(op.order_id)
    if order is not None and order.delivery_site is not None and op_id in index.sinks.get(order.id, ()):
        targets.append(order.delivery_site)
    prices: dict[str, int] = {}
    legs_at: dict[str, int] = {}  # per site: the transport is the same for every machine there
    for c in op.candidates:
        site = index.site_of[c.resource_id]
        legs = legs_at.get(site)
        if legs is None:
            legs = legs_at[site] = sum(min(index.cheapest(a, site), 10**12) for a in sources) + sum(
                min(index.cheapest(site, b), 10**12) for b in targets
            )
        price = c.cost_minor + legs
        prices[c.resource_id] = min(price, prices.get(c.resource_id, price))
    return prices
