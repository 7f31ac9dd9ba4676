"""A solved quote as the customer sees it — the options, the chosen one's figures and breakdown, or the catalogue
estimate with why — and, for quotes that matter, its run (a MatchingRun in mode "quote")."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.catalog.estimate import StepCost, catalogue_estimate, operations_estimate
from apps.catalog.selectors import template_spec_for
from apps.matching.engine import domain
from apps.matching.engine.explain import explain_plan
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.models import MatchingRun, RunMode, RunOutcome, RunStatus
from apps.matching.problem import BuiltProblem
from apps.matching.quoting.options import PricedPlan
from apps.matching.quoting.reasons import QuoteReason
from apps.matching.quoting.results import (
    QUOTE_ORDER,
    QUOTE_VALIDITY,
    SOURCE_MATCHED,
    SOURCE_TOO_EARLY,
    MatchingQuote,
    QuoteOption,
    working_days_between,
)
from apps.matching.services import explanation_json, inputs_hash, plan_statistics
from apps.tenants.models import Tenant


def quote_matched(
    options: tuple[PricedPlan, ...],
    values: dict[str, object],
    tenant: Tenant,
    now: dt.datetime,
    requested_date: dt.date | None,
    parameters: dict,
    record: bool,
) -> MatchingQuote:
    """The quote of the options: its figures are the cheapest option's that arrives by the requested day.
    When none does, the quote is refused (source SOURCE_TOO_EARLY) and names the earliest possible day."""
    zone = ZoneInfo(tenant.time_zone)
    today = now.astimezone(zone).date()
    earliest = options[0].delivery_date
    in_time = [o for o in options if requested_date is None or o.delivery_date <= requested_date]
    chosen = in_time[-1] if in_time else options[0]
    source, notice, reasons = SOURCE_MATCHED, "", ()
    if not in_time:
        message = (
            f"It cannot arrive by {requested_date:%A %-d %B}; the earliest the network can deliver is "
            f"{earliest:%A %-d %B}. Choose a later date or a simpler design."
        )
        source, notice = SOURCE_TOO_EARLY, message
        reasons = (QuoteReason(domain.IMPOSSIBLE_DUE_DATE, (), message, change="date"),)
    offered = tuple(_option(o, today) for o in (in_time or options))
    if record:
        index = ProblemIndex(chosen.built.problem)
        chosen = replace(chosen, plan=replace(chosen.plan, explanations=explain_plan(index, chosen.plan)))
    run = (
        _record(
            chosen.built,
            chosen.plan,
            {**parameters, "options": [_option_json(o) for o in offered], "chosen": chosen.kind},
            RunOutcome.QUOTED if in_time else RunOutcome.INFEASIBLE,
        )
        if record
        else None
    )
    own = [a for op_id, a in chosen.plan.assignments.items() if op_id in chosen.built.steps]
    return MatchingQuote(
        price_minor=chosen.price.total_minor,
        currency=tenant.currency,
        delivery_date=chosen.delivery_date,
        lead_time_days=working_days_between(today, chosen.delivery_date),
        asset_owner_count=len({chosen.built.resources[a.resource_id].owner_pk for a in own}),
        breakdown=_breakdown(chosen.built, chosen.plan),
        margin_minor=chosen.price.margin_minor,
        source=source,
        expires_at=now + QUOTE_VALIDITY,
        values=values,
        production_minor=chosen.price.production_minor,
        transport_minor=chosen.price.transport_minor,
        materials_minor=chosen.price.materials_minor,
        arrival=chosen.arrival,
        run_id=run.pk if run else None,
        reasons=reasons,
        notice=notice,
        options=offered,
        option_kind=chosen.kind,
        line_totals=chosen.line_totals,
        earliest_date=earliest,
        method=chosen.plan.method,
    )


def quote_fallback(
    template,
    values,
    tenant,
    now,
    source,
    notice,
    reasons,
    built,
    parameters,
    plan=None,
    *,
    record: bool,
    items,
) -> MatchingQuote:
    """The catalogue estimate, marked with why the network did not quote. A part template has no routing to
    estimate from: its first line's compiled operations are estimated instead, in the network's currency."""
    today = now.astimezone(ZoneInfo(tenant.time_zone)).date()
    if template.has_fixed_part:
        estimate = operations_estimate(
            items[0].operations,
            currency=tenant.currency,
            margin_percent=template.margin_percent,
            transport_buffer_days=template.transport_buffer_days,
            values=values,
            today=today,
        )
    else:
        estimate = catalogue_estimate(template_spec_for(template), values, today=today)
    run = (
        _record(built, plan, {**parameters, "fallback": source, "notice": notice}, RunOutcome.INFEASIBLE)
        if record
        else None
    )
    return MatchingQuote(
        price_minor=estimate.price_minor,
        currency=estimate.currency,
        delivery_date=estimate.delivery_date,
        lead_time_days=estimate.lead_time_days,
        asset_owner_count=None,
        breakdown=estimate.breakdown,
        margin_minor=estimate.margin_minor,
        source=source,
        expires_at=now + QUOTE_VALIDITY,
        values=estimate.values,
        run_id=run.pk if run else None,
        reasons=reasons,
        notice=notice,
    )


def _option(option: PricedPlan, today: dt.date) -> QuoteOption:
    own = [a for op_id, a in option.plan.assignments.items() if op_id in option.built.steps]
    return QuoteOption(
        kind=option.kind,
        label=option.label,
        price_minor=option.price.total_minor,
        delivery_date=option.delivery_date,
        lead_time_days=working_days_between(today, option.delivery_date),
        arrival=option.arrival,
        lots=option.lots,
        faster_because=option.faster_because,
        line_totals=option.line_totals,
        asset_owner_count=len({option.built.resources[a.resource_id].owner_pk for a in own}),
        method=option.plan.method,
    )


def _option_json(option: QuoteOption) -> dict:
    return {
        "kind": option.kind,
        "price_minor": option.price_minor,
        "delivery_date": option.delivery_date.isoformat(),
        "arrival": option.arrival.isoformat(),
        "lots": option.lots,
        "method": option.method,
        "faster_because": option.faster_because,
    }


def _record(built: BuiltProblem, plan, parameters: dict, outcome: str) -> MatchingRun:
    """The quote's run: what was asked and the plan behind the answer (kept a week, see runs_prune)."""
    now = timezone.now()
    values = {
        "mode": RunMode.QUOTE,
        "status": RunStatus.DONE,
        "outcome": outcome,
        "parameters": parameters,
        "inputs_hash": inputs_hash(built),
        "started_at": now,
        "finished_at": now,
    }
    if plan is not None:
        values.update(
            objective=plan.objective,
            wall_s=round(plan.wall_s, 4),
            explanation=explanation_json(built, plan) if plan.has_schedule else [],
            statistics=plan_statistics(built, plan),
            reasons=[
                {"code": r.code, "operations": list(r.operation_ids), "detail": r.detail}
                for r in plan.reasons
            ],
        )
    return MatchingRun.objects.create(**values)


def _breakdown(built: BuiltProblem, plan) -> tuple[StepCost, ...]:
    rows = []
    for op_id, step in built.steps.items():
        a = plan.assignments[op_id]
        materials = built.materials_minor(op_id)
        rows.append(
            StepCost(
                step_key=step.step_key,
                name=step.name,
                process=step.process,
                quantity=step.quantity,
                duration_minutes=float(a.end - a.start),
                cost_minor=a.cost_minor + materials,
                drivers_minor={"processing": a.cost_minor, "materials": materials},
            )
        )
    legs = [leg for leg in plan.legs if leg.order_id == QUOTE_ORDER]
    if legs:
        total = sum(leg.cost_minor for leg in legs)
        rows.append(
            StepCost(
                step_key="transport",
                name=f"Transport ({len(legs)} leg{'s' if len(legs) > 1 else ''})",
                process="transport",
                quantity=len(legs),
                duration_minutes=float(sum(leg.arrival - leg.departure for leg in legs)),
                cost_minor=total,
                drivers_minor={"transport": total},
            )
        )
    return tuple(rows)
