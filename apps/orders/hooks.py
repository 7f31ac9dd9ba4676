"""Named points where higher layers (payouts' ledger and transfers, matching) learn what happened to an order.

Orders sits below payouts and matching, so it cannot call them; they subscribe here instead, from their own
AppConfig.ready() or module import. Listeners run after the surrounding transaction commits, in the process
that made the change, with ids and plain values only: they should enqueue a task, not do slow work.

Points published (keyword arguments in brackets):
- "order.status_changed" (order_id, from_status, to_status)
- "order.paid" (order_id, payment_intent_id, charge_id, amount_minor, currency)
- "order.refunded" (order_id, refund_id, amount_minor, currency, stripe_refund_id)
- "work_item.status_changed" (work_item_id, order_id, from_status, to_status) — "done" means quality passed
- "transport_leg.status_changed" (leg_id, order_id, from_status, to_status)
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from apps.outbox.after_commit import on_commit_in_this_schema

logger = logging.getLogger(__name__)

Listener = Callable[..., None]
_listeners: dict[str, list[Listener]] = defaultdict(list)

POINTS = frozenset(
    {
        "order.status_changed",
        "order.paid",
        "order.refunded",
        "work_item.status_changed",
        "transport_leg.status_changed",
    }
)


def subscribe(point: str, listener: Listener) -> Listener:
    if point not in POINTS:
        raise ValueError(f"Unknown hook point {point!r}; known: {sorted(POINTS)}")
    if listener not in _listeners[point]:
        _listeners[point].append(listener)
    return listener


def unsubscribe(point: str, listener: Listener) -> None:
    if listener in _listeners[point]:
        _listeners[point].remove(listener)


def publish_on_commit(point: str, **values) -> None:
    """Calls every listener of `point` after the current transaction commits (at once outside one).

    A failing listener is logged and does not stop the others: the change it reacts to is already committed.
    """
    for listener in list(_listeners.get(point, ())):
        on_commit_in_this_schema(lambda listener=listener: _call(point, listener, values))


def _call(point: str, listener: Listener, values: dict) -> None:
    try:
        listener(**values)
    except Exception:
        logger.exception("Listener %r of %s failed", listener, point)
