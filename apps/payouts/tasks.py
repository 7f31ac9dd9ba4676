"""Every Celery task of the payouts app (autodiscovered here). Thin: load by id, call one service. Every service is idempotent, so a task
delivered twice (at-least-once delivery, a retry, the sweeper) changes nothing the second time.

Task names are explicit and must not change: beat (config/settings) schedules `payouts.money_sweep`,
`payouts.webhook_redrive`, `payouts.participant_payouts` and `payouts.reconcile`, and brokers hold queued tasks by name. Names other apps may send (current_app.send_task(name, kwargs=…)):
    payouts.transfer_release_for_work_item  {"work_item_id": int}   a work item passed quality
    payouts.transfer_release_for_leg        {"leg_id": int}         a transport leg was delivered
    payouts.order_charge_record             {"order_id": int}       an order was paid
    payouts.refund_record                   {"order_refund_id": int} an OrderRefund got its Stripe id
    payouts.order_money_on_cancel           {"order_id": int}       an order was cancelled
    payouts.order_settle                    {"order_id": int}
    payouts.statement_refresh               {"order_id": int}       the plan changed
"""

from __future__ import annotations

import logging

from celery import shared_task

from apps.core.tasks import TenantOnlyTask
from apps.payouts.webhooks.inbox import (
    webhook_event_mark_failed,
    webhook_event_process,
    webhook_events_redrive,
)

logger = logging.getLogger(__name__)

LIMITS = {"base": TenantOnlyTask, "time_limit": 180, "soft_time_limit": 150}
# Longer waits are left to the sweeper: a Redis broker redelivers far-future ETA tasks after its visibility timeout.
MAX_COUNTDOWN_S = 300


def _stripe_error_retry(task, error):
    """The retry to raise when Stripe could not be reached or was busy (exponential, at most ten minutes apart);
    a permanent refusal is raised as it is: retrying cannot help (stripe_client.StripeCallError says which)."""
    if not error.retryable:
        return error
    return task.retry(exc=error, countdown=min(2**task.request.retries * 5, 600))


def _send_outcome(task, result) -> str:
    """A transfer's or reversal's send result; retries the task when the next attempt is near enough for the
    broker to wait (later ones, and those after the task's own retries, are the sweeper's)."""
    if (
        result.retry_in is not None
        and result.retry_in <= MAX_COUNTDOWN_S
        and task.request.retries < task.max_retries
    ):
        raise task.retry(countdown=result.retry_in)
    return result.status


@shared_task(name="payouts.charge_record", bind=True, max_retries=8, **LIMITS)
def charge_record_task(self, charge_id: str) -> str:
    from apps.payouts import stripe_client
    from apps.payouts.payments.charges import charge_record

    try:
        entry = charge_record(charge_id=charge_id)
    except stripe_client.StripeCallError as error:
        raise _stripe_error_retry(self, error) from error
    return f"entry {entry.pk}" if entry else "not ours"


@shared_task(name="payouts.order_charge_record", bind=True, max_retries=8, **LIMITS)
def order_charge_record_task(self, order_id: int) -> str:
    from apps.payouts import stripe_client
    from apps.payouts.payments.charges import order_charge_record

    try:
        entry = order_charge_record(order_id=order_id)
    except stripe_client.StripeCallError as error:
        raise _stripe_error_retry(self, error) from error
    return f"entry {entry.pk}" if entry else "nothing to record"


@shared_task(name="payouts.transfer_release_for_work_item", **LIMITS)
def transfer_release_for_work_item_task(work_item_id: int) -> str:
    from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item

    transfer = transfer_release_for_work_item(work_item_id=work_item_id)
    return str(transfer.pk) if transfer else "not released"


@shared_task(name="payouts.transfer_release_for_leg", **LIMITS)
def transfer_release_for_leg_task(leg_id: int) -> str:
    from apps.payouts.transfers.participant_transfers import transfer_release_for_leg

    transfer = transfer_release_for_leg(leg_id=leg_id)
    return str(transfer.pk) if transfer else "not released"


@shared_task(name="payouts.transfer_send", bind=True, max_retries=12, **LIMITS)
def transfer_send_task(self, transfer_id: str) -> str:
    from apps.payouts.transfers.participant_transfers import transfer_send

    return _send_outcome(self, transfer_send(transfer_id=transfer_id))


@shared_task(name="payouts.reversal_send", bind=True, max_retries=12, **LIMITS)
def reversal_send_task(self, reversal_id: str) -> str:
    from apps.payouts.transfers.reversals import reversal_send

    return _send_outcome(self, reversal_send(reversal_id=reversal_id))


@shared_task(name="payouts.refund_record", bind=True, max_retries=8, **LIMITS)
def refund_record_task(self, order_refund_id: int) -> str:
    from apps.payouts.transfers.sweep import order_refund_record

    refund = order_refund_record(order_refund_id=order_refund_id)
    return refund.stripe_refund_id if refund else "not sent yet"


@shared_task(name="payouts.order_money_on_cancel", **LIMITS)
def order_money_on_cancel_task(order_id: int) -> str:
    from apps.payouts.transfers.participant_transfers import transfers_cancel_for_order
    from apps.payouts.transfers.settlement import order_settle

    cancelled = transfers_cancel_for_order(order_id=order_id, reason="Order cancelled")
    order_settle(order_id=order_id)
    return f"{cancelled} transfers cancelled"


@shared_task(name="payouts.order_settle", **LIMITS)
def order_settle_task(order_id: int) -> bool:
    from apps.payouts.transfers.settlement import order_settle

    return order_settle(order_id=order_id)


@shared_task(name="payouts.statement_refresh", **LIMITS)
def statement_refresh_task(order_id: int) -> int:
    from apps.payouts.profit_share.statements import statement_refresh_for_order

    return statement_refresh_for_order(order_id=order_id).revision


@shared_task(name="payouts.money_sweep", base=TenantOnlyTask, time_limit=600, soft_time_limit=540)
def money_sweep_task() -> dict:
    from apps.payouts.transfers.sweep import money_sweep

    return money_sweep()


@shared_task(name="payouts.participant_payouts", base=TenantOnlyTask, time_limit=900, soft_time_limit=840)
def participant_payouts_task() -> dict:
    from apps.payouts.connect.bank_payouts import participant_payouts_run

    return participant_payouts_run()


@shared_task(name="payouts.reconcile", base=TenantOnlyTask, time_limit=1800, soft_time_limit=1700)
def reconcile_task(run_id: int | None = None) -> str:
    from apps.payouts.reconciliation.runs import reconciliation_run

    run = reconciliation_run(run_id=run_id, trigger="manual" if run_id else "beat")
    return f"run {run.pk}: {run.status}"


@shared_task(
    name="payouts.webhook_event_process",
    base=TenantOnlyTask,
    time_limit=120,
    soft_time_limit=100,
)
def webhook_event_process_task(event_id: int) -> str:
    """Processes one stored event; a failure is recorded with its next attempt, which the re-drive makes."""
    try:
        return webhook_event_process(event_id=event_id)
    except Exception as error:
        logger.exception("Stripe event %s failed; the re-drive retries it", event_id)
        webhook_event_mark_failed(event_id=event_id, error=repr(error))
        return "failed"


@shared_task(name="payouts.webhook_redrive", base=TenantOnlyTask, time_limit=600, soft_time_limit=540)
def webhook_redrive_task() -> dict:
    return webhook_events_redrive()
