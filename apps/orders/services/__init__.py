"""Writes of orders, one module per concern. Each service is keyword-only and runs in one transaction.

- transitions: the compare-and-swap writers of every status field (order, work item, transport leg) + events
- cart: lines, address, quote lock of a customer's cart
- orders: order from cart, re-quote, payment attach/apply/fail
- planning: plan application (from matching), offers expiry, re-plan requests, lost-task recovery
- progress: the order following its items and legs, ETA
- work: supplier and carrier actions
- problems: problems asset owners report on their jobs (staff e-mailed), staff resolving them
- refunds: cancel, refund rows, refund requests, disputes, completion
"""

from apps.orders.services.cart import (
    AddressInput,
    cart_address_set,
    cart_get_or_create,
    cart_line_add,
    cart_line_set_quantity,
)
from apps.orders.services.orders import (
    CheckoutError,
    PaymentOutcome,
    order_create_from_cart,
    order_payment_apply,
    order_payment_fail,
)
from apps.orders.services.planning import (
    PlannedLeg,
    PlannedWorkItem,
    offers_expire,
    order_declines_override,
    order_plan_apply,
    order_planning_enqueue,
    order_replan_request,
    orders_requeue_stale_paid,
)
from apps.orders.services.problems import job_problem_resolve, work_item_problem_report
from apps.orders.services.progress import order_eta_set, order_progress_sync
from apps.orders.services.refunds import (
    order_cancel,
    order_complete,
    order_mark_disputed,
    order_refund_staff,
    refund_request_create,
    refund_request_decide,
)
from apps.orders.services.transitions import (
    order_transition,
    transport_leg_transition,
    work_item_transition,
)
from apps.orders.services.work import (
    transport_leg_book,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_complete,
    work_item_decline,
    work_item_quality_record,
    work_item_start,
)

__all__ = [
    "AddressInput",
    "CheckoutError",
    "PaymentOutcome",
    "PlannedLeg",
    "PlannedWorkItem",
    "cart_address_set",
    "cart_get_or_create",
    "cart_line_add",
    "cart_line_set_quantity",
    "job_problem_resolve",
    "offers_expire",
    "order_cancel",
    "order_complete",
    "order_create_from_cart",
    "order_declines_override",
    "order_eta_set",
    "order_mark_disputed",
    "order_payment_apply",
    "order_payment_fail",
    "order_plan_apply",
    "order_planning_enqueue",
    "order_progress_sync",
    "order_refund_staff",
    "order_replan_request",
    "order_transition",
    "orders_requeue_stale_paid",
    "refund_request_create",
    "refund_request_decide",
    "transport_leg_book",
    "transport_leg_deliver",
    "transport_leg_pick_up",
    "transport_leg_transition",
    "work_item_accept",
    "work_item_complete",
    "work_item_decline",
    "work_item_problem_report",
    "work_item_quality_record",
    "work_item_start",
    "work_item_transition",
]
