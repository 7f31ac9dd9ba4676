"""The ways to ask for a quote: a cart's lines (`quote_items`, the one quote everything goes through), a
visitor's configuration, a saved design version, and a configuration's quantity price breaks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import ValidConfiguration, configuration_validate
from apps.core.geodesy import Point
from apps.matching.quoting.cache import quote_cached, quotes_cached_many
from apps.matching.quoting.context import QuoteContext, operations_as_json, question_key, quote_context
from apps.matching.quoting.results import MatchingQuote, PriceBreak, QuoteItem
from apps.matching.quoting.royalties import royalties_add
from apps.matching.quoting.solving import quote_solved
from apps.tenants.models import Tenant


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
    and network plan version (cache.py); a cached answer without a run does not serve a recorded quote.
    `options` False: only the standard plan (whole batches), e.g. for a table of quantity price breaks.
    `context`: what several quotes of one page share (quote_context), read once.
    """
    context = context or quote_context(tenant=tenant, destination=destination)

    def solve() -> MatchingQuote:
        delivery = context.delivery  # the settings and the network's middle are read only to solve
        quote = quote_solved(
            items,
            template,
            values,
            tenant,
            delivery,
            requested_date,
            parameters,
            context.settings,
            record,
            options,
            versions=context.versions,
        )
        return replace(quote, destination=delivery)

    if not use_cache:
        return royalties_add(solve(), items)
    key = question_key(items, template, values, requested_date, options, context)
    quote = quote_cached(key, solve, usable=lambda hit: hit.run_id is not None or not record)
    return royalties_add(quote, items)


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
        items=[
            QuoteItem(configuration.operations, quantity, template.margin_percent, template.royalty_terms)
        ],
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
        items=[
            QuoteItem(design_version.operations, quantity, template.margin_percent, template.royalty_terms)
        ],
        template=template,
        values=dict(design_version.values),
        tenant=tenant,
        destination=destination,
        requested_date=requested_date,
        parameters={"design_version": str(design_version.pk), "quantity": quantity},
    )


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
            "items": [
                QuoteItem(configuration.operations, quantity, template.margin_percent, template.royalty_terms)
            ],
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
    operations = [operations_as_json(configuration.operations)]  # the same for every quantity
    keys = {quantity: question_key(**ask, operations_json=operations) for quantity, ask in asks.items()}
    cached = quotes_cached_many(list(keys.values()))  # one round trip for the whole table
    rows = []
    for quantity in quantities:
        hit = cached.get(keys[quantity])
        quote = royalties_add(hit, asks[quantity]["items"]) if hit else quote_items(**asks[quantity])
        if quote.feasible:
            rows.append(
                PriceBreak(
                    quantity, quote.price_minor, round(quote.price_minor / quantity), quote.delivery_date
                )
            )
        else:
            rows.append(PriceBreak(quantity, None, None, None))
    return tuple(rows)
