"""Solving a cart's quote: its problem, the lead-time variants solved and priced, then the answer (answers.py)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from apps.catalog.estimate import SOURCE as CATALOGUE_ESTIMATE
from apps.catalog.models import ProductTemplate
from apps.core.geodesy import Point
from apps.matching.engine import domain
from apps.matching.engine.domain import Infeasible, Limits
from apps.matching.models import MatchingSettings
from apps.matching.problem import BuiltProblem
from apps.matching.problem.batches import steps_in_lots
from apps.matching.quoting.answers import quote_fallback, quote_matched
from apps.matching.quoting.cart_problem import cart_problem, cart_steps, cart_variants
from apps.matching.quoting.network_reads import network_reads
from apps.matching.quoting.options import (
    BALANCED,
    CHEAPEST,
    PricedPlan,
    Variant,
    delivery_day,
    options_choose,
    price_lines,
    variant_problem,
)
from apps.matching.quoting.reasons import quote_reason
from apps.matching.quoting.results import QUOTE_ORDER, SOURCE_INFEASIBLE, MatchingQuote, QuoteItem
from apps.matching.services import PlanInvalid, solve_checked
from apps.processes.selectors import process_names
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

MIN_SEARCH_MS = 250  # CP-SAT time below which a variant is left to the greedy dispatcher (but one searched)


def quote_solved(
    items: Sequence[QuoteItem],
    template: ProductTemplate,
    values: dict[str, object],
    tenant: Tenant,
    delivery: Point | None,
    requested_date: dt.date | None,
    parameters: dict,
    settings: MatchingSettings,
    record: bool,
    options: bool,
    versions: tuple[int, int],
) -> MatchingQuote:
    """The quote of `items` solved now (no cache): the options' plans, or the catalogue estimate with why."""
    now = timezone.now()
    compiled = cart_steps(items)
    steps = steps_in_lots(compiled)
    # the variants' problems read the network once, its resources and carriers from this process when unchanged
    reads = network_reads(frozenset(s.process for s in steps), versions)
    built = cart_problem(steps, tenant, delivery, settings, now, reads)
    parameters = {**parameters, "delivery_point": list(delivery) if delivery else None}
    missing = [s for s in steps if not any(r.eligible for r in built.process_resources.get(s.process, ()))]
    if missing:
        names = process_names(s.process for s in missing)  # one query for all of them
        notice = (
            "no workshop in the network offers "
            + ", ".join(sorted({names.get(s.process, s.process).lower() for s in missing}))
            + " yet"
        )
        return quote_fallback(
            template,
            values,
            tenant,
            now,
            CATALOGUE_ESTIMATE,
            notice,
            (),
            built,
            parameters,
            record=record,
            items=items,
        )

    variants = cart_variants(built, compiled, tenant, delivery, requested_date, settings, now, reads)
    if not options:
        variants = variants[:1]
    margins = [Decimal(str(item.margin_percent)) for item in items]
    priced = []
    limits = _search_limits(settings.quote_time_limit_ms, variants)
    for variant in variants:
        problem = variant_problem(variant, QUOTE_ORDER)
        plan = _solve(problem, limits.get(variant.kind, 0))
        if plan.has_schedule:
            priced.append(_priced(variant, problem, plan, margins, tenant))
        elif not priced:  # the standard plan (whole batches) failed: split ones are no easier to find
            break
    if not priced:
        reasons = tuple(quote_reason(built, r, settings.horizon_days) for r in plan.reasons)
        notice = " ".join(dict.fromkeys(r.message for r in reasons))
        return quote_fallback(
            template,
            values,
            tenant,
            now,
            SOURCE_INFEASIBLE,
            notice,
            reasons,
            built,
            parameters,
            plan,
            record=record,
            items=items,
        )
    return quote_matched(options_choose(priced), values, tenant, now, requested_date, parameters, record)


def _search_limits(time_limit_ms: int, variants: Sequence[Variant]) -> dict[str, float]:
    """CP-SAT seconds per variant kind: the standard plan (the quote's own price unless a date asks for speed)
    first, the balanced one too when the time allows MIN_SEARCH_MS each; the fastest plan is the greedy
    dispatcher's (it is time-first). A search shorter than that is spent building its model: on bench_quote
    (quote_time_limit_ms 120, shared by two variants) CP-SAT never improved a plan, while with 1 s each it
    took 3 % off the cheapest."""
    searched = [v.kind for v in variants if v.kind in (CHEAPEST, BALANCED)]
    searched = searched[: max(1, time_limit_ms // MIN_SEARCH_MS)]
    return {kind: time_limit_ms / 1000 / len(searched) for kind in searched}


def _priced(
    variant: Variant, built: BuiltProblem, plan: domain.Plan, margins: Sequence[Decimal], tenant: Tenant
) -> PricedPlan:
    price, line_totals = price_lines(built, plan, order_key=QUOTE_ORDER, line_of=_line_of, margins=margins)
    arrival = delivery_day(built, plan, QUOTE_ORDER, tenant.time_zone)
    return PricedPlan(
        kind=variant.kind,
        lots=variant.lots,
        built=built,
        plan=plan,
        price=price,
        line_totals=line_totals,
        arrival=arrival,
        delivery_date=arrival.date(),
    )


def _line_of(op_id: str) -> int:
    """The quote line of an operation id ("q2.legs~1" → 2)."""
    return int(op_id[1 : op_id.index(".")])


def _solve(built: BuiltProblem, limit_s: float) -> domain.Plan:
    """One worker: the greedy plan at once, then CP-SAT from it (as hint and fallback) for up to `limit_s`
    (0: the greedy dispatcher alone). Unexplained and unbounded: only a recorded quote's chosen plan is explained. A plan
    the validator rejects is a bug: it is logged and answered as "no solution in time", never quoted."""
    limits = Limits(
        time_limit_s=limit_s,
        workers=1,
        seed=0,
        explain=False,
        strategy="greedy" if limit_s <= 0 else "auto",
        bound=False,  # a quote records no bound or gap
    )
    try:
        return solve_checked(built, limits)
    except PlanInvalid:
        logger.exception("The quote's plan failed validation")
        return domain.Plan(
            domain.UNKNOWN, reasons=(Infeasible(domain.NO_SOLUTION_IN_TIME, detail="invalid plan"),)
        )
