"""What a quote is asked and answers, as values: the lines asked for, the options and the quote itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.catalog.estimate import SOURCE as CATALOGUE_ESTIMATE
from apps.catalog.estimate import StepCost
from apps.catalog.royalty import NO_ROYALTY, RoyaltyTerms
from apps.core.geodesy import Point
from apps.core.money import Money
from apps.matching.quoting.reasons import QuoteReason

QUOTE_ORDER = "quote"  # the quoted cart's order id in its matching problem
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
class QuoteItem:
    """One line of a quote: its compiled operations (catalog Operations or a saved version's dicts), how many,
    the margin of its template and its designer's royalty (added on top: royalties.py)."""

    operations: Sequence[Mapping | object]
    quantity: int
    margin_percent: Decimal
    royalty: RoyaltyTerms = NO_ROYALTY


@dataclass(frozen=True)
class QuoteOption:
    """One lead-time option: a distinct feasible plan with its price (and each line's share) and day."""

    kind: str  # options.FASTEST / BALANCED / CHEAPEST
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
    line_royalties: tuple[int, ...] = ()  # the designers' royalties included in `line_totals`


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
    method: str = ""  # what produced the price: "cpsat…", "greedy…" (the engine's Plan.method)
    destination: Point | None = None  # where it was quoted to (the network's middle without an address)
    royalty_minor: int = 0  # the designers' royalties included in `price_minor` (royalties.py)
    line_royalties: tuple[int, ...] = ()  # the same per line, following `line_totals`

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
class PriceBreak:
    """The network's price for one quantity of a configuration (None: it cannot make that many)."""

    quantity: int
    total_minor: int | None
    unit_price_minor: int | None
    delivery_date: dt.date | None


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Weekdays after `start` up to and including `end`."""
    days, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days
