"""Listening to the orders app: its hooks (apps/orders/hooks.py) call these inside the transaction of the change;
each listener only writes a task to the outbox, which sends it after commit (and the sweeper if that fails).

Subscribed once per process by PayoutsConfig.ready()."""

from __future__ import annotations

from apps.orders import hooks
from apps.orders.status import WORK_ITEM_PLAN_CHANGING, LegStatus, OrderStatus, WorkItemStatus
from apps.outbox.services import outbox_enqueue


def on_order_paid(*, order_id: int, charge_id: str = "", **_) -> None:

    if charge_id:
        outbox_enqueue(task_name="payouts.charge_record", kwargs={"charge_id": charge_id})
    else:
        outbox_enqueue(task_name="payouts.order_charge_record", kwargs={"order_id": order_id})


def on_order_refunded(*, refund_id: int, **_) -> None:

    outbox_enqueue(task_name="payouts.refund_record", kwargs={"order_refund_id": refund_id})


def on_work_item_status_changed(*, work_item_id: int, order_id: int, to_status: str, **_) -> None:

    if to_status == WorkItemStatus.DONE:
        outbox_enqueue(
            task_name="payouts.transfer_release_for_work_item", kwargs={"work_item_id": work_item_id}
        )
    elif to_status in WORK_ITEM_PLAN_CHANGING:
        outbox_enqueue(task_name="payouts.statement_refresh", kwargs={"order_id": order_id})


def on_leg_status_changed(*, leg_id: int, to_status: str, **_) -> None:

    if to_status == LegStatus.DELIVERED:
        outbox_enqueue(task_name="payouts.transfer_release_for_leg", kwargs={"leg_id": leg_id})


def on_order_status_changed(*, order_id: int, to_status: str, **_) -> None:

    if to_status == OrderStatus.CANCELLED:
        outbox_enqueue(task_name="payouts.order_money_on_cancel", kwargs={"order_id": order_id})
    elif to_status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED):
        outbox_enqueue(task_name="payouts.order_settle", kwargs={"order_id": order_id})
    elif to_status == OrderStatus.PLANNED:
        outbox_enqueue(task_name="payouts.statement_refresh", kwargs={"order_id": order_id})


def subscribe_all() -> None:
    hooks.subscribe("order.paid", on_order_paid)
    hooks.subscribe("order.refunded", on_order_refunded)
    hooks.subscribe("work_item.status_changed", on_work_item_status_changed)
    hooks.subscribe("transport_leg.status_changed", on_leg_status_changed)
    hooks.subscribe("order.status_changed", on_order_status_changed)
