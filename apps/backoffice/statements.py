"""Finance's statements page: the period's profit-share statements grouped by participant, with totals.

A page holds a few participants (the busiest first), each with its statements of the period and the sums of their
amounts per currency. The policy sentence every statement starts with is said once per group (per policy
version the group used), not on every row. Four queries whatever the period holds: the groups with their
totals, the page's statements, the workshops' and the carriers' names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Sum

from apps.payouts.models import ProfitShareStatement
from apps.suppliers.models import AssetOwner, Carrier

GROUPS_PER_PAGE = 10
POLICY_PREFIX = "Policy version"


@dataclass
class StatementGroup:
    key: str  # "asset_owner:12" / "carrier:3", as the participant filter takes it
    name: str
    kind: str  # "Workshop" or "Carrier"
    count: int = 0
    totals: list[dict] = field(default_factory=list)  # one per currency: cost, surplus, fee, amount
    policies: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # statement, detail lines without the policy sentence


def participant_choices() -> list[tuple[str, str]]:
    """Every workshop and carrier of the network, by name, as (filter key, label)."""
    owners = [(f"asset_owner:{pk}", name) for pk, name in AssetOwner.objects.values_list("pk", "name")]
    carriers = [
        (f"carrier:{pk}", f"{name} (carrier)") for pk, name in Carrier.objects.values_list("pk", "name")
    ]
    return sorted(owners + carriers, key=lambda choice: choice[1].lower())


def _in_period(start: datetime, end: datetime, participant: str) -> QuerySet[ProfitShareStatement]:
    queryset = ProfitShareStatement.objects.filter(
        split__is_current=True, computed_at__gte=start, computed_at__lt=end
    )
    kind, _, pk = participant.partition(":")
    if kind in ("asset_owner", "carrier") and pk.isdecimal():
        queryset = queryset.filter(**{f"{kind}_id": int(pk)})
    return queryset


def statement_groups(
    *, start: datetime, end: datetime, participant: str = "", page: str | int | None = 1
) -> Page:
    """One page of participant groups for [start, end), optionally one participant ("asset_owner:12")."""
    in_period = _in_period(start, end, participant)
    keys = list(
        in_period.values("asset_owner_id", "carrier_id")
        .annotate(n=Count("id"), total=Sum("amount_minor"))
        .order_by("-total", "asset_owner_id", "carrier_id")
    )
    paged = Paginator(keys, GROUPS_PER_PAGE).get_page(page)
    owners = {k["asset_owner_id"] for k in paged.object_list if k["asset_owner_id"]}
    carriers = {k["carrier_id"] for k in paged.object_list if k["carrier_id"]}
    names = {
        f"asset_owner:{pk}": name
        for pk, name in AssetOwner.objects.filter(pk__in=owners).values_list("pk", "name")
    }
    names |= {
        f"carrier:{pk}": name
        for pk, name in Carrier.objects.filter(pk__in=carriers).values_list("pk", "name")
    }
    groups: dict[str, StatementGroup] = {}
    for k in paged.object_list:
        key = f"asset_owner:{k['asset_owner_id']}" if k["asset_owner_id"] else f"carrier:{k['carrier_id']}"
        groups[key] = StatementGroup(
            key=key,
            name=names.get(key, key),
            kind="Workshop" if k["asset_owner_id"] else "Carrier",
            count=k["n"],
        )
    statements = (
        in_period.filter(asset_owner_id__in=owners) | in_period.filter(carrier_id__in=carriers)
        if groups
        else in_period.none()
    )
    sums: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for statement in statements.select_related("order", "split__policy").order_by("computed_at", "id"):
        key = (
            f"asset_owner:{statement.asset_owner_id}"
            if statement.asset_owner_id
            else f"carrier:{statement.carrier_id}"
        )
        group = groups[key]
        lines = list(statement.lines or [])
        if lines and lines[0].startswith(POLICY_PREFIX):
            if lines[0] not in group.policies:
                group.policies.append(lines[0])
            lines = lines[1:]
        group.rows.append({"statement": statement, "lines": lines})
        total = sums[key][statement.currency]
        for amount in ("cost_minor", "surplus_share_minor", "fee_share_minor", "amount_minor"):
            total[amount] += getattr(statement, amount)
    for key, group in groups.items():
        group.totals = [{"currency": currency, **amounts} for currency, amounts in sorted(sums[key].items())]
    paged.object_list = list(groups.values())
    return paged
