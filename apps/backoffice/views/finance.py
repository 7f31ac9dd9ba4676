"""Finance pages: balances, failing transfers, reconciliation runs and their differences, each order's money
flow, participant statements and CSV exports. For the finance role and platform staff; everyone else gets 404."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.access import (
    debt_writer_required,
    may_write_off_debts,
    money_reader_required,
    permission_required,
)
from apps.backoffice.finance_order_page import finance_order_fingerprint
from apps.backoffice.statements import participant_choices, statement_groups
from apps.core.csv_export import csv_response
from apps.core.fragments import page_body_cached, page_body_key
from apps.core.money import Money
from apps.core.transitions import InvalidTransition
from apps.orders.models import Order
from apps.orders.models.order import order_reference
from apps.orders.selectors import order_settings_get
from apps.outbox.services import outbox_enqueue
from apps.payouts.connect.bank_payouts import payout_hold_get
from apps.payouts.models import AccountKind, ItemKind, ReconciliationRun, Reversal, RunStatus, Transfer
from apps.payouts.profit_share.policies import policy_current
from apps.payouts.reconciliation.runs import reconciliation_start
from apps.payouts.selectors import (
    ledger_rows,
    network_balances,
    order_entries,
    order_money_detail,
    order_money_flow,
    order_settled,
    reconciliation_items,
    reconciliation_run_list,
    refunds_refused,
    reversals_needing_attention,
    reversals_unrecoverable,
    statement_rows,
    transfers_needing_attention,
)
from apps.payouts.transfers.participant_transfers import transfer_retry_now
from apps.payouts.transfers.reversals import reversal_write_off

# --- access ------------------------------------------------------------------------------------------------


def _order_for_finance(order_id: int) -> Order:
    """The order of this network (the schema scopes it), or 404 — another network's order id is just unknown;
    `settled` read with it."""
    return get_object_or_404(Order.objects.annotate(settled=order_settled()), pk=order_id)


# --- pages -------------------------------------------------------------------------------------------------


@require_GET
@money_reader_required
def finance_home(request):
    balances = network_balances()
    context = {
        "balances": [
            {**row, "label": AccountKind(row["kind"]).label}
            for row in balances
            if row["kind"] != AccountKind.ORDER_CLEARING
        ],
        "clearing": [row for row in balances if row["kind"] == AccountKind.ORDER_CLEARING],
        "transfers": transfers_needing_attention()[:50],
        "reversals": reversals_needing_attention()[:50],
        "refused_refunds": refunds_refused(),
        "owed": reversals_unrecoverable()[:50],
        "may_write_off": may_write_off_debts(request.user),
        "hold": payout_hold_get(),
        "refund_window_days": order_settings_get().refund_window_days,
        "runs": reconciliation_run_list()[:10],
        "policy": policy_current(),
        "today": timezone.localdate(),
        "month_start": timezone.localdate().replace(day=1),
    }
    return render(request, "backoffice/finance/home.html", context)


@require_POST
@permission_required("payouts.add_reconciliationrun")
def reconcile_now(request):
    with transaction.atomic():
        run = reconciliation_start(trigger="manual", requested_by=request.user)
        outbox_enqueue(task_name="payouts.reconcile", kwargs={"run_id": run.pk})
    # Not "started": the run page polls its state; the message says only what stays true.
    messages.success(request, f"You asked for reconciliation {run.pk}; its progress is below.")
    return redirect("backoffice:finance_run", run_id=run.pk)


@require_GET
@money_reader_required
@vary_on_headers("HX-Request")
def run_detail(request, run_id: int):
    run = get_object_or_404(ReconciliationRun, pk=run_id)
    items = reconciliation_items(run=run)
    groups = []
    for kind in ItemKind:
        rows = [item for item in items if item.kind == kind]
        if rows:
            groups.append({"kind": kind, "label": kind.label, "items": rows})
    # Both sides per currency as money, e.g. "EUR: Stripe €2,175.54 · ledger €2,175.54" (the run stores minor units).
    at_stripe, in_ledger = run.stripe_balance or {}, run.ledger_balance or {}
    balances = [
        {
            "currency": currency,
            "stripe": Money(at_stripe.get(currency, 0), currency),
            "ledger": Money(in_ledger.get(currency, 0), currency),
        }
        for currency in sorted(set(at_stripe) | set(in_ledger))
    ]
    context = {"run": run, "groups": groups, "balances": balances, "running": run.status == RunStatus.RUNNING}
    template = "backoffice/finance/run.html#status" if request.htmx else "backoffice/finance/run.html"
    return render(request, template, context)


@require_POST
@permission_required("payouts.change_transfer")
def transfer_retry(request, transfer_id):
    transfer = get_object_or_404(Transfer, pk=transfer_id)
    transfer_retry_now(transfer_id=transfer.pk)
    messages.success(
        request, f"Transfer for {transfer.source_label} of order {transfer.order.reference} sent again."
    )
    return redirect("backoffice:finance_home")


@require_POST
@debt_writer_required
def reversal_write_off_view(request, reversal_id):
    """Finance gives up on a refund share a participant owes; the reason goes into the ledger."""
    reversal = get_object_or_404(Reversal.objects.select_related("transfer__order"), pk=reversal_id)
    try:
        reversal_write_off(reversal_id=reversal.pk, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.message_dict.get("reason", error.messages)))
    except InvalidTransition as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{Money(reversal.amount_minor, reversal.currency)} owed by {reversal.transfer.participant} on order "
            f"{reversal.transfer.order.reference} written off.",
        )
    return redirect("backoffice:finance_home")


FINANCE_ORDER = "backoffice/finance/order.html"
FINANCE_ORDER_BODY = "backoffice/finance/_order_body.html"


def _order_money_context(request, order: Order) -> dict:
    detail = order_money_detail(order_id=order.pk)
    detail["transfers"] = list(detail["transfers"])
    detail["settled"] = order.settled
    flow = order_money_flow(order=order, transfers=detail["transfers"])
    totals = {key: Money(value, order.currency) for key, value in flow.totals.items()}
    if not detail["settled"]:
        # Revenue is booked at settlement; until then "commission" would read as Stripe's fee, negative.
        totals["commission"] = "booked when the order settles"
    split = detail["split"]
    # What every statement of the order shares (the policy, what the customer paid) is said once, above them.
    shared_lines = set(split.lines or []) if split else set()
    for statement in detail["statements"]:
        statement.own_lines = [line for line in statement.lines or [] if line not in shared_lines]
    context = {
        "refunds": _refunds_with_shares(detail["refunds"], detail["statements"], network=request.tenant.name),
        # Every share of the split, the platform's commission included: equals paid − Stripe's fee.
        "shared_out_minor": (
            sum(s.amount_minor for s in detail["statements"]) + split.platform_commission_minor
            if split
            else None
        ),
        "order": order,
        "flow": flow,
        "sankey": sankey_layout(flow),
        "entries": order_entries(order_id=order.pk),
        "totals": totals,
        **{key: value for key, value in detail.items() if key != "refunds"},
    }
    return context


def _order_money_body_key(request, order_id: int, fingerprint: str) -> str:
    return page_body_key(
        "finance-order",
        templates=(FINANCE_ORDER_BODY,),
        content=(request.user.pk, order_id, fingerprint, request.tenant.name),
    )


@require_GET
@money_reader_required
def order_money(request, order_id: int):
    """An order's money. A repeat view is one statement (the fingerprint of every row the body shows) and one
    cache read (apps/backoffice/finance_order_page.py)."""
    fingerprint = finance_order_fingerprint(order_id=order_id)
    if fingerprint is None:
        raise Http404("No such order.")

    def draw() -> tuple[str, None]:
        context = _order_money_context(request, _order_for_finance(order_id))
        html = render_to_string(FINANCE_ORDER_BODY, {**context, "network": request.tenant})
        return html, None  # nothing on the page changes with time alone: kept until its rows change

    body = page_body_cached(
        key_of=lambda fingerprint: _order_money_body_key(request, order_id, fingerprint),
        fingerprint=fingerprint,
        read_fingerprint=lambda: finance_order_fingerprint(order_id=order_id),
        draw=draw,
        now=timezone.now(),
    )
    return render(request, FINANCE_ORDER, {"reference": order_reference(order_id), "body": body})


def _refunds_with_shares(refunds, statements, *, network: str) -> list:
    """Each refund with who bore it, by name: the allocation is stored by part key ("work_item:12", "leg:3",
    "platform"); people read the statement part's label and the amount as money."""
    rows = list(refunds)
    if not rows:
        return rows
    labels = {"platform": f"Platform ({network})"}
    for statement in statements:
        for part in statement.parts.all():
            key = f"work_item:{part.work_item_id}" if part.work_item_id else f"leg:{part.transport_leg_id}"
            labels[key] = f"{statement.participant} — {part.label}"
    for refund in rows:
        refund.allocation_shares = [
            {"label": labels.get(key, key), "amount_minor": amount}
            for key, amount in (refund.allocation or {}).items()
        ]
    return rows


@require_GET
@money_reader_required
def statements(request):
    try:
        start, end = _period(request)
    except PeriodInvalid as error:
        today = timezone.localdate(timezone=ZoneInfo(request.tenant.time_zone))
        context = {
            "groups": None,
            "start": today.replace(day=1),
            "end": today,
            "period_error": str(error),
            "participants": participant_choices(),
        }
        return render(request, "backoffice/finance/statements.html", context, status=400)
    participant = request.GET.get("participant", "")
    groups = statement_groups(start=start, end=end, participant=participant, page=request.GET.get("page"))
    return render(
        request,
        "backoffice/finance/statements.html",
        {
            "groups": groups,
            "start": start.date(),
            "end": (end - timedelta(days=1)).date(),
            "participant": participant,
            "participants": participant_choices(),
        },
    )


# --- exports -----------------------------------------------------------------------------------------------


class PeriodInvalid(ValueError):
    pass


# Far enough either way for any real statement; 9999-12-31 overflowed the day after the end (a 500).
PERIOD_FIRST_DAY, PERIOD_LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _period(request) -> tuple[datetime, datetime]:
    """[start, end) from ?start=YYYY-MM-DD&end=YYYY-MM-DD (end inclusive), in the network's time zone;
    this month by default. PeriodInvalid for a malformed or out-of-range date."""
    tz = ZoneInfo(request.tenant.time_zone)
    today = timezone.localdate(timezone=tz)
    try:
        first = date.fromisoformat(request.GET.get("start") or today.replace(day=1).isoformat())
        last = date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        raise PeriodInvalid("Dates are YYYY-MM-DD.") from None
    if not (PERIOD_FIRST_DAY <= first <= PERIOD_LAST_DAY and PERIOD_FIRST_DAY <= last <= PERIOD_LAST_DAY):
        raise PeriodInvalid(f"Dates are between {PERIOD_FIRST_DAY} and {PERIOD_LAST_DAY}.")
    if last < first:
        first, last = last, first
    return datetime.combine(first, time.min, tz), datetime.combine(last + timedelta(days=1), time.min, tz)


def _export_period(request) -> tuple[datetime, datetime]:
    try:
        return _period(request)
    except PeriodInvalid as error:
        raise BadRequest(str(error)) from None


@require_GET
@money_reader_required
def export_ledger(request):
    start, end = _export_period(request)

    def rows():
        yield [
            "entry",
            "effective_at",
            "kind",
            "order",
            "memo",
            "stripe_object",
            "balance_transaction",
            "account",
            "account_owner",
            "currency",
            "amount_minor",
            "amount",
        ]
        for posting in ledger_rows(start=start, end=end):
            entry, account = posting.entry, posting.account
            owner = (
                f"order {account.order_id}"
                if account.order_id
                else f"asset_owner {account.asset_owner_id}"
                if account.asset_owner_id
                else f"carrier {account.carrier_id}"
                if account.carrier_id
                else f"designer {account.designer_id}"
                if account.designer_id
                else ""
            )
            yield [
                entry.pk,
                entry.effective_at.isoformat(),
                entry.kind,
                entry.order_id or "",
                entry.memo,
                entry.stripe_object_id,
                entry.balance_transaction_id,
                account.kind,
                owner,
                posting.currency,
                posting.amount_minor,
                Money(posting.amount_minor, posting.currency).as_decimal(),
            ]

    return csv_response(filename=f"ledger-{start.date()}-{(end - timedelta(days=1)).date()}.csv", rows=rows())


@require_GET
@money_reader_required
def export_statements(request):
    start, end = _export_period(request)

    def rows():
        yield [
            "order",
            "participant_kind",
            "participant",
            "policy_version",
            "revision",
            "currency",
            "cost_minor",
            "surplus_share_minor",
            "fee_share_minor",
            "adjustment_minor",
            "amount_minor",
            "amount",
            "computed_at",
            "explanation",
        ]
        for statement in statement_rows(start=start, end=end):
            kind = (
                "asset_owner"
                if statement.asset_owner_id
                else "designer"
                if statement.designer_id
                else "carrier"
            )
            yield [
                statement.order.reference,
                kind,
                str(statement.participant),
                statement.split.policy.version,
                statement.split.revision,
                statement.currency,
                statement.cost_minor,
                statement.surplus_share_minor,
                statement.fee_share_minor,
                statement.adjustment_minor,
                statement.amount_minor,
                Money(statement.amount_minor, statement.currency).as_decimal(),
                statement.computed_at.isoformat(),
                " | ".join(statement.lines),
            ]

    return csv_response(
        filename=f"statements-{start.date()}-{(end - timedelta(days=1)).date()}.csv", rows=rows()
    )


# --- the money-flow picture --------------------------------------------------------------------------------

SANKEY_HEIGHT, NODE_WIDTH, GAP = 320, 14, 10
LEFT_BAND, RIGHT_BAND, LABEL_GAP = 250, 180, 6
# A generous average glyph width of the 12px labels, in SVG units: the margins beside the bands are sized from
# the labels' lengths, so a long amount or participant name is not cut off at the picture's edge.
LABEL_CHAR_WIDTH = 7.6


def _label_width(text: str) -> float:
    return len(text) * LABEL_CHAR_WIDTH


def sankey_layout(flow) -> dict:
    """A three-column Sankey (customer → platform → where the money went) as SVG paths, computed here so the
    template only draws. Band thickness is proportional to the amount."""
    flows = flow.flows
    incoming = [f for f in flows if f.target == "Platform"]
    outgoing = [f for f in flows if f.source == "Platform"]
    total = max(sum(f.amount_minor for f in incoming), sum(f.amount_minor for f in outgoing), 1)
    usable = SANKEY_HEIGHT - GAP * max(len(outgoing) - 1, 0)
    scale = usable / total

    def money(amount: int) -> str:
        return Money(amount, flow.currency).format()

    customer_label = f"Customer · {money(sum(f.amount_minor for f in incoming))}"
    widest_right = max((_label_width(f"{f.target} · {money(f.amount_minor)}") for f in outgoing), default=0)
    x_left = NODE_WIDTH + LABEL_GAP + _label_width(customer_label) + LABEL_GAP
    x_mid = x_left + LEFT_BAND
    x_right = x_mid + NODE_WIDTH + RIGHT_BAND
    width = x_right + NODE_WIDTH + LABEL_GAP + widest_right + LABEL_GAP

    def band(x0, y0, x1, y1, height) -> str:
        mid = (x0 + x1) / 2
        return (
            f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
            f"L{x1:.1f},{y1 + height:.1f} C{mid:.1f},{y1 + height:.1f} {mid:.1f},{y0 + height:.1f} {x0:.1f},{y0 + height:.1f} Z"
        )

    nodes, paths = [], []
    in_height = sum(f.amount_minor for f in incoming) * scale
    out_height = sum(f.amount_minor for f in outgoing) * scale
    platform_height = max(in_height, out_height, 2)
    nodes.append(
        {
            "x": x_left - NODE_WIDTH,
            "y": 0,
            "h": max(in_height, 2),
            "label": "Customer",
            "value": money(sum(f.amount_minor for f in incoming)),
            "anchor": "end",
            "tx": x_left - NODE_WIDTH - 6,
        }
    )
    nodes.append(
        {
            "x": x_mid,
            "y": 0,
            "h": platform_height,
            "label": "Platform",
            "value": "",
            "anchor": "middle",
            "tx": x_mid + NODE_WIDTH / 2,
        }
    )
    y = 0.0
    for f in incoming:
        height = f.amount_minor * scale
        paths.append(
            {
                "d": band(x_left, y, x_mid, y, height),
                "kind": f.kind,
                "title": f"{f.source} → {f.target}: {money(f.amount_minor)}",
            }
        )
        y += height
    y_source, y_target = 0.0, 0.0
    for f in outgoing:
        height = f.amount_minor * scale
        paths.append(
            {
                "d": band(x_mid + NODE_WIDTH, y_source, x_right, y_target, height),
                "kind": f.kind,
                "title": f"{f.source} → {f.target}: {money(f.amount_minor)}",
            }
        )
        nodes.append(
            {
                "x": x_right,
                "y": y_target,
                "h": max(height, 2),
                "label": f.target,
                "value": money(f.amount_minor),
                "anchor": "start",
                "tx": x_right + NODE_WIDTH + 6,
                "kind": f.kind,
            }
        )
        y_source += height
        y_target += height + GAP
    for node in nodes:
        node["ty"] = node["y"] + node["h"] / 2 + 4
    nodes[1]["ty"] = nodes[1]["h"] + 16  # the platform's label goes under its bar, clear of the bands
    return {
        "width": round(width),
        "height": max(SANKEY_HEIGHT, y_target, platform_height + 20) + 10,
        "nodes": nodes,
        "paths": paths,
        "node_width": NODE_WIDTH,
    }
