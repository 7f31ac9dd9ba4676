"""Orders' quoting port (settings.ORDERS_QUOTER): the whole cart as one matching problem (quoting.quote_items):
every line in its quantity, delivered together to the customer's destination, from now, by the requested day.

Orders cannot import matching (it sits below it), so this adapter lives here and is wired in settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import InvalidConfiguration, configuration_validate
from apps.core.geodesy import Point
from apps.matching.quoting import SOURCE_MATCHED, SOURCE_TOO_EARLY, QuoteItem, quote_items
from apps.orders.ports import QuoteUnavailable
from apps.orders.quotes import DeliveryOption, LineQuote, OrderQuote, QuoteRequestLine
from apps.tenants.selectors import tenant_current


def quote_order(
    *, lines: Sequence[QuoteRequestLine], destination: Point | None, requested_date: date | None
) -> OrderQuote:
    """The cart's quote: one plan for all its lines, its total split into line totals that sum to it, with
    the lead-time options (fastest first; the quote itself is the cheapest that arrives by `requested_date`,
    `OrderQuote.choose` gives another).

    Raises QuoteUnavailable naming the design that cannot be quoted (gone, no longer offered, invalid now, not
    makeable in the network), or, when it cannot arrive by `requested_date`, with the earliest possible day.
    """
    if not lines:
        raise QuoteUnavailable("Your cart is empty.")
    ids = [line.design_version_id for line in lines]
    versions = DesignVersion.objects.select_related("design").in_bulk(ids)
    template_ids = {version.design.template_id for version in versions.values()}
    templates = ProductTemplate.objects.prefetch_related(
        "parameters", "derived_values", "constraints", "steps__process"
    ).in_bulk(template_ids)
    items, checked = [], []
    for line in lines:
        version = versions.get(line.design_version_id)
        if version is None:
            raise QuoteUnavailable(
                "A design in your cart no longer exists.", design_version_id=line.design_version_id
            )
        template = templates[version.design.template_id]
        if not template.active:
            raise QuoteUnavailable(
                f"{version.design.name}: {template.name} is no longer offered.", design_version_id=version.pk
            )
        if template.has_fixed_part:
            # An uploaded part: its operations were compiled from the file when the version was saved.
            operations, values = version.operations, version.values
        else:
            try:
                configuration = configuration_validate(template_spec_for(template), version.values)
            except InvalidConfiguration:
                raise QuoteUnavailable(
                    f"{version.design.name} no longer fits the product's rules; edit the design and try again.",
                    design_version_id=version.pk,
                ) from None
            operations, values = configuration.operations, configuration.values
        items.append(QuoteItem(operations, line.quantity, template.margin_percent, template.royalty_terms))
        checked.append((version, template, values))
    _, first_template, first_values = checked[0]
    result = quote_items(
        items=items,
        template=first_template,
        values=first_values,
        tenant=tenant_current(),
        destination=destination,
        requested_date=requested_date,
        parameters={
            "design_versions": [
                [str(v.pk), line.quantity] for (v, _, _), line in zip(checked, lines, strict=True)
            ]
        },
    )
    if result.source == SOURCE_TOO_EARLY:
        raise QuoteUnavailable(result.notice, earliest_date=result.earliest_date)
    if result.source != SOURCE_MATCHED:
        # The panel may show a catalogue figure, but nobody in the network can make this cart: never sell it.
        names = ", ".join(dict.fromkeys(v.design.name for v, _, _ in checked))
        raise QuoteUnavailable(f"{names}: {result.notice}", design_version_id=checked[0][0].pk)
    quoted = [
        LineQuote(
            design_version_id=version.pk,
            quantity=line.quantity,
            total_minor=total,
            delivery_date=result.delivery_date,
            royalty_minor=royalty,
        )
        for (version, _, _), line, total, royalty in zip(
            checked, lines, result.line_totals, result.line_royalties or (0,) * len(lines), strict=True
        )
    ]
    options = tuple(
        DeliveryOption(
            kind=o.kind,
            label=o.label,
            total_minor=o.price_minor,
            delivery_date=o.delivery_date,
            lots=o.lots,
            faster_because=o.faster_because,
            line_totals=o.line_totals,
            line_royalties=o.line_royalties,
        )
        for o in result.options
    )
    chosen = next(o for o in options if o.kind == result.option_kind)
    return replace(
        OrderQuote.from_lines(currency=result.currency, lines=quoted),
        options=options,
        option=chosen.kind,
        lots=chosen.lots,
    )
