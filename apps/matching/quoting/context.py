"""What the quotes of one request share (the network, the destination, its state) and a quote's cache key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from apps.catalog.models import ProductTemplate
from apps.core.geodesy import Point
from apps.matching.models import MatchingSettings
from apps.matching.quoting.cache import quote_key
from apps.matching.quoting.network_version import quote_versions
from apps.matching.quoting.results import QuoteItem
from apps.matching.selectors import matching_settings_get
from apps.suppliers.selectors import asset_owner_list_eligible
from apps.tenants.models import Tenant


@dataclass(frozen=True)
class QuoteContext:
    """What every quote of one request shares: the network, where it delivers and the state it is quoted
    against (plan and network versions, one cache round trip). The settings and the network's middle (the
    destination of a visitor without an address) are read from the database only when a quote is solved."""

    tenant: Tenant
    destination: Point | None
    versions: tuple[int, int]  # (plan version, network version): network_version.quote_versions

    @cached_property
    def settings(self) -> MatchingSettings:
        return matching_settings_get()

    @cached_property
    def delivery(self) -> Point | None:
        return self.destination or _network_centre()


def quote_context(*, tenant: Tenant, destination: Point | None) -> QuoteContext:
    return QuoteContext(tenant=tenant, destination=destination, versions=quote_versions())


def question_key(
    items: Sequence[QuoteItem],
    template: ProductTemplate,
    values: dict[str, object],
    requested_date: dt.date | None,
    options: bool,
    context: QuoteContext,
    operations_json: Sequence[list] | None = None,
    **_unused,
) -> str:
    """The cache key of a quote: what is asked, of which network state. `operations_json`: the items'
    operations as operations_json gives them, when the caller has them already (a table of quantities)."""
    operations_json = operations_json or [operations_as_json(i.operations) for i in items]
    question = {
        "items": [
            [operations, i.quantity, f"{Decimal(str(i.margin_percent)):.4f}"]
            for operations, i in zip(operations_json, items, strict=True)
        ],
        "fallback": [template.pk, str(template.updated_at), values],
        "to": [round(c, 5) for c in context.destination] if context.destination else "network centre",
        "date": requested_date,
        "network": [context.tenant.schema_name, context.tenant.currency, context.tenant.time_zone],
        "options": options,
    }
    return quote_key(question, context.versions)


def operations_as_json(operations: Sequence[Mapping | object]) -> list:
    return [op if isinstance(op, Mapping) else op.as_dict() for op in operations]  # type: ignore[attr-defined]


def _network_centre() -> Point | None:
    """Where a quote without an address delivers to: the middle of the network's eligible workshops."""
    points = [owner.coordinates for owner in asset_owner_list_eligible().only("latitude", "longitude")]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
