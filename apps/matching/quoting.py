"""Quotes from the network: one design against the committed schedule, in well under a second.

`quote_configuration` (a template and raw values) and `quote_design_version` (a saved version, compiled when it
was saved) build a one-order problem — the design's operations, every eligible capable resource with its
calendar and committed bookings, carriers to a delivery point — solve it with the interactive limit, and price
the plan: production + materials + transport + the template's margin (engine/pricing.py). The answer carries the delivery date,
the number of asset owners involved and the plan's run (a MatchingRun in mode "quote"). Production is what the
chosen workshops charge for the work; the steps' bought-in materials (from the catalog) are their own line.

When the network cannot make the design the answer says why in words a customer can act on (quote_reasons.py:
the step, each machine's own reason and what to change); when no eligible workshop offers a required process
at all, the catalogue's own estimate stands in and `source` says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.catalog.estimate import SOURCE as CATALOGUE_ESTIMATE
from apps.catalog.estimate import StepCost, catalogue_estimate
from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import configuration_validate
from apps.core.money import Money
from apps.matching.engine import domain
from apps.matching.engine.domain import Infeasible, Limits, Weights
from apps.matching.engine.pricing import price_plan
from apps.matching.models import MatchingRun, MatchingSettings, RunMode, RunOutcome, RunStatus
from apps.matching.problem import (
    BuiltProblem,
    OrderInput,
    StepInput,
    origin_now,
    problem_build,
    steps_from_compiled,
)
from apps.matching.quote_reasons import QuoteReason, quote_reason
from apps.matching.selectors import matching_settings_get
from apps.matching.services import PlanInvalid, explanation_json, inputs_hash, plan_statistics, solve_checked
from apps.processes.selectors import process_names
from apps.suppliers.selectors import asset_owner_list_eligible
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

QUOTE_ORDER = "quote"
QUOTE_VALIDITY = dt.timedelta(minutes=30)
SOURCE_MATCHED = "network_match"
SOURCE_INFEASIBLE = "network_infeasible"
SOURCE_LABELS = {
    SOURCE_MATCHED: "Matched to the network's workshops",
    SOURCE_INFEASIBLE: "Cannot be made in this network as configured",
    CATALOGUE_ESTIMATE: "Estimate from the catalogue's cost model",
}

Point = tuple[float, float]


@dataclass(frozen=True)
class MatchingQuote:
    """A quote as the configurator, the quotes API and checkout show it, plus the plan behind it."""

    price_minor: int
    currency: str
    delivery_date: dt.date
    lead_time_days: int
    asset_owner_count: int | None
    breakdown: tuple[StepCost, ...]
    margin_minor: int
    source: str
    expires_at: dt.datetime
    values: dict[str, object]
    production_minor: int = 0
    transport_minor: int = 0
    materials_minor: int = 0
    arrival: dt.datetime | None = None
    run_id: int | None = None
    reasons: tuple[QuoteReason, ...] = ()
    notice: str = ""

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    @property
    def feasible(self) -> bool:
        return self.source == SOURCE_MATCHED

    @property
    def source_label(self) -> str:
        label = SOURCE_LABELS.get(self.source, self.source)
        return f"{label}: {self.notice}" if self.notice else label


def quote_configuration(
    *,
    template: ProductTemplate,
    values: Mapping[str, object],
    tenant: Tenant,
    delivery_point: Point | None = None,
    requested_date: dt.date | None = None,
    quantity: int = 1,
) -> MatchingQuote:
    """Quote for raw values of a template; raises apps.catalog.validation.InvalidConfiguration."""
    configuration = configuration_validate(template_spec_for(template), values)
    steps = steps_from_compiled(configuration.operations, prefix="q.", quantity=quantity)
    return _quote(
        steps=steps,
        template=template,
        values=configuration.values,
        tenant=tenant,
        delivery_point=delivery_point,
        requested_date=requested_date,
        parameters={"template": template.slug, "values": configuration.values, "quantity": quantity},
    )


def quote_design_version(
    *,
    design_version: DesignVersion,
    tenant: Tenant,
    delivery_point: Point | None = None,
    requested_date: dt.date | None = None,
    quantity: int = 1,
) -> MatchingQuote:
    """Quote for a saved design version, from the operations compiled when it was saved."""
    template = design_version.design.template
    steps = steps_from_compiled(design_version.operations, prefix="q.", quantity=quantity)
    return _quote(
        steps=steps,
        template=template,
        values=dict(design_version.values),
        tenant=tenant,
        delivery_point=delivery_point,
        requested_date=requested_date,
        parameters={"design_version": str(design_version.pk), "quantity": quantity},
    )


def _quote(
    *,
    steps: tuple[StepInput, ...],
    template: ProductTemplate,
    values: dict[str, object],
    tenant: Tenant,
    delivery_point: Point | None,
    requested_date: dt.date | None,
    parameters: dict,
) -> MatchingQuote:
    """The network's quote for `steps`, or the catalogue estimate marked with why the network cannot make it;
    either way the quote's run is recorded."""
    settings = matching_settings_get()
    now = timezone.now()
    delivery = delivery_point or _network_centre()
    built = _quote_problem(steps, tenant, delivery, requested_date, settings, now)
    parameters = {**parameters, "delivery_point": list(delivery) if delivery else None}
    missing = [s for s in steps if not any(r.eligible for r in built.process_resources.get(s.process, ()))]
    if missing:
        names = process_names(s.process for s in missing)  # one query for all of them
        notice = (
            "no workshop in the network offers "
            + ", ".join(sorted({names.get(s.process, s.process).lower() for s in missing}))
            + " yet"
        )
        return _fallback(template, values, tenant, now, CATALOGUE_ESTIMATE, notice, (), built, parameters)

    plan = _quote_solve(built, settings)
    if not plan.has_schedule:
        reasons = tuple(quote_reason(built, r, settings.horizon_days) for r in plan.reasons)
        notice = " ".join(dict.fromkeys(r.message for r in reasons))
        return _fallback(
            template, values, tenant, now, SOURCE_INFEASIBLE, notice, reasons, built, parameters, plan
        )
    return _matched(built, plan, template, values, tenant, now, requested_date, parameters)


def _quote_problem(
    steps: tuple[StepInput, ...],
    tenant: Tenant,
    delivery: Point | None,
    requested_date: dt.date | None,
    settings: MatchingSettings,
    now: dt.datetime,
) -> BuiltProblem:
    """The quoted design as one order against the committed network. With a requested date, lateness after
    that day costs what it costs a real order; without one, every minute sooner is worth a little, so speed is
    bought when it is cheap."""
    origin = origin_now(now)
    if requested_date is not None:
        due = dt.datetime.combine(requested_date, dt.time(23, 59), tzinfo=ZoneInfo(tenant.time_zone))
        weight = settings.lateness_weight_per_minute
    else:
        due, weight = origin, settings.quote_time_value_per_minute
    order = OrderInput(key=QUOTE_ORDER, steps=steps, due=due, lateness_weight=weight, delivery=delivery)
    return problem_build(
        orders=[order],
        origin=origin,
        horizon_days=settings.horizon_days,
        currency=tenant.currency,
        time_zone=tenant.time_zone,
        weights=Weights(cost=1, lateness=1, makespan=0),
    )


def _quote_solve(built: BuiltProblem, settings: MatchingSettings) -> domain.Plan:
    """One worker within the network's quote time limit (none: the greedy dispatcher alone). A plan the
    validator rejects is a bug: it is logged and answered as "no solution in time", never quoted."""
    limit_s = settings.quote_time_limit_ms / 1000
    limits = Limits(
        time_limit_s=limit_s, workers=1, seed=0, explain=True, strategy="greedy" if limit_s <= 0 else "auto"
    )
    try:
        return solve_checked(built, limits)
    except PlanInvalid:
        logger.exception("The quote's plan failed validation")
        return domain.Plan(
            domain.UNKNOWN, reasons=(Infeasible(domain.NO_SOLUTION_IN_TIME, detail="invalid plan"),)
        )


def _matched(
    built: BuiltProblem,
    plan: domain.Plan,
    template: ProductTemplate,
    values: dict[str, object],
    tenant: Tenant,
    now: dt.datetime,
    requested_date: dt.date | None,
    parameters: dict,
) -> MatchingQuote:
    """The quote of a plan: its price, the local day it arrives, and a notice when that is after the day the
    customer asked for."""
    price = price_plan(
        production_minor=plan.costs.production,
        transport_minor=plan.costs.transport,
        margin_percent=template.margin_percent,
        materials_minor=built.plan_materials_minor(built.steps),
        currency=tenant.currency,
    )
    zone = ZoneInfo(tenant.time_zone)
    arrival = built.at(plan.completion[QUOTE_ORDER])
    delivery_date = arrival.astimezone(zone).date()
    today = now.astimezone(zone).date()
    own = [a for op_id, a in plan.assignments.items() if op_id in built.steps]
    notice, reasons = "", ()
    if requested_date is not None and delivery_date > requested_date:
        message = (
            f"It cannot arrive by {requested_date:%A %-d %B}; the earliest the network can deliver is "
            f"{delivery_date:%A %-d %B}. Choose a later date or a simpler design."
        )
        reasons = (QuoteReason(domain.IMPOSSIBLE_DUE_DATE, (), message, change="date"),)
        notice = message
    run = _record(built, plan, parameters, RunOutcome.QUOTED)
    return MatchingQuote(
        price_minor=price.total_minor,
        currency=tenant.currency,
        delivery_date=delivery_date,
        lead_time_days=working_days_between(today, delivery_date),
        asset_owner_count=len({built.resources[a.resource_id].owner_pk for a in own}),
        breakdown=_breakdown(built, plan),
        margin_minor=price.margin_minor,
        source=SOURCE_MATCHED,
        expires_at=now + QUOTE_VALIDITY,
        values=values,
        production_minor=price.production_minor,
        transport_minor=price.transport_minor,
        materials_minor=price.materials_minor,
        arrival=arrival,
        run_id=run.pk,
        reasons=reasons,
        notice=notice,
    )


def _fallback(
    template, values, tenant, now, source, notice, reasons, built, parameters, plan=None
) -> MatchingQuote:
    """The catalogue estimate, marked with why the network did not quote."""
    today = now.astimezone(ZoneInfo(tenant.time_zone)).date()
    estimate = catalogue_estimate(template_spec_for(template), values, today=today)
    run = _record(built, plan, {**parameters, "fallback": source, "notice": notice}, RunOutcome.INFEASIBLE)
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
        run_id=run.pk,
        reasons=reasons,
        notice=notice,
    )


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


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Weekdays after `start` up to and including `end`."""
    days, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def _network_centre() -> Point | None:
    """Where a quote without an address delivers to: the middle of the network's eligible workshops."""
    points = [owner.coordinates for owner in asset_owner_list_eligible().only("latitude", "longitude")]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
