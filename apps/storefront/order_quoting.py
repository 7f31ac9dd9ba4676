"""Orders' quoting port (settings.ORDERS_QUOTER): each line quoted by the matching engine's quote_configuration
(the configurator's and the API's quote too), summed.

Orders cannot import matching (it sits below it), so this adapter lives here and is wired in settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.validation import InvalidConfiguration
from apps.matching.quoting import SOURCE_INFEASIBLE, quote_configuration
from apps.orders.ports import QuoteUnavailable
from apps.orders.quotes import LineQuote, OrderQuote, QuoteRequestLine
from apps.tenants.selectors import tenant_current


def quote_order(
    *, lines: Sequence[QuoteRequestLine], latitude: Decimal, longitude: Decimal, requested_date: date | None
) -> OrderQuote:
    """Quotes every line (price × quantity, the line's delivery date) and sums them into one order quote.

    Raises QuoteUnavailable naming the design that cannot be quoted (gone, no longer offered, invalid now).
    """
    if not lines:
        raise QuoteUnavailable("Your cart is empty.")
    ids = [line.design_version_id for line in lines]
    versions = DesignVersion.objects.select_related("design").in_bulk(ids)
    template_ids = {version.design.template_id for version in versions.values()}
    templates = ProductTemplate.objects.prefetch_related(
        "parameters", "derived_values", "constraints", "steps__process"
    ).in_bulk(template_ids)
    tenant = tenant_current()
    quoted = []
    currencies = set()
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
        try:
            result = quote_configuration(template=template, values=version.values, tenant=tenant)
        except InvalidConfiguration:
            raise QuoteUnavailable(
                f"{version.design.name} no longer fits the product's rules; edit the design and try again.",
                design_version_id=version.pk,
            ) from None
        if result.source == SOURCE_INFEASIBLE:
            # The panel may show a catalogue figure, but nobody in the network can make this design: never sell it.
            raise QuoteUnavailable(f"{version.design.name}: {result.notice}", design_version_id=version.pk)
        quoted.append(
            LineQuote(
                design_version_id=version.pk,
                quantity=line.quantity,
                total_minor=result.price_minor * line.quantity,
                delivery_date=result.delivery_date,
            )
        )
        currencies.add(result.currency)
    if len(currencies) > 1:
        raise QuoteUnavailable("Designs priced in different currencies cannot be ordered together.")
    return OrderQuote.from_lines(currency=currencies.pop(), lines=quoted)
