"""Matching's Celery tasks. Thin: ids in, one service call. Every task is safe to run twice.

Names are fixed: orders and suppliers send them by name (`matching.commit_order`, `matching.replan_order`,
`matching.replan_for_supplier`, `matching.replan_for_carrier`) because they sit below matching and cannot import it.
"""

from celery import shared_task

from apps.core.tasks import TenantOnlyTask
from apps.matching import services


def _summary(run) -> dict | None:
    if run is None:
        return None
    return {"run": run.pk, "status": run.status, "outcome": run.outcome}


# A run solves up to APPLY_ATTEMPTS times (the network may change under it) within its settings' time limit.
@shared_task(name="matching.commit_order", base=TenantOnlyTask, time_limit=600, soft_time_limit=540)
def commit_order(order_id: int, run_id: int | None = None) -> dict | None:
    """After payment: plan the order and offer its jobs (nothing happens for an order already planned)."""
    return _summary(services.order_commit(order_id=order_id, run_id=run_id))


@shared_task(name="matching.replan_order", base=TenantOnlyTask, time_limit=900, soft_time_limit=840)
def replan_order(
    order_id: int, reason: str = "", run_id: int | None = None, wide: bool = False
) -> dict | None:
    """After a decline, an expired offer or a staff request: re-match the affected steps; started work stays."""
    return _summary(services.order_replan(order_id=order_id, reason=reason, run_id=run_id, wide=wide))


@shared_task(name="matching.replan_for_supplier", base=TenantOnlyTask, time_limit=120, soft_time_limit=100)
def replan_for_supplier(asset_owner_id: int, reason: str = "") -> list[int]:
    """After a suspension: one re-plan task per order with unstarted work at the asset owner."""
    return services.supplier_replan(asset_owner_id=asset_owner_id, reason=reason)


@shared_task(name="matching.replan_for_carrier", base=TenantOnlyTask, time_limit=120, soft_time_limit=100)
def replan_for_carrier(carrier_id: int, reason: str = "") -> list[int]:
    """After a suspension: one re-plan task per order with a leg the carrier has not picked up yet."""
    return services.carrier_replan(carrier_id=carrier_id, reason=reason)


@shared_task(name="matching.batch_reoptimise", base=TenantOnlyTask, time_limit=600, soft_time_limit=540)
def batch_reoptimise() -> dict:
    """Beat (through tenants.dispatch_to_tenants): re-plan orders stranded on unavailable resources (a task
    each), re-optimise unstarted work and apply it if it is better by the configured margin, prune old runs."""
    repaired = services.network_repair()
    run = services.network_reoptimise()
    pruned = services.runs_prune()
    return {"repairing": repaired, "batch": _summary(run), "pruned": pruned}
