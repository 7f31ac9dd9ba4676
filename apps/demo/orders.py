"""The demo network's orders: one or more in every state for customer@demo.localhost, built through the real
services (cart → quote → checkout → payment → plan → jobs → transport → delivery → refunds), so every page has
something real to show. Idempotent: a customer who already has orders is left alone.

Plans come from `simple_plan`, a deterministic stand-in for the matching engine (first capable resource, one
job after another, a leg wherever the part changes workshop). Payments go to the local Stripe server when it
answers; without it, intents are seeded as `pi_demo_*` (like the suppliers' `acct_demo_*` accounts).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.models import Design, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.core.geodesy import haversine_km
from apps.orders import checkout
from apps.orders.models import Order, OrderPayment, Place
from apps.orders.places import places_ensure
from apps.orders.refunding import order_cancel_and_refund, refund_issue
from apps.orders.scope import Scope
from apps.orders.services import (
    AddressInput,
    PlannedLeg,
    PlannedWorkItem,
    cart_address_set,
    cart_line_add,
    order_complete,
    order_eta_set,
    order_mark_disputed,
    order_payment_apply,
    order_payment_fail,
    order_plan_apply,
    refund_request_create,
    refund_request_decide,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.services.orders import order_payment_attach
from apps.orders.status import LEG_NOT_PICKED_UP, WorkItemStatus
from apps.suppliers.models import Carrier, Resource
from apps.suppliers.status import ResourceStatus
from apps.tenants.selectors import tenant_current

logger = logging.getLogger(__name__)

DEMO_CUSTOMER = "customer@demo.localhost"
HANDOVER = timedelta(hours=3)  # a part travelling between two workshops in the demo plan
LAST_MILE = timedelta(hours=20)


# --- a deterministic plan (the matching engine's stand-in) --------------------------------------------------


def simple_plan(order: Order, *, start: datetime) -> tuple[list[PlannedWorkItem], list[PlannedLeg]]:
    """Every operation of every line on the first capable resource (spread by line), in precedence order.

    Calendars are ignored: the demo wants a readable plan, not an optimal one.
    """
    resources: dict[str, list[Resource]] = {}
    for resource in (
        Resource.objects.select_related("asset_owner").exclude(status=ResourceStatus.DOWN).order_by("id")
    ):
        resources.setdefault(resource.process, []).append(resource)
    carrier = Carrier.objects.select_related("rate_card").order_by("id").first()
    items: list[PlannedWorkItem] = []
    legs: list[PlannedLeg] = []
    for line in order.lines.select_related("design_version").order_by("position"):
        placed: dict[str, tuple[Resource, datetime, datetime]] = {}
        operations = line.design_version.operations or []
        successors = {p for op in operations for p in op.get("predecessors", [])}
        for index, op in enumerate(operations):
            candidates = resources.get(op["process"])
            if not candidates:
                raise ValueError(f"No resource in the network does {op['process']}.")
            resource = candidates[(line.position + index) % len(candidates)]
            ready = start
            for key in op.get("predecessors", []):
                before, _, before_end = placed[key]
                arrival = before_end + (
                    HANDOVER if before.asset_owner_id != resource.asset_owner_id else timedelta(0)
                )
                ready = max(ready, arrival)
                if before.asset_owner_id != resource.asset_owner_id:
                    legs.append(
                        _leg(
                            carrier,
                            before,
                            resource.asset_owner,
                            before_end,
                            arrival,
                            (line.pk, key),
                            (line.pk, op["step_key"]),
                        )
                    )
            minutes = max(30, math.ceil(float(op.get("duration_minutes") or 0)))
            end = ready + timedelta(minutes=minutes)
            placed[op["step_key"]] = (resource, ready, end)
            cost = max(
                resource.minimum_charge_minor,
                resource.setup_cost_minor + resource.cost_per_minute_minor * minutes,
            )
            items.append(
                PlannedWorkItem(
                    line_id=line.pk,
                    step_key=op["step_key"],
                    name=op.get("name") or op["step_key"],
                    process=op["process"],
                    quantity=int(op.get("quantity") or 1),
                    predecessor_keys=tuple(op.get("predecessors", [])),
                    resource_id=resource.pk,
                    asset_owner_id=resource.asset_owner_id,
                    planned_start=ready,
                    planned_end=end,
                    cost_minor=cost,
                )
            )
        for key, (resource, _, end) in placed.items():
            if key not in successors:
                legs.append(
                    _leg(carrier, resource, None, end, end + LAST_MILE, (line.pk, key), None, order=order)
                )
    return items, legs


def _leg(
    carrier, source: Resource, target_owner, departure, arrival, from_step, to_step, order=None
) -> PlannedLeg:
    origin = (float(source.asset_owner.latitude), float(source.asset_owner.longitude))
    if target_owner is None:
        destination = (float(order.latitude), float(order.longitude))
    else:
        destination = (float(target_owner.latitude), float(target_owner.longitude))
    km = Decimal(str(round(haversine_km(origin, destination), 1)))
    rate = getattr(carrier, "rate_card", None) if carrier else None
    cost = 0 if rate is None else rate.base_fee_minor + int(rate.per_km_minor * km)
    return PlannedLeg(
        carrier_id=carrier.pk if carrier else None,
        from_asset_owner_id=source.asset_owner_id,
        to_asset_owner_id=None if target_owner is None else target_owner.pk,
        planned_departure=departure,
        planned_arrival=arrival,
        cost_minor=cost,
        from_step=from_step,
        to_step=to_step,
        is_last_mile=target_owner is None,
        distance_km=km,
        weight_kg=Decimal("25"),
    )


def plan_apply_simple(order: Order, *, start: datetime) -> None:
    items, legs = simple_plan(order, start=start)
    order_plan_apply(
        order_id=order.pk, items=items, legs=legs, reason="Planned (demo planner)", actor_label="demo planner"
    )


# --- walking orders through their life -------------------------------------------------------------------------


def _designs(customer) -> list:
    """One design per active template for the customer (created once), current versions returned."""
    versions = []
    for template in ProductTemplate.objects.filter(active=True, part_kind="").order_by("position", "name"):
        name = f"My {template.name.lower()}"
        design = (
            Design.objects.filter(owner=customer, template=template, name=name)
            .select_related("current_version")
            .first()
        )
        if design is None:
            design = design_create(
                owner=customer, template=template, name=name, values=template_spec_for(template).defaults()
            )
        versions.append(design.current_version)
    return versions


def demo_order_place(customer, *, versions, quantities, place: Place, requested=None) -> Order:
    """Cart → quote → checkout through the services; without a local Stripe server, a seeded intent of our own
    keeps the order payable. Used by the demo seed and the load benchmark's copy of the demo network."""
    for version, quantity in zip(versions, quantities, strict=False):
        cart_line_add(customer=customer, design_version=version, quantity=quantity)
    cart_address_set(
        customer=customer,
        address=AddressInput(
            recipient_name="Demo Customer", address_line="Stationsplein 1", place_id=place.pk
        ),
        requested_delivery_date=requested,
    )
    quoted = checkout.cart_quote(customer=customer)
    if quoted.quote is None:
        raise RuntimeError(f"Demo cart could not be quoted: {quoted.error}")
    result = checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    )
    order = result.order
    if not OrderPayment.objects.filter(order=order).exists():
        # The local Stripe server is not running: a seeded intent keeps the demo walkable.
        order_payment_attach(
            order_id=order.pk,
            intent={
                "id": f"pi_demo_{connection.schema_name}_{order.pk}",
                "amount": order.total_minor,
                "currency": order.currency,
                "client_secret": "",
            },
            idempotency_key=f"demo:{connection.schema_name}:order:{order.pk}:payment_intent",
            quote_revision=order.quote_revision,
        )
    return Order.objects.get(pk=order.pk)


def _pay(order: Order, *, card: str = "pm_card_visa") -> Order:
    if order.payment_intent_id.startswith("pi_demo_"):
        if card == "pm_card_visa":
            order_payment_apply(
                payment_intent_id=order.payment_intent_id,
                amount_minor=order.total_minor,
                currency=order.currency,
                charge_id=f"ch_demo_{order.pk}",
                actor_label="demo",
            )
        else:
            order_payment_fail(payment_intent_id=order.payment_intent_id, message="Your card was declined.")
    else:
        checkout.checkout_pay(order=order, payment_method=card)
    return Order.objects.get(pk=order.pk)


def _make_all(order: Order, actor, carrier) -> None:
    """Every job accepted, made and passed, in plan order (predecessors first): before a job starts, the
    carrier brings it the parts made elsewhere, as work_item_start requires."""
    for item in order.work_items.filter(status=WorkItemStatus.OFFERED).order_by("planned_start"):
        work_item_accept(work_item_id=item.pk, actor=actor, scope=item.asset_owner)
    for item in order.work_items.filter(status=WorkItemStatus.ACCEPTED).order_by("planned_start", "id"):
        for leg in item.legs_in.filter(status__in=LEG_NOT_PICKED_UP).order_by("planned_departure", "id"):
            _move(leg, carrier, deliver=True)
        work_item_start(work_item_id=item.pk, actor=actor, scope=item.asset_owner)
        work_item_quality_record(
            work_item_id=item.pk,
            actor=actor,
            passed=True,
            measurements={"checked": "ok"},
            scope=item.asset_owner,
        )


def _ship(order: Order, actor, *, deliver: bool) -> None:
    for leg in order.transport_legs.filter(status__in=LEG_NOT_PICKED_UP).order_by("planned_departure"):
        _move(leg, actor, deliver=deliver or not leg.is_last_mile)


def _move(leg, actor, *, deliver: bool) -> None:
    transport_leg_pick_up(leg_id=leg.pk, actor=actor, scope=leg.carrier)
    if deliver:
        transport_leg_deliver(
            leg_id=leg.pk,
            actor=actor,
            receiver_name="Demo Customer" if leg.is_last_mile else "Goods-in",
            scope=leg.carrier,
        )


def _backdate(order: Order, *, days_ago: int, late_days: int = 0) -> None:
    """Moves a finished demo order's dates into the past so the dashboard has history to chart."""
    now = timezone.now()
    delivered = now - timedelta(days=days_ago)
    Order.objects.filter(pk=order.pk).update(
        created_at=delivered - timedelta(days=12),
        paid_at=delivered - timedelta(days=12),
        delivered_at=delivered,
        eta=delivered,
        promised_delivery_date=(delivered - timedelta(days=late_days)).date(),
    )


def orders_demo_seed() -> dict[str, int]:
    """Orders in every state for the demo customer. Returns the number of the customer's orders per status."""
    customer = User.objects.filter(email=DEMO_CUSTOMER).first()
    staff = User.objects.filter(is_staff=True).order_by("id").first()
    if customer is None:
        return {}
    if not Order.objects.filter(customer=customer).exists():
        _seed(customer, staff)
    counts: dict[str, int] = {}
    for status in Order.objects.filter(customer=customer).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def _seed(customer, staff) -> None:
    places_ensure()
    places = {place.name: place for place in Place.objects.all()}
    versions = _designs(customer)
    if not versions or not Resource.objects.exists():
        logger.warning("Demo orders need the demo catalog and suppliers; skipped.")
        return
    tz = ZoneInfo(_time_zone())
    today = timezone.now().astimezone(tz).date()
    morning = datetime.combine(today, time(8), tz)
    supplier = User.objects.filter(email="supplier@demo.localhost").first() or staff
    carrier = User.objects.filter(email="carrier@demo.localhost").first() or staff

    def place(town: str, quantities=(1,), which=(0,)):
        chosen = [versions[i % len(versions)] for i in which]
        return demo_order_place(customer, versions=chosen, quantities=quantities, place=places[town])

    # Awaiting payment, after a declined card.
    declined = place("Utrecht", which=(2,))
    _pay(declined, card="pm_card_chargeDeclined")
    # Awaiting payment, untouched.
    place("Haarlem", which=(1,))
    # Paid, waiting for the matching engine.
    _pay(place("Groningen", which=(2,), quantities=(2,)))
    # Planned: jobs offered to the workshops.
    planned = _pay(place("Amersfoort", which=(0,)))
    plan_apply_simple(planned, start=morning + timedelta(days=1))
    # In production, and running late (the plan ends after the promised day).
    making = _pay(place("Eindhoven", which=(0, 1), quantities=(1, 1)))
    plan_apply_simple(making, start=morning - timedelta(days=1))
    # Its first job needs nothing made before it, so it may start at once.
    first = (
        making.work_items.filter(status=WorkItemStatus.OFFERED, predecessor_keys=[])
        .order_by("planned_start")
        .first()
    )
    work_item_accept(work_item_id=first.pk, actor=supplier, scope=first.asset_owner)
    work_item_start(work_item_id=first.pk, actor=supplier, scope=first.asset_owner)
    making.refresh_from_db()
    order_eta_set(
        order_id=making.pk,
        eta=datetime.combine(making.promised_delivery_date + timedelta(days=2), time(15), tz),
        reason="Machine breakdown at a workshop",
    )
    # Shipped: made, on the way.
    shipped = _pay(place("Rotterdam", which=(2,)))
    plan_apply_simple(shipped, start=morning - timedelta(days=3))
    _make_all(shipped, supplier, carrier)
    _ship(shipped, carrier, deliver=False)
    # Delivered, completed, refunded (partly), disputed: the finished side of the dashboard.
    finished = []
    for town, which in (
        ("Amsterdam", 0),
        ("Den Haag", 1),
        ("Leiden", 2),
        ("Nijmegen", 1),
        ("Zwolle", 2),
        ("Breda", 0),
    ):
        order = _pay(place(town, which=(which,)))
        plan_apply_simple(order, start=morning - timedelta(days=6))
        _make_all(order, supplier, carrier)
        _ship(order, carrier, deliver=True)
        finished.append(Order.objects.get(pk=order.pk))
    for order, (days_ago, late) in zip(
        finished, ((1, 0), (4, 0), (8, 2), (15, 0), (22, 1), (27, 0)), strict=True
    ):
        _backdate(order, days_ago=days_ago, late_days=late)
    order_complete(
        order_id=finished[3].pk, actor=staff, scope=Scope.STAFF, reason="Customer confirmed receipt"
    )
    order_complete(order_id=finished[4].pk, actor=staff, scope=Scope.STAFF, reason="The refund window passed")
    request = refund_request_create(
        order_id=finished[1].pk,
        customer=customer,
        reason="One leg arrived scratched.",
        amount_minor=max(1, finished[1].total_minor // 10),
    )
    refund = refund_request_decide(
        request_id=request.pk, actor=staff, approve=True, note="Sorry — 10% back.", scope=Scope.STAFF
    )
    if refund is not None and not finished[1].charge_id.startswith("ch_demo_"):
        refund_issue(refund_id=refund.pk)
    order_mark_disputed(
        order_id=finished[5].pk, actor=staff, reason="The customer's bank opened a dispute", scope=Scope.STAFF
    )
    # Cancelled before production, refunded in full.
    cancelled = _pay(place("Delft", which=(1,)))
    if cancelled.charge_id.startswith("ch_demo_"):
        from apps.orders.services import order_cancel

        order_cancel(order_id=cancelled.pk, actor=customer, reason="Ordered the wrong size", scope=customer)
    else:
        order_cancel_and_refund(
            order_id=cancelled.pk, actor=customer, reason="Ordered the wrong size", scope=customer
        )
    # A draft: placed while payments were unreachable (no PaymentIntent yet).
    _draft(customer, versions[0], places["Arnhem"])


def _draft(customer, version, place: Place) -> None:
    from apps.orders.services.orders import order_create_from_cart

    cart_line_add(customer=customer, design_version=version, quantity=1)
    cart_address_set(
        customer=customer,
        address=AddressInput(
            recipient_name="Demo Customer", address_line="Stationsplein 1", place_id=place.pk
        ),
        requested_delivery_date=None,
    )
    quoted = checkout.cart_quote(customer=customer)
    order_create_from_cart(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        quote=quoted.quote,
        descriptions={str(version.pk): f"{version.design.name} (v{version.number})"},
    )


def _time_zone() -> str:
    tenant = tenant_current()
    return tenant.time_zone if tenant else "Europe/Amsterdam"
