"""The orders as the planner sees them: their steps, current items and which steps are pinned."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

from apps.matching.engine.domain import Weights
from apps.matching.engine.solver import QUOTE_MAX_FREE_OPS
from apps.matching.models import MatchingSettings
from apps.matching.problem import (
    BuiltProblem,
    OrderInput,
    Pin,
    problem_build,
    steps_from_compiled,
)
from apps.matching.problem.batches import steps_in_lots
from apps.orders.models import Order, OrderLine, TransportLeg, WorkItem
from apps.orders.status import LEG_NOT_PICKED_UP, WORK_ITEM_NOT_STARTED, WORK_ITEM_UNACCEPTED, WorkItemStatus
from apps.suppliers.selectors import carrier_list_eligible, network_settings
from apps.suppliers.status import ParticipantStatus, ResourceStatus

logger = logging.getLogger(__name__)

W = WorkItemStatus
# Started and not failed: pinned where it is (a failed item is re-planned).
STARTED = frozenset({W.IN_PROGRESS, W.DONE})


def legs_without_carrier():
    """Legs not picked up yet whose carrier can no longer take them (suspended, payouts off, no rate card)."""
    return TransportLeg.objects.filter(status__in=LEG_NOT_PICKED_UP).exclude(
        carrier_id__in=carrier_list_eligible().values("pk")
    )


@dataclass
class OrderState:
    """One order as the planner sees it: its steps, the items it has now, and which steps are pinned."""

    order: Order
    input: OrderInput
    items: dict[str, WorkItem] = field(default_factory=dict)  # op id -> current item
    legs_without_carrier: bool = False  # a leg must move to another carrier even if every step stays


def end_of_day(day, time_zone: str) -> datetime:
    return datetime.combine(day, dtime(23, 59), tzinfo=ZoneInfo(time_zone))


def _steps_of(order: Order):
    """The order's lines as batches, split into lots as its quote was (problem/batches.py)."""
    steps = []
    for line in OrderLine.objects.filter(order=order).select_related("design_version").order_by("position"):
        steps += steps_from_compiled(
            line.design_version.operations, prefix=f"{line.pk}.", quantity=line.quantity, line_id=line.pk
        )
    return steps_in_lots(steps, lots=order.quote_lots, max_operations=QUOTE_MAX_FREE_OPS)


def _resource_eligible(item: WorkItem) -> bool:
    resource = item.resource
    return (
        resource is not None
        and resource.status == ResourceStatus.UP
        and resource.asset_owner.status == ParticipantStatus.APPROVED
        and resource.asset_owner.onboarded
    )


def _with_declines(order: Order, steps: tuple) -> tuple:
    """Each step with who declined it: the declined resources, and their companies unless staff overrode
    the decline (a company that gave a job back is not offered the same step on its other machine)."""
    resources: dict[str, set[int]] = {}
    owners: dict[str, set[int]] = {}
    for line_id, step_key, resource_id, owner_id, overridden in WorkItem.objects.filter(
        order=order, status=W.DECLINED, resource__isnull=False
    ).values_list("line_id", "step_key", "resource_id", "asset_owner_id", "decline_overridden"):
        op_id = f"{line_id}.{step_key}"
        resources.setdefault(op_id, set()).add(resource_id)
        if owner_id is not None and not overridden:
            owners.setdefault(op_id, set()).add(owner_id)
    return tuple(
        replace(
            step,
            declined_by=frozenset(resources[step.op_id]),
            declined_by_owners=frozenset(owners.get(step.op_id, ())),
        )
        if step.op_id in resources
        else step
        for step in steps
    )


def order_state_load(
    order: Order,
    *,
    origin: datetime,
    settings: MatchingSettings,
    time_zone: str,
    scope: str,
    freeze_until: datetime | None = None,
) -> OrderState:
    """The order's OrderInput with its pins.

    scope "narrow": only steps without a usable item (declined, failed, on a resource no longer eligible, or
    due to have started already) and the steps after them are planned; other unstarted items stay pinned.
    "wide": every unstarted step is planned. "batch": unstarted, unaccepted items starting after
    `freeze_until` are planned. Started work (in progress, done) is always pinned.
    """
    steps = _steps_of(order)
    steps = _with_declines(order, steps)
    items = {
        f"{item.line_id}.{item.step_key}": item
        for item in WorkItem.objects.filter(
            order=order, status__in=WORK_ITEM_NOT_STARTED | STARTED | {W.FAILED}
        )
        .select_related("resource__asset_owner")
        .order_by("id")
    }
    pins: dict[str, Pin] = {}
    free: set[str] = set()
    for step in steps:
        item = items.get(step.op_id)
        if item is None or item.resource_id is None or item.planned_start is None or item.planned_end is None:
            free.add(step.op_id)
        elif item.status in STARTED:
            start = item.actual_start or item.planned_start
            if item.status == W.DONE:
                end = item.actual_end or item.planned_end
            else:  # still running: it holds its resource at least until now
                end = max(item.planned_end, origin)
            pins[step.op_id] = Pin(item.resource_id, start, max(start, end), started=True)
        elif item.status == W.FAILED or scope == "wide" or not _resource_eligible(item):
            free.add(step.op_id)
        elif item.planned_start < origin:
            if item.status == W.ACCEPTED:  # accepted and due to start: it stays, counted from now
                pins[step.op_id] = Pin(
                    item.resource_id, origin, origin + (item.planned_end - item.planned_start), started=False
                )
            else:  # an offer nobody took in time cannot start in the past
                free.add(step.op_id)
        elif scope == "batch":
            movable = item.status in WORK_ITEM_UNACCEPTED and (
                freeze_until is None or item.planned_start >= freeze_until
            )
            if movable:
                free.add(step.op_id)
            else:
                pins[step.op_id] = Pin(item.resource_id, item.planned_start, item.planned_end, started=False)
        else:
            pins[step.op_id] = Pin(item.resource_id, item.planned_start, item.planned_end, started=False)
    # a step after a re-planned one may have to move too
    successors: dict[str, list[str]] = {}
    for step in steps:
        for p in step.predecessors:
            successors.setdefault(p, []).append(step.op_id)
    queue = list(free)
    while queue:
        for succ in successors.get(queue.pop(), ()):
            pin = pins.get(succ)
            if pin is not None and not pin.started:
                del pins[succ]
                free.add(succ)
                queue.append(succ)
    order_input = OrderInput(
        key=str(order.pk),
        steps=steps,
        due=end_of_day(order.promised_delivery_date, time_zone),
        lateness_weight=settings.lateness_weight_per_minute,
        delivery=(float(order.latitude), float(order.longitude)) if order.has_coordinates else None,
        pins=pins,
        order_pk=order.pk,
    )
    return OrderState(
        order=order,
        input=order_input,
        items=items,
        legs_without_carrier=legs_without_carrier().filter(order=order).exists(),
    )


def problem_for_states(
    states: Sequence[OrderState], origin: datetime, settings: MatchingSettings
) -> BuiltProblem:
    network = network_settings()
    return problem_build(
        orders=[s.input for s in states],
        origin=origin,
        horizon_days=settings.horizon_days,
        currency=network.currency,
        time_zone=network.time_zone,
        weights=Weights(cost=1, lateness=1, makespan=0),
        exclude_order_pks=[s.order.pk for s in states],
    )
