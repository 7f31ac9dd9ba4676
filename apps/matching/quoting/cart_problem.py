"""A cart as one matching problem: every line × quantity as batches of one order against the committed network,
and the lead-time variants (standard, fastest, balanced) asked of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from apps.core.geodesy import Point
from apps.matching.engine.domain import Weights
from apps.matching.engine.solver import QUOTE_MAX_FREE_OPS
from apps.matching.models import MatchingSettings
from apps.matching.problem import (
    BuiltProblem,
    OrderInput,
    StepInput,
    origin_now,
    problem_build,
    steps_from_compiled,
)
from apps.matching.problem.batches import steps_in_lots
from apps.matching.quoting.options import BALANCED, CHEAPEST, FASTEST, Variant, balanced_weight
from apps.matching.quoting.results import QUOTE_ORDER, QuoteItem
from apps.tenants.models import Tenant


def cart_steps(items: Sequence[QuoteItem]) -> tuple[StepInput, ...]:
    """Every line's compiled operations in its quantity, ids prefixed by the line ("q2.legs")."""
    return tuple(
        step
        for i, item in enumerate(items)
        for step in steps_from_compiled(item.operations, prefix=f"q{i}.", quantity=item.quantity)
    )


def cart_problem(
    steps: tuple[StepInput, ...],
    tenant: Tenant,
    delivery: Point | None,
    settings: MatchingSettings,
    now: dt.datetime,
    reads: dict,
) -> BuiltProblem:
    """The quoted steps as one order against the committed network (due and weight are set per variant)."""
    order = OrderInput(
        key=QUOTE_ORDER,
        steps=steps,
        due=None,
        lateness_weight=settings.quote_time_value_per_minute,
        delivery=delivery,
    )
    return problem_build(
        orders=[order],
        origin=origin_now(now),
        horizon_days=settings.horizon_days,
        currency=tenant.currency,
        time_zone=tenant.time_zone,
        weights=Weights(cost=1, lateness=1, makespan=0),
        reads=reads,
    )


def cart_variants(
    whole: BuiltProblem,
    compiled: tuple[StepInput, ...],
    tenant: Tenant,
    delivery: Point | None,
    requested_date: dt.date | None,
    settings: MatchingSettings,
    now: dt.datetime,
    reads: dict,
) -> list[Variant]:
    """Standard, fastest and balanced (see options). With a requested date the standard plan counts
    lateness from the end of that day at a paid order's weight; otherwise every minute sooner is worth a
    little, so speed is bought when it is cheap."""
    low, high = settings.quote_time_value_per_minute, settings.lateness_weight_per_minute
    if requested_date is not None:
        due = dt.datetime.combine(requested_date, dt.time(23, 59), tzinfo=ZoneInfo(tenant.time_zone))
        standard = Variant(CHEAPEST, whole, 1, high, max(0, whole.minutes(due)))
    else:
        standard = Variant(CHEAPEST, whole, 1, low, 0)
    split_steps = steps_in_lots(compiled, lots=settings.quote_max_lots, max_operations=QUOTE_MAX_FREE_OPS)
    split, lots = whole, 1
    if split_steps != tuple(whole.steps.values()):
        split = cart_problem(split_steps, tenant, delivery, settings, now, reads)
        lots = settings.quote_max_lots
    return [
        standard,
        Variant(FASTEST, split, lots, high, 0),
        Variant(BALANCED, split, lots, balanced_weight(low, high), 0),
    ]
