"""Named points where higher layers (payouts' ledger and transfers, matching) learn what happened to an order.

Orders sits below payouts and matching, so it cannot call them; they subscribe here instead, from their own
AppConfig.ready() or module import. Listeners run at once, inside the transaction of the change, with ids and
plain values only, and only write outbox messages (apps/outbox): the work they ask for is then committed with
the change and sent after commit, like every other piece of work after commit. (These hooks are not a second
way out: they only decide *which* tasks a change calls for, in the app that owns those tasks.)

Points published (keyword arguments in brackets):
- "order.status_changed" (order_id, from_status, to_status)
- "order.paid" (order_id, payment_intent_id, charge_id, amount_minor, currency)
- "order.refunded" (order_id, refund_id, amount_minor, currency, stripe_refund_id)
- "work_item.status_changed" (work_item_id, order_id, from_status, to_status) — "done" means quality passed
- "transport_leg.status_changed" (leg_id, order_id, from_status, to_status)
"""

from collections import defaultdict
from collections.abc import Callable

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


def publish(point: str, **values) -> None:
    """Calls every listener of `point` now, in the caller's transaction: a listener that fails rolls the change
    back with the work it asked for, so a change never commits without its follow-up work written down."""
    for listener in list(_listeners.get(point, ())):
        listener(**values)
