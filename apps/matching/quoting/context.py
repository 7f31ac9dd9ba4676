"""What the quotes of one request share (settings, destination, the network's state) and a quote's cache key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max

from apps.catalog.models import ProductTemplate
from apps.core.geodesy import Point
from apps.matching.models import MatchingSettings
from apps.matching.plan_version import plan_version
from apps.matching.quoting.cache import quote_key
from apps.matching.quoting.results import QuoteItem
from apps.matching.selectors import matching_settings_get
from apps.suppliers.models import RateCard, Resource
from apps.suppliers.selectors import asset_owner_list_eligible
from apps.tenants.models import Tenant


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


def question_key(
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


def _network_edits() -> list:
    """When the network's resources and rate cards were last saved, and how many there are: a quote cached
    before an edit is not served after it (plans applied bump the plan version instead)."""
    resources = Resource.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    cards = RateCard.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return [resources["latest"], resources["count"], cards["latest"], cards["count"]]


def _operations_json(operations: Sequence[Mapping | object]) -> list:
    return [op if isinstance(op, Mapping) else op.as_dict() for op in operations]  # type: ignore[attr-defined]


def _network_centre() -> Point | None:
    """Where a quote without an address delivers to: the middle of the network's eligible workshops."""
    points = [owner.coordinates for owner in asset_owner_list_eligible().only("latitude", "longitude")]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
