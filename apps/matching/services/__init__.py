"""Matching's writes: runs (commit, re-plan, batch), their live progress, and applying a plan to the orders.

How a plan reaches the database, whatever the mode:
1. Build the problem from the database (problem/) and solve it outside any transaction, so the run's progress
   (written from the solver's callback at most every PROGRESS_EVERY_S) is visible to staff while it runs.
2. Check the plan with the independent validator (engine/validator.py); a plan that fails it is never applied.
3. Take the network's matching lock (a PostgreSQL advisory lock per tenant schema, held to the end of the
   transaction), rebuild the problem from what is committed *now* and validate the same plan against it: if
   another run booked the same resources meanwhile, the plan no longer validates and the run solves again.
4. Apply it through orders' `order_plan_apply` (work items, offers, legs, ETA, events), skipping orders whose
   plan is unchanged, so a task that runs twice writes nothing the second time.

Tasks (tasks.py) are thin: they load ids and call `order_commit`, `order_replan`, `supplier_replan`, `carrier_replan` or
`network_reoptimise`.
"""

from apps.matching.services.applying import (
    PlanInvalid,
    current_plan_checked,
    network_lock,
    order_plan_violations,
    plan_apply,
    plan_unchanged,
    planned_for_order,
    revalidate,
    solve_checked,
)
from apps.matching.services.inputs import end_of_day
from apps.matching.services.modes import (
    carrier_replan,
    network_reoptimise,
    network_repair,
    order_commit,
    order_replan,
    orders_stranded,
    replan_enqueue,
    run_request_replan,
    supplier_replan,
)
from apps.matching.services.runs import (
    PROGRESS_EVERY_S,
    ProgressWriter,
    explanation_json,
    inputs_hash,
    plan_statistics,
    run_create,
    runs_prune,
)

__all__ = [
    "PROGRESS_EVERY_S",
    "PlanInvalid",
    "ProgressWriter",
    "carrier_replan",
    "current_plan_checked",
    "end_of_day",
    "explanation_json",
    "inputs_hash",
    "network_lock",
    "network_reoptimise",
    "network_repair",
    "order_commit",
    "order_plan_violations",
    "order_replan",
    "orders_stranded",
    "plan_apply",
    "plan_statistics",
    "plan_unchanged",
    "planned_for_order",
    "replan_enqueue",
    "revalidate",
    "run_create",
    "run_request_replan",
    "runs_prune",
    "solve_checked",
    "supplier_replan",
]
