"""Thin tenant tasks, dispatched by beat into every network (tenants.dispatch_to_tenants)."""

from celery import shared_task

from apps.core.tasks import TenantOnlyTask
from apps.orders.refunding import refunds_retry_pending
from apps.orders.services.planning import offers_expire, orders_requeue_stale_paid
from apps.orders.services.refunds import orders_complete_after_window
from apps.outbox.services import outbox_send_pending


@shared_task(name="orders.expire_offers", base=TenantOnlyTask, time_limit=120, soft_time_limit=100)
def expire_offers() -> int:
    """Offers not answered by their deadline are declined and their orders re-planned."""
    return len(offers_expire())


@shared_task(name="orders.outbox_sweep", base=TenantOnlyTask, time_limit=120, soft_time_limit=100)
def outbox_sweep() -> dict:
    """Sends what the outbox still holds, re-asks planning for long-unplanned paid orders, retries refunds."""
    requeued = orders_requeue_stale_paid()
    sent = outbox_send_pending()
    refunds = refunds_retry_pending()
    return {"sent": sent, "requeued": len(requeued), "refunds_tried": refunds}


@shared_task(name="orders.complete_delivered", base=TenantOnlyTask, time_limit=120, soft_time_limit=100)
def complete_delivered() -> int:
    return len(orders_complete_after_window())
