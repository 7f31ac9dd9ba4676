"""Finance's statements page: the period's profit-share statements grouped by participant, with totals.

A page holds a few participants (the busiest first), each with its statements of the period and the sums of their
amounts per currency. The policy sentence every statement starts with is said once per group (per policy
version the group used), not on every row. Five queries whatever the period holds: the groups with their
totals, the page's statements, the workshops', the carriers' and the designers' names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Sum

from apps.designers.models import Designer
from apps.payouts.models import ProfitShareStatement
from apps.suppliers.models import AssetOwner, Carrier

GROUPS_PER_PAGE = 10
POLICY_PREFIX = "Policy version"
# A participant kind: its model, the group's heading and the suffix its name takes in the filter's choices.
KINDS = {
    "asset_owner": (AssetOwner, "Workshop", ""),
    "carrier": (Carrier, "Carrier", " (carrier)"),
    "designer": (Designer, "Designer", " (designer)"),
}
ID_FIELDS = [f"{kind}_id" for kind in KINDS]


def _key_of(row) -> str:
    """ "asset_owner:12" / "carrier:3" / "designer:5" of a statement or a values() row."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return next(f"{kind}:{get(f'{kind}_id')}" for kind in KINDS if get(f"{kind}_id"))


@dataclass
class StatementGroup:
    key: str  # "asset_owner:12" / "carrier:3" / "designer:5", as the participant filter takes it
    name: str
    kind: str  # "Workshop", "Carrier" or "Designer"
    count: int = 0
    totals: list[dict] = field(default_factory=list)  # one per currency: cost, surplus, fee, amount
    policies: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # statement, detail lines without the policy sentence


def participant_choices() -> list[tuple[str, str]]:
    """Every workshop, carrier and designer of the network, by name, as (filter key, label)."""
    choices = [
        (f"{kind}:{pk}", f"{name}{suffix}")
        for kind, (model, _, suffix) in KINDS.items()
        for pk, name in model.objects.values_list("pk", "name")
    ]
    return sorted(choices, key=lambda choice: choice[1].lower())


def _in_period(start: datetime, end: datetime, participant: str) -> QuerySet[ProfitShareStatement]:
    queryset = ProfitShareStatement.objects.filter(
        split__is_current=True, computed_at__gte=start, computed_at__lt=end
    )
    kind, _, pk = participant.partition(":")
    if kind in KINDS and pk.isdecimal():
        queryset = queryset.filter(**{f"{kind}_id": int(pk)})
    return queryset


def statement_groups(
    *, start: datetime, end: datetime, participant: str = "", page: str | int | None = 1
) -> Page:
    """One page of participant groups for [start, end), optionally one participant ("asset_owner:12")."""
    in_period = _in_period(start, end, participant)
    keys = list(
        in_period.values(*ID_FIELDS)
        .annotate(n=Count("id"), total=Sum("amount_minor"))
        .order_by("-total", *ID_FIELDS)
    )
    paged = Paginator(keys, GROUPS_PER_PAGE).get_page(page)
    ids = {kind: {k[f"{kind}_id"] for k in paged.object_list if k[f"{kind}_id"]} for kind in KINDS}
    names = {
        f"{kind}:{pk}": name
        for kind, (model, _, _) in KINDS.items()
        for pk, name in model.objects.filter(pk__in=ids[kind]).values_list("pk", "name")
    }
    groups: dict[str, StatementGroup] = {}
    for k in paged.object_list:
        key = _key_of(k)
        groups[key] = StatementGroup(
            key=key, name=names.get(key, key), kind=KINDS[key.partition(":")[0]][1], count=k["n"]
        )
    statements = in_period.none()
    for kind, pks in ids.items():
        if pks:
            statements = statements | in_period.filter(**{f"{kind}_id__in": pks})
    sums: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for statement in statements.select_related("order", "split__policy").order_by("computed_at", "id"):
        key = _key_of(statement)
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
