"""Quotes from the network: what is really ordered, against the committed schedule, in about a second.

`quote_items` is the one quote: every line (compiled operations × quantity) as batches (problem/batches.py),
one order to one destination, one matching problem — the configurator (`quote_configuration`), a saved design
(`quote_design_version`), the quotes API, the cart and checkout (storefront/order_quoting.py) all go through
it. It solves the lead-time variants (quote_options.py), prices each plan (production + materials + transport
+ each line's template margin, engine/pricing.py) and answers with the cheapest option that arrives by the
requested day, the options to choose from, the delivery date, the asset owners involved and, for quotes that
matter, the plan's run (a MatchingRun in mode "quote"). `price_breaks` quotes a configuration at each of its
template's quantities. Answers are cached per network (quote_cache.py).

When the network cannot make the design the answer says why in words a customer can act on (quote_reasons.py:
the step, each machine's own reason and what to change); when no eligible workshop offers a required process
at all, the catalogue's own estimate stands in and `source` says so. A requested day nothing can meet is
refused (`SOURCE_TOO_EARLY`) with the earliest possible day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Max
from django.utils import timezone

from apps.catalog.estimate import SOURCE as CATALOGUE_ESTIMATE
from apps.catalog.estimate import StepCost, catalogue_estimate, operations_estimate
from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import ValidConfiguration, configuration_validate
from apps.core.geodesy import Point
from apps.core.money import Money
from apps.matching.engine import domain
from apps.matching.engine.domain import Infeasible, Limits, Weights
from apps.matching.engine.explain import explain_plan
from apps.matching.engine.indexing import ProblemIndex
from apps.matching.engine.solver import QUOTE_MAX_FREE_OPS
from apps.matching.models import MatchingRun, MatchingSettings, RunMode, RunOutcome, RunStatus
from apps.matching.problem import (
    BuiltProblem,
    OrderInput,
    StepInput,
    origin_now,
    problem_build,
    steps_from_compiled,
)
from apps.matching.problem.batches import steps_in_lots
from apps.matching.quote_cache import (
    plan_version,
    quote_cached,
    quote_key,
    quotes_cached_many,
)
from apps.matching.quote_options import (
    BALANCED,
    CHEAPEST,
    FASTEST,
    PricedPlan,
    Variant,
    balanced_weight,
    delivery_day,
    options_choose,
    price_lines,
    variant_problem,
)
from apps.matching.quote_reasons import QuoteReason, quote_reason
from apps.matching.selectors import matching_settings_get
from apps.matching.services import PlanInvalid, explanation_json, inputs_hash, plan_statistics, solve_checked
from apps.processes.selectors import process_names
from apps.suppliers.models import RateCard, Resource
from apps.suppliers.selectors import asset_owner_list_eligible
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

QUOTE_ORDER = "quote"
QUOTE_VALIDITY = dt.timedelta(minutes=30)
SOURCE_MATCHED = "network_match"
SOURCE_INFEASIBLE = "network_infeasible"
SOURCE_TOO_EARLY = "requested_date_too_early"
SOURCE_LABELS = {
    SOURCE_MATCHED: "Matched to the network's workshops",
    SOURCE_INFEASIBLE: "Cannot be made in this network as configured",
    SOURCE_TOO_EARLY: "Cannot arrive by the date asked for",
    CATALOGUE_ESTIMATE: "Estimate from the catalogue's cost model",
}


@dataclass(frozen=True)
class QuoteOption:
    """One lead-time option: a distinct feasible plan with its price (and each line's share) and day."""

    kind: str  # quote_options.FASTEST / BALANCED / CHEAPEST
    label: str
    price_minor: int
    delivery_date: dt.date
    lead_time_days: int
    arrival: dt.datetime
    lots: int  # how many lots a long batch may be split into (1: whole batches); the commit splits alike
    faster_because: str
    line_totals: tuple[int, ...]
    asset_owner_count: int
    method: str


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
    options: tuple[QuoteOption, ...] = ()  # fastest first; the quote's own figures are `option_kind`'s
    option_kind: str = ""
    line_totals: tuple[int, ...] = ()
    earliest_date: dt.date | None = None
    method: str = ""
    destination: Point | None = (
        None  # where it was quoted to (the network's middle without an address)  # what produced the price: "cpsat…", "greedy…" (the engine's Plan.method)
    )

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


@dataclass(frozen=True)
class QuoteItem:
    """One line of a quote: its compiled operations (catalog Operations or a saved version's dicts), how many,
    and the margin of its template."""

    operations: Sequence[Mapping | object]
    quantity: int
    margin_percent: Decimal


def quote_configuration(
    *,
    template: ProductTemplate,
    values: Mapping[str, object],
    tenant: Tenant,
    destination: Point | None = None,
    requested_date: dt.date | None = None,
    quantity: int = 1,
    record: bool = False,
    options: bool = True,
    context: QuoteContext | None = None,
) -> MatchingQuote:
    """Quote for raw values of a template (a visitor's configurator, the quotes API): cached, and recorded as
    a run only when asked; raises apps.catalog.validation.InvalidConfiguration."""
    configuration = configuration_validate(template_spec_for(template), values)
    return quote_items(
        items=[QuoteItem(configuration.operations, quantity, template.margin_percent)],
        template=template,
        values=configuration.values,
        tenant=tenant,
        destination=destination,
        requested_date=requested_date,
        parameters={"template": template.slug, "values": configuration.values, "quantity": quantity},
        record=record,
        options=options,
        context=context,
    )


@dataclass(frozen=True)
class PriceBreak:
    """The network's price for one quantity of a configuration (None: it cannot make that many)."""

    quantity: int
    total_minor: int | None
    unit_price_minor: int | None
    delivery_date: dt.date | None


def price_breaks(
    *,
    template: ProductTemplate,
    values: Mapping[str, object],
    tenant: Tenant,
    destination: Point | None = None,
    context: QuoteContext | None = None,
    operations: Sequence[Mapping | object] | None = None,
) -> tuple[PriceBreak, ...]:
    """For each of the template's break quantities, the network's standard plan for that many (each its own
    matching problem: setup shared by the batch, machine hours and calendars respected — never a multiple of
    one), cached like any quote. Raises InvalidConfiguration. `operations`: already compiled ones (a saved
    version's, an uploaded part's), priced as they are with `values` as given."""
    context = context or quote_context(tenant=tenant, destination=destination)
    if operations is None:
        configuration = configuration_validate(template_spec_for(template), values)
    else:
        configuration = ValidConfiguration(values=dict(values), operations=tuple(operations))  # type: ignore[arg-type]
    quantities = sorted(set(template.price_break_quantities or (1,)))
    asks = {
        quantity: {
            "items": [QuoteItem(configuration.operations, quantity, template.margin_percent)],
            "template": template,
            "values": configuration.values,
            "tenant": tenant,
            "destination": destination,
            "requested_date": None,
            "parameters": {"template": template.slug, "values": configuration.values, "quantity": quantity},
            "record": False,
            "options": False,
            "context": context,
        }
        for quantity in quantities
    }
    keys = {quantity: _question_key(**ask) for quantity, ask in asks.items()}
    cached = quotes_cached_many(list(keys.values()))  # one round trip for the whole table
    rows = []
    for quantity in quantities:
        quote = cached.get(keys[quantity]) or quote_items(**asks[quantity])
        if quote.feasible:
            rows.append(
                PriceBreak(
                    quantity, quote.price_minor, round(quote.price_minor / quantity), quote.delivery_date
                )
            )
        else:
            rows.append(PriceBreak(quantity, None, None, None))
    return tuple(rows)


def quote_design_version(
    *,
    design_version: DesignVersion,
    tenant: Tenant,
    destination: Point | None = None,
    requested_date: dt.date | None = None,
    quantity: int = 1,
) -> MatchingQuote:
    """Quote for a saved design version, from the operations compiled when it was saved."""
    template = design_version.design.template
    return quote_items(
        items=[QuoteItem(design_version.operations, quantity, template.margin_percent)],
        template=template,
        values=dict(design_version.values),
        tenant=tenant,
        destination=destination,
        requested_date=requested_date,
        parameters={"design_version": str(design_version.pk), "quantity": quantity},
    )


def quote_items(
    *,
    items: Sequence[QuoteItem],
    template: ProductTemplate,
    values: dict[str, object],
    tenant: Tenant,
    destination: Point | None,
    requested_date: dt.date | None,
    parameters: dict,
    record: bool = True,
    use_cache: bool = True,
    options: bool = True,
    context: QuoteContext | None = None,
) -> MatchingQuote:
    """The network's quote for `items` — every line in its quantity as one order, one matching problem,
    delivered together to `destination` (None: the middle of the network, for a visitor without an address) —
    or the catalogue estimate of `template` with `values` marked with why the network cannot make it.
    `line_totals` (of the quote and of each option) follow `items`.

    `record`: keep the quote's run (a MatchingRun with the plan and its explanation) — for quotes that matter
    (saved designs, carts, orders), not for every visitor's configurator page. Answers are cached by question
    and network plan version (quote_cache.py); a cached answer without a run does not serve a recorded quote.
    `options` False: only the standard plan (whole batches), e.g. for a table of quantity price breaks.
    `context`: what several quotes of one page share (quote_context), read once.
    """
    context = context or quote_context(tenant=tenant, destination=destination)
    settings, delivery = context.settings, context.delivery

    def solve() -> MatchingQuote:
        quote = _quote_solved(
            items, template, values, tenant, delivery, requested_date, parameters, settings, record, options
        )
        return replace(quote, destination=delivery)

    if not use_cache:
        return solve()
    key = _question_key(items, template, values, requested_date, options, context)
    return quote_cached(key, solve, usable=lambda hit: hit.run_id is not None or not record)


def _question_key(
    items: Sequence[QuoteItem],
    template: ProductTemplate,
    values: dict[str, object],
    requested_date: dt.date | None,
    options: bool,
    context: QuoteContext,
    **_unused,
) -> str:
    """The cache key of a quote: what is asked, of which network state."""
    question = {
        "items": [
            [_operations_json(i.operations), i.quantity, f"{Decimal(str(i.margin_percent)):.4f}"]
            for i in items
        ],
        "fallback": [template.pk, str(template.updated_at), values],
        "to": [round(c, 5) for c in context.delivery] if context.delivery else None,
        "date": requested_date,
        "settings": str(context.settings.updated_at),
        "network": context.network,
        "options": options,
    }
    return quote_key(question, context.plan_version)


@dataclass(frozen=True)
class QuoteContext:
    """What every quote of one request shares: the settings, where it delivers, the network's last edits and
    its plan version (the cache key's parts that cost a query or a cache round trip each)."""

    settings: MatchingSettings
    delivery: Point | None
    network: tuple
    plan_version: int


def quote_context(*, tenant: Tenant, destination: Point | None) -> QuoteContext:
    return QuoteContext(
        settings=matching_settings_get(),
        delivery=destination or _network_centre(),
        network=(tenant.currency, tenant.time_zone, *_network_edits()),
        plan_version=plan_version(),
    )


def _network_edits() -> list:
    """When the network's resources and rate cards were last saved, and how many there are: a quote cached
    before an edit is not served after it (plans applied bump the plan version instead)."""
    resources = Resource.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    cards = RateCard.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return [resources["latest"], resources["count"], cards["latest"], cards["count"]]


def _operations_json(operations: Sequence[Mapping | object]) -> list:
    return [op if isinstance(op, Mapping) else op.as_dict() for op in operations]  # type: ignore[attr-defined]


def _quote_solved(
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
) -> MatchingQuote:
    now = timezone.now()
    compiled = tuple(
        step
        for i, item in enumerate(items)
        for step in steps_from_compiled(item.operations, prefix=f"q{i}.", quantity=item.quantity)
    )
    steps = steps_in_lots(compiled)
    reads: dict = {}  # the variants' problems read the network once
    built = _quote_problem(steps, tenant, delivery, settings, now, reads)
    parameters = {**parameters, "delivery_point": list(delivery) if delivery else None}
    missing = [s for s in steps if not any(r.eligible for r in built.process_resources.get(s.process, ()))]
    if missing:
        names = process_names(s.process for s in missing)  # one query for all of them
        notice = (
            "no workshop in the network offers "
            + ", ".join(sorted({names.get(s.process, s.process).lower() for s in missing}))
            + " yet"
        )
        return _fallback(
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

    variants = _variants(built, compiled, tenant, delivery, requested_date, settings, now, reads)
    if not options:
        variants = variants[:1]
    margins = [Decimal(str(item.margin_percent)) for item in items]
    priced = []
    # The fastest plan is the greedy dispatcher's (it is time-first); the others share the CP-SAT time.
    searched = sum(1 for v in variants if v.kind != FASTEST)
    limit_s = settings.quote_time_limit_ms / 1000 / max(1, searched)
    for variant in variants:
        problem = variant_problem(variant, QUOTE_ORDER)
        plan = _quote_solve(problem, 0 if variant.kind == FASTEST else limit_s)
        if plan.has_schedule:
            priced.append(_priced(variant, problem, plan, margins, tenant))
        elif not priced:  # the standard plan (whole batches) failed: split ones are no easier to find
            break
    if not priced:
        reasons = tuple(quote_reason(built, r, settings.horizon_days) for r in plan.reasons)
        notice = " ".join(dict.fromkeys(r.message for r in reasons))
        return _fallback(
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
    return _matched(options_choose(priced), values, tenant, now, requested_date, parameters, record)


def _quote_problem(
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


def _variants(
    whole: BuiltProblem,
    compiled: tuple[StepInput, ...],
    tenant: Tenant,
    delivery: Point | None,
    requested_date: dt.date | None,
    settings: MatchingSettings,
    now: dt.datetime,
    reads: dict,
) -> list[Variant]:
    """Standard, fastest and balanced (see quote_options). With a requested date the standard plan counts
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
        split = _quote_problem(split_steps, tenant, delivery, settings, now, reads)
        lots = settings.quote_max_lots
    return [
        standard,
        Variant(FASTEST, split, lots, high, 0),
        Variant(BALANCED, split, lots, balanced_weight(low, high), 0),
    ]


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


def _quote_solve(built: BuiltProblem, limit_s: float) -> domain.Plan:
    """One worker: the greedy plan at once, then CP-SAT from it (as hint and fallback) for up to `limit_s`
    (0: the greedy dispatcher alone). Unexplained: only a recorded quote's chosen plan is explained. A plan
    the validator rejects is a bug: it is logged and answered as "no solution in time", never quoted."""
    limits = Limits(
        time_limit_s=limit_s,
        workers=1,
        seed=0,
        explain=False,
        strategy="greedy" if limit_s <= 0 else "auto",
    )
    try:
        return solve_checked(built, limits)
    except PlanInvalid:
        logger.exception("The quote's plan failed validation")
        return domain.Plan(
            domain.UNKNOWN, reasons=(Infeasible(domain.NO_SOLUTION_IN_TIME, detail="invalid plan"),)
        )


def _matched(
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


def _fallback(
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
    if template.part_kind:
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
