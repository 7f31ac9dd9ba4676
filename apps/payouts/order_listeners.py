"""Listening to the orders app: its hooks (apps/orders/hooks.py) fire after commit in the process that made the
change; each listener only enqueues a task. A hook lost with its process is caught up by the sweeper.

Subscribed once per process by PayoutsConfig.ready()."""

from __future__ import annotations

from apps.orders import hooks
from apps.orders.status import LegStatus, OrderStatus, WorkItemStatus
from apps.payouts.tasks import (
    charge_record_task,
    order_charge_record_task,
    order_money_on_cancel_task,
    order_settle_task,
    refund_record_task,
    statement_refresh_task,
    transfer_release_for_leg_task,
    transfer_release_for_work_item_task,
)

# Changes that alter an order's plan, hence its statements.
_REPLAN_ITEM_STATES = frozenset({WorkItemStatus.PLANNED, WorkItemStatus.DECLINED, WorkItemStatus.CANCELLED})


def on_order_paid(*, order_id: int, charge_id: str = "", **_) -> None:

    if charge_id:
        charge_record_task.delay(charge_id)
    else:
        order_charge_record_task.delay(order_id)


def on_order_refunded(*, refund_id: int, **_) -> None:

    refund_record_task.delay(refund_id)


def on_work_item_status_changed(*, work_item_id: int, order_id: int, to_status: str, **_) -> None:

    if to_status == WorkItemStatus.DONE:
        transfer_release_for_work_item_task.delay(work_item_id)
    elif to_status in _REPLAN_ITEM_STATES:
        statement_refresh_task.delay(order_id)


def on_leg_status_changed(*, leg_id: int, to_status: str, **_) -> None:

    if to_status == LegStatus.DELIVERED:
        transfer_release_for_leg_task.delay(leg_id)


def on_order_status_changed(*, order_id: int, to_status: str, **_) -> None:

    if to_status == OrderStatus.CANCELLED:
        order_money_on_cancel_task.delay(order_id)
    elif to_status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED):
        order_settle_task.delay(order_id)
    elif to_status == OrderStatus.PLANNED:
        statement_refresh_task.delay(order_id)


def subscribe_all() -> None:
    hooks.subscribe("order.paid", on_order_paid)
    hooks.subscribe("order.refunded", on_order_refunded)
    hooks.subscribe("work_item.status_changed", on_work_item_status_changed)
    hooks.subscribe("transport_leg.status_changed", on_leg_status_changed)
    hooks.subscribe("order.status_changed", on_order_status_changed)
