"""Orders models, one module per concern; every model is re-exported here for Django and callers."""

from apps.orders.models.cart import Cart, CartLine
from apps.orders.models.order import (
    EventKind,
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    OrderRefund,
    PaymentStatus,
    RefundRequest,
    RefundRequestStatus,
)
from apps.orders.models.places import Place
from apps.orders.models.problems import PROBLEM_TEXT_MAX, JobProblem, JobProblemStatus
from apps.orders.models.settings import OrderSettings
from apps.orders.models.work import QualityCheck, TransportLeg, WorkItem

__all__ = [
    "PROBLEM_TEXT_MAX",
    "Cart",
    "CartLine",
    "EventKind",
    "JobProblem",
    "JobProblemStatus",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderPayment",
    "OrderRefund",
    "OrderSettings",
    "PaymentStatus",
    "Place",
    "QualityCheck",
    "RefundRequest",
    "RefundRequestStatus",
    "TransportLeg",
    "WorkItem",
]
