"""Quotes of uploaded parts: operations compiled from a file (apps/uploads) priced by the network like any
design — one matching problem, the lead-time options and the part template's price breaks (a designer's CAD
product adds its royalty, as any designer's product).

An upload's options being quoted before anything is saved, a saved part design (its version's operations), the
quotes API and the storefront's part pages all come here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from apps.catalog.models import ProductTemplate
from apps.core.geodesy import Point
from apps.matching.makeable import DesignUnmakeable
from apps.matching.quoting import (
    SOURCE_INFEASIBLE,
    MatchingQuote,
    PriceBreak,
    QuoteItem,
    price_breaks,
    quote_context,
    quote_items,
)
from apps.tenants.models import Tenant


def part_quote(
    *,
    template: ProductTemplate,
    operations: Sequence[Mapping | object],
    values: Mapping[str, object],
    tenant: Tenant,
    destination: Point | None = None,
    quantity: int = 1,
    parameters: dict | None = None,
) -> tuple[MatchingQuote, tuple[PriceBreak, ...]]:
    """The network's quote for `quantity` parts and its price at each of the part template's break quantities.

    Raises DesignUnmakeable (409 with the reasons per step and machine) when the network cannot make it; a
    catalogue estimate stands in, marked by its `source`, when no workshop offers a process at all."""
    context = quote_context(tenant=tenant, destination=destination)
    quote = quote_items(
        items=[QuoteItem(operations, quantity, template.margin_percent, template.royalty_terms)],
        template=template,
        values=dict(values),
        tenant=tenant,
        destination=destination,
        requested_date=None,
        parameters={**(parameters or {}), "quantity": quantity},
        record=False,
        context=context,
    )
    if quote.source == SOURCE_INFEASIBLE:
        raise DesignUnmakeable(quote.reasons)
    breaks = (
        price_breaks(
            template=template,
            values=values,
            tenant=tenant,
            destination=destination,
            context=context,
            operations=operations,
        )
        if quote.feasible
        else ()
    )
    return quote, breaks
