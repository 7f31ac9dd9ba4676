"""Lead-time options: distinct feasible plans for one quote problem (a whole cart) — fastest, balanced, cheapest.

Three variants of the same problem are solved against the committed network:
- standard: every batch whole; a minute sooner is worth `quote_time_value_per_minute` (with a requested date,
  lateness after that day costs what it costs a paid order instead);
- fastest: long batches may be split into lots (MatchingSettings.quote_max_lots, see problem/batches.py) and a
  minute sooner is worth the lateness weight;
- balanced: split like the fastest, a minute sooner worth the geometric mean of the two weights.
An option is dropped when another one arrives no later for no more money; what remains, fastest first, is what
the customer chooses from. Each option is priced line by line (production and materials of the line's own
operations, the shared transport allocated by largest remainder, the line's template margin), so the lines sum
to the option's price.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.core.money import allocate_largest_remainder
from apps.matching.engine import domain
from apps.matching.engine.pricing import Price, price_plan
from apps.matching.problem import BuiltProblem
from apps.matching.problem.batches import step_base

FASTEST = "fastest"
BALANCED = "balanced"
CHEAPEST = "cheapest"
OPTION_LABELS = {FASTEST: "Fastest", BALANCED: "Balanced", CHEAPEST: "Lowest price"}
MAX_OPTIONS = 3


@dataclass(frozen=True)
class Variant:
    """One way of asking: the problem (whole or split batches), how much a minute sooner is worth, and the due
    minute that worth counts from."""

    kind: str
    built: BuiltProblem
    lots: int
    weight_per_minute: int
    due_minute: int


@dataclass(frozen=True)
class PricedPlan:
    """A feasible plan of a variant, priced: the option the customer may choose."""

    kind: str
    lots: int
    built: BuiltProblem
    plan: domain.Plan
    price: Price
    line_totals: tuple[int, ...]
    arrival: dt.datetime
    delivery_date: dt.date
    faster_because: str = ""

    @property
    def label(self) -> str:
        return OPTION_LABELS[self.kind]


def variant_problem(variant: Variant, order_key: str) -> BuiltProblem:
    """The variant's BuiltProblem with its order's due minute and lateness weight set."""
    built = variant.built
    orders = tuple(
        replace(o, due=variant.due_minute, lateness_weight=variant.weight_per_minute)
        if o.id == order_key
        else o
        for o in built.problem.orders
    )
    return replace(built, problem=replace(built.problem, orders=orders))


def balanced_weight(low: int, high: int) -> int:
    return max(low, round(math.sqrt(max(1, low) * max(1, high))))


def price_lines(
    built: BuiltProblem,
    plan: domain.Plan,
    *,
    order_key: str,
    line_of: Callable[[str], int],
    margins: Sequence[Decimal],
) -> tuple[Price, tuple[int, ...]]:
    """The plan's price and each line's share of it: a line's own production and materials, the order's
    transport allocated by those, plus the line's margin."""
    lines = len(margins)
    production = [0] * lines
    materials = [0] * lines
    for op_id, assignment in plan.assignments.items():
        if op_id in built.steps:
            production[line_of(op_id)] += assignment.cost_minor
            materials[line_of(op_id)] += built.materials_minor(op_id)
    transport = sum(leg.cost_minor for leg in plan.legs if leg.order_id == order_key)
    weights = [p + m for p, m in zip(production, materials, strict=True)]
    shares = allocate_largest_remainder(transport, weights if any(weights) else [1] * lines)
    prices = [
        price_plan(
            production_minor=production[i],
            transport_minor=shares[i],
            margin_percent=margins[i],
            materials_minor=materials[i],
            currency=built.currency,  # each line's share chargeable, so their sum is too
        )
        for i in range(lines)
    ]
    total = Price(
        production_minor=sum(p.production_minor for p in prices),
        transport_minor=transport,
        margin_minor=sum(p.margin_minor for p in prices),
        materials_minor=sum(p.materials_minor for p in prices),
    )
    return total, tuple(p.total_minor for p in prices)


def options_choose(plans: Sequence[PricedPlan]) -> tuple[PricedPlan, ...]:
    """The distinct options, fastest first: a plan is dropped when another arrives no later (by date) for no
    more money. Kinds by place: the first is the fastest, the last the cheapest, one between is balanced;
    a single option is the cheapest."""
    kept: list[PricedPlan] = []
    for plan in sorted(plans, key=lambda p: (p.delivery_date, p.price.total_minor, p.arrival)):
        if any(
            k.delivery_date <= plan.delivery_date and k.price.total_minor <= plan.price.total_minor
            for k in kept
        ):
            continue
        kept.append(plan)
    kept = kept[:1] + kept[1:][-(MAX_OPTIONS - 1) :] if len(kept) > MAX_OPTIONS else kept
    kinds = {1: (CHEAPEST,), 2: (FASTEST, CHEAPEST), 3: (FASTEST, BALANCED, CHEAPEST)}[len(kept)]
    named = [replace(plan, kind=kind) for plan, kind in zip(kept, kinds, strict=True)]
    slowest = named[-1]
    return tuple(
        replace(plan, faster_because=faster_because(plan, slowest)) if plan is not slowest else plan
        for plan in named
    )


def delivery_day(built: BuiltProblem, plan: domain.Plan, order_key: str, time_zone: str) -> dt.datetime:
    return built.at(plan.completion[order_key]).astimezone(ZoneInfo(time_zone))


def faster_because(fast: PricedPlan, slow: PricedPlan) -> str:
    """What makes `fast` sooner than `slow`, in the customer's words: more workshops on a step, other
    workshops, or quicker transport."""
    fast_owners, slow_owners = _owners_by_step(fast), _owners_by_step(slow)
    names = _step_names(fast)
    shared = [step for step, owners in fast_owners.items() if len(owners) > len(slow_owners.get(step, ()))]
    if shared:
        count = max(len(fast_owners[s]) for s in shared)
        which = "a second workshop" if count == 2 else f"{count} workshops"
        return f"uses {which} for the {_join(names[s].lower() for s in shared)}"
    moved = [step for step, owners in fast_owners.items() if owners != slow_owners.get(step)]
    if moved:
        return f"the {_join(names[s].lower() for s in moved)} at a workshop that is free sooner"
    if _transport_minutes(fast) < _transport_minutes(slow):
        return "faster transport"
    return "starts sooner"


def _owners_by_step(option: PricedPlan) -> dict[str, set[int]]:
    owners: dict[str, set[int]] = {}
    for op_id, assignment in option.plan.assignments.items():
        if op_id in option.built.steps:
            owner = option.built.real_resource(assignment.resource_id).owner_pk
            owners.setdefault(step_base(op_id), set()).add(owner)
    return owners


def _step_names(option: PricedPlan) -> dict[str, str]:
    return {step_base(op_id): step.name.split(" (lot ")[0] for op_id, step in option.built.steps.items()}


def _transport_minutes(option: PricedPlan) -> int:
    return sum(leg.arrival - leg.departure for leg in option.plan.legs)


def _join(words) -> str:
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
