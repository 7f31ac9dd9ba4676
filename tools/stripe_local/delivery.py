"""Webhook scheduling that a wipe can cancel.

localstripe signs and sends each event about one second after it is created, to the endpoints
registered *at sending time*. After ``DELETE /_config/data`` the next test registers its own endpoint
and would receive events still in flight from the previous test. So the scheduling is replaced by a
version that remembers pending deliveries and cancels them on wipe; signing and sending stay
localstripe's own ``_send_webhook``.
"""

import asyncio

from localstripe import resources, webhooks

from .state import on_reset

_pending: set[asyncio.Task] = set()


def schedule_webhook(event) -> None:
    task = asyncio.ensure_future(webhooks._send_webhook(event))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


@on_reset
def _cancel_pending_deliveries() -> None:
    for task in list(_pending):
        task.cancel()


# localstripe's resources imported the function by name, so both references are replaced.
resources.schedule_webhook = schedule_webhook
webhooks.schedule_webhook = schedule_webhook
