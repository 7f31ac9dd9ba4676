"""The one door through which the storefront and the API obtain quotes.

The quote comes from the matching engine (apps.matching.quoting): the design's steps matched to the network's
workshops, calendars, committed work and carriers, priced as production + transport + margin. When no eligible
workshop offers a required process, the catalogue's estimate stands in; when the network cannot make the design
as configured, the catalogue's price is shown with the reason and what to change. `source` (and its label on the
panel) says which of the three the customer is looking at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from apps.catalog.estimate import StepCost
from apps.catalog.models import ProductTemplate
from apps.core.money import Money
from apps.matching import quoting as network_quoting
from apps.tenants.models import Tenant

QUOTE_VALIDITY = network_quoting.QUOTE_VALIDITY
SOURCE_LABELS = network_quoting.SOURCE_LABELS


@dataclass(frozen=True)
class QuoteResult:
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
    notice: str = ""  # why the network did not quote, or what to change (shown with the source label)

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    @property
    def source_label(self) -> str:
        label = SOURCE_LABELS.get(self.source, self.source)
        return f"{label}: {self.notice}" if self.notice else label


def quote_configuration(
    *, template: ProductTemplate, values: Mapping[str, object], tenant: Tenant
) -> QuoteResult:
    """Price and delivery date for a configuration; raises apps.catalog.validation.InvalidConfiguration.

    Dates are counted from today in the network's time zone.
    """
    quote = network_quoting.quote_configuration(template=template, values=values, tenant=tenant)
    return QuoteResult(
        price_minor=quote.price_minor,
        currency=quote.currency,
        delivery_date=quote.delivery_date,
        lead_time_days=quote.lead_time_days,
        asset_owner_count=quote.asset_owner_count,
        breakdown=quote.breakdown,
        margin_minor=quote.margin_minor,
        source=quote.source,
        expires_at=quote.expires_at,
        values=quote.values,
        notice=quote.notice,
    )
