"""Reads for the portals and the finance pages. Nothing here writes (the default policy aside)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from apps.core.money import Money
from apps.orders.models import Order, OrderRefund, TransportLeg, WorkItem
from apps.orders.status import OrderStatus
from apps.payouts.failure_advice import failure_advice
from apps.payouts.ledger.balances import order_clearing_balance, order_totals
from apps.payouts.models import (
    ConnectedPayout,
    CustomerRefund,
    Dispute,
    JournalEntry,
    OrderMoney,
    PayoutStatus,
    Posting,
    ProfitShareSplit,
    ProfitShareStatement,
    ReconciliationItem,
    ReconciliationRun,
    Reversal,
    ReversalStatus,
    Transfer,
    TransferStatus,
)
from apps.payouts.profit_share.statements import leg_key, order_split_compute, work_item_key
from apps.payouts.statement_cache import statement_cached

# --- statements for the participant portals ---------------------------------------------------------------


@dataclass(frozen=True)
class StatementView:
    """What a participant receives for one order, and why; shown before it accepts a job."""

    order_id: int
    order_reference: str
    participant_name: str
    currency: str
    amount_minor: int
    cost_minor: int
    surplus_share_minor: int
    fee_share_minor: int
    adjustment_minor: int
    part_key: str
    part_amount_minor: int
    part_cost_minor: int
    lines: tuple[str, ...]
    policy_version: int
    provisional: bool  # Stripe's fee not known yet (the order's payment is not booked yet)
    revision: int | None  # the stored revision this matches, None when computed fresh

    def money(self, amount_minor: int) -> Money:
        return Money(amount_minor, self.currency)

    @property
    def amount(self) -> Money:
        return self.money(self.amount_minor)

    @property
    def part_amount(self) -> Money:
        return self.money(self.part_amount_minor)


def _statement_for(row: WorkItem | TransportLeg, part_key: str, participant: str) -> StatementView | None:
    """From the cache when the statement's inputs did not change since it was computed (statement_cache)."""
    return statement_cached(
        row,
        part_key=part_key,
        participant=participant,
        # The order read again inside the miss's snapshot, with the rows its fingerprint covers.
        compute=lambda: _statement_compute(Order.objects.get(pk=row.order_id), part_key, participant),
    )


def _statement_compute(order: Order, part_key: str, participant: str) -> StatementView | None:
    computed = order_split_compute(order=order)
    try:
        share = computed.result.participant(participant)
        part = computed.result.part(part_key)
    except KeyError:
        return None
    stored = (
        ProfitShareSplit.objects.filter(order_id=order.pk, is_current=True, fingerprint=computed.fingerprint)
        .values_list("revision", flat=True)
        .first()
    )
    return StatementView(
        order_id=order.pk,
        order_reference=order.reference,
        participant_name=share.name,
        currency=computed.result.currency,
        amount_minor=share.amount_minor,
        cost_minor=share.cost_minor,
        surplus_share_minor=share.surplus_share_minor,
        fee_share_minor=share.fee_share_minor,
        adjustment_minor=share.adjustment_minor,
        part_key=part_key,
        part_amount_minor=part.amount_minor,
        part_cost_minor=part.cost_minor,
        lines=share.lines
        + (
            ()
            if computed.fee_known
            else ("Stripe's fee is not known until the payment is booked; amounts may shift by it.",)
        ),
        policy_version=computed.data.policy.version,
        provisional=not computed.fee_known,
        revision=stored,
    )


def statement_for_work_item(work_item: WorkItem) -> StatementView | None:
    """The asset owner's statement for the order of this work item (None for an unassigned item)."""
    if work_item.asset_owner_id is None:
        return None
    return _statement_for(work_item, work_item_key(work_item.pk), f"asset_owner:{work_item.asset_owner_id}")


def statement_for_leg(leg: TransportLeg) -> StatementView | None:
    """The carrier's statement for the order of this transport leg (None for an unassigned leg)."""
    if leg.carrier_id is None:
        return None
    return _statement_for(leg, leg_key(leg.pk), f"carrier:{leg.carrier_id}")


def _owner(asset_owner, carrier, designer) -> dict:
    """The filter naming one participant (exactly one of the three is given; fail-closed otherwise)."""
    given = {
        name: value
        for name, value in (("asset_owner", asset_owner), ("carrier", carrier), ("designer", designer))
        if value is not None
    }
    if len(given) != 1:
        raise ValueError("Name exactly one participant.")
    return given


def statement_list_for_participant(
    *, asset_owner=None, carrier=None, designer=None
) -> QuerySet[ProfitShareStatement]:
    """The participant's current statements, newest first."""
    owner = _owner(asset_owner, carrier, designer)
    return (
        ProfitShareStatement.objects.filter(split__is_current=True, **owner)
        .select_related("order", "split", "split__policy")
        .prefetch_related("parts")
        .order_by("-computed_at", "-id")
    )


# --- money per participant ---------------------------------------------------------------------------------


@dataclass
class ParticipantMoney:
    currency: str
    expected_minor: int = 0  # statement shares of work not released yet
    pending_minor: int = 0  # released, not at Stripe yet (being sent or failing)
    transferred_minor: int = 0  # sent to the connected account, net of reversals
    paid_out_minor: int = 0  # paid from the connected account to the bank
    in_transit_minor: int = 0  # payouts on their way

    def money(self, name: str) -> Money:
        return Money(getattr(self, f"{name}_minor"), self.currency)


def participant_money_summary(
    *, asset_owner=None, carrier=None, designer=None
) -> dict[str, ParticipantMoney]:
    """Currency → pending and paid amounts of one participant."""
    owner = _owner(asset_owner, carrier, designer)
    result: dict[str, ParticipantMoney] = {}

    def slot(currency: str) -> ParticipantMoney:
        return result.setdefault(currency, ParticipantMoney(currency=currency))

    transfers = (
        Transfer.objects.filter(**owner)
        .values("currency", "status")
        .annotate(amount=Sum("amount_minor"), reversed=Sum("amount_reversed_minor"))
    )
    for row in transfers:
        if row["status"] == TransferStatus.SENT:
            slot(row["currency"]).transferred_minor += row["amount"] - row["reversed"]
        elif row["status"] in (TransferStatus.PENDING, TransferStatus.FAILED):
            slot(row["currency"]).pending_minor += row["amount"]
    parts = (
        ProfitShareStatement.objects.filter(split__is_current=True, **owner)
        .filter(
            Q(parts__work_item__money_transfer__isnull=True)
            & Q(parts__transport_leg__money_transfer__isnull=True)
            & Q(parts__order_line__royalty_transfer__isnull=True)
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("currency")
        .annotate(total=Sum("parts__amount_minor"))
    )
    for row in parts:
        if row["total"]:
            slot(row["currency"]).expected_minor += row["total"]
    for row in (
        ConnectedPayout.objects.filter(**owner)
        .values("currency", "status")
        .annotate(total=Sum("amount_minor"))
    ):
        if row["status"] == PayoutStatus.PAID:
            slot(row["currency"]).paid_out_minor += row["total"]
        elif row["status"] in (PayoutStatus.PENDING, PayoutStatus.IN_TRANSIT):
            slot(row["currency"]).in_transit_minor += row["total"]
    return result


def transfer_list_for_participant(*, asset_owner=None, carrier=None, designer=None) -> QuerySet[Transfer]:
    owner = _owner(asset_owner, carrier, designer)
    return (
        Transfer.objects.filter(**owner)
        .select_related("order", "work_item", "transport_leg", "order_line")
        .order_by("-created_at")
    )


def payout_list_for_participant(
    *, asset_owner=None, carrier=None, designer=None
) -> QuerySet[ConnectedPayout]:
    owner = _owner(asset_owner, carrier, designer)
    return ConnectedPayout.objects.filter(**owner).order_by("-stripe_created")


# --- finance -----------------------------------------------------------------------------------------------


def reconciliation_run_list() -> QuerySet[ReconciliationRun]:
    return ReconciliationRun.objects.select_related("requested_by").order_by("-started_at", "-id")


def reconciliation_items(*, run: ReconciliationRun) -> QuerySet[ReconciliationItem]:
    return run.items.select_related("entry", "order").order_by("kind", "id")


def transfers_needing_attention() -> QuerySet[Transfer]:
    """Transfers that are failing or have given up: what finance looks at first."""
    return (
        Transfer.objects.filter(
            Q(status=TransferStatus.FAILED) | Q(status=TransferStatus.PENDING, attempts__gt=0)
        )
        .select_related("order", "asset_owner", "carrier", "designer")
        .order_by("-updated_at")
    )


def reversals_needing_attention() -> QuerySet[Reversal]:
    return (
        Reversal.objects.filter(
            Q(status=ReversalStatus.FAILED) | Q(status=ReversalStatus.PENDING, attempts__gt=0)
        )
        .select_related("transfer", "transfer__order")
        .order_by("-updated_at")
    )


def refunds_refused() -> list[dict]:
    """Customer refunds Stripe refused for good (not retried), newest first, each with what finance should do."""
    refused = (
        OrderRefund.objects.filter(refused_at__isnull=False, stripe_refund_id="")
        .select_related("order")
        .order_by("-refused_at")[:50]
    )
    return [{"refund": refund, "advice": failure_advice(refund.last_error_code)} for refund in refused]


def reversals_unrecoverable() -> QuerySet[Reversal]:
    """Refund shares Stripe would not take back (the participant's balance had been paid out): what each
    participant owes, recovered from their next funds before their next payout."""
    return (
        Reversal.objects.filter(status=ReversalStatus.UNRECOVERABLE)
        .select_related(
            "transfer",
            "transfer__order",
            "transfer__asset_owner",
            "transfer__carrier",
            "transfer__designer",
        )
        .order_by("created_at")
    )


def network_balances() -> list[dict]:
    """Every network-wide account's balance per currency (participants and orders summed by kind)."""
    rows = (
        Posting.objects.values("account__kind", "currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("account__kind", "currency")
    )
    return [
        {
            "kind": row["account__kind"],
            "currency": row["currency"],
            "balance": Money(row["total"], row["currency"]),
        }
        for row in rows
    ]


def order_entries(*, order_id: int) -> QuerySet[JournalEntry]:
    return (
        JournalEntry.objects.filter(order_id=order_id)
        .prefetch_related("postings__account")
        .order_by("effective_at", "id")
    )


@dataclass
class Flow:
    source: str
    target: str
    amount_minor: int
    kind: str  # css class: pay, fee, part, refund, dispute, revenue, held


@dataclass
class MoneyFlow:
    currency: str
    totals: dict
    flows: list[Flow] = field(default_factory=list)


def order_money_flow(*, order: Order, transfers: Iterable[Transfer]) -> MoneyFlow:
    """The order's money from customer to platform to participants, fees, refunds and commission (for the
    money-flow picture). `transfers` are the order's transfers with their participants (the page's
    `order_money_detail` already holds them: reading them once saves a statement)."""
    order_id = order.pk
    totals = order_totals(order_id=order_id)
    flows = [Flow("Customer", "Platform", totals.get("charged", 0), "pay")]
    by_participant: dict[str, int] = defaultdict(int)
    for transfer in transfers:
        if transfer.status == TransferStatus.SENT:
            by_participant[str(transfer.participant)] += (
                transfer.amount_minor - transfer.amount_reversed_minor
            )
    for name, amount in sorted(by_participant.items()):
        flows.append(Flow("Platform", name, amount, "part"))
    flows.append(Flow("Platform", "Stripe fees", totals.get("fees", 0), "fee"))
    flows.append(Flow("Platform", "Refunds to customer", totals.get("refunded", 0), "refund"))
    flows.append(Flow("Platform", "Disputes lost", totals.get("disputed", 0), "dispute"))
    commission = totals.get("commission", 0)
    if totals.get("revenue", 0):
        flows.append(Flow("Platform", "Platform commission", commission, "revenue"))
    held = -order_clearing_balance(order_id=order_id).get(order.currency, 0)
    if held:
        flows.append(Flow("Platform", "Held (not settled)", held, "held"))
    return MoneyFlow(currency=order.currency, totals=totals, flows=[f for f in flows if f.amount_minor > 0])


def ledger_rows(*, start: datetime, end: datetime):
    """Postings of entries effective in [start, end), oldest first, for the CSV export (streamed)."""
    return (
        Posting.objects.filter(entry__effective_at__gte=start, entry__effective_at__lt=end)
        .select_related("entry", "account")
        .order_by("entry__effective_at", "entry_id", "id")
        .iterator(chunk_size=2000)
    )


def statement_rows(*, start: datetime, end: datetime):
    return (
        ProfitShareStatement.objects.filter(
            split__is_current=True, computed_at__gte=start, computed_at__lt=end
        )
        .select_related("order", "asset_owner", "carrier", "designer", "split__policy")
        .order_by("computed_at", "id")
        .iterator(chunk_size=1000)
    )


def order_money_detail(*, order_id: int) -> dict:
    return {
        "transfers": Transfer.objects.filter(order_id=order_id)
        .select_related("asset_owner", "carrier", "designer")
        .order_by("created_at"),
        "reversals": Reversal.objects.filter(transfer__order_id=order_id).order_by("created_at"),
        "refunds": CustomerRefund.objects.filter(order_id=order_id).order_by("created_at"),
        "disputes": Dispute.objects.filter(order_id=order_id).order_by("created_at"),
        "statements": ProfitShareStatement.objects.filter(order_id=order_id, split__is_current=True)
        .select_related("asset_owner", "carrier", "designer")
        .prefetch_related("parts"),
        "split": ProfitShareSplit.objects.filter(order_id=order_id, is_current=True)
        .select_related("policy")
        .first(),
    }


def order_settled() -> Exists:
    """Whether an order's money has settled, as an annotation: `Order.objects.annotate(settled=order_settled())`
    reads it with the order instead of in a statement of its own."""
    return Exists(OrderMoney.objects.filter(order_id=OuterRef("pk"), settled_at__isnull=False))
