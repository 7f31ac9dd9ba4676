"""A decline leaves the declining company out of that step in the re-plan, unless staff override it."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.accounts.roles import Role
from apps.matching.models import RunOutcome
from apps.matching.services import order_commit, order_replan
from apps.orders.models import WorkItem
from apps.orders.scope import Scope
from apps.orders.services import order_declines_override, work_item_decline
from apps.orders.status import WORK_ITEM_ACTIVE
from apps.suppliers.services import opening_hours_replace
from tests.matching.builders import ROUND_THE_CLOCK, design_version, full_workshop, paid_order, workshop
from tests.matching.helpers import assert_plan_valid
from tests.suppliers.factories import make_resource


def _bending(order) -> WorkItem:
    return WorkItem.objects.get(order=order, step_key="bend", status__in=WORK_ITEM_ACTIVE)


def _network_with_a_second_press_at_the_first_company():
    """First: a full workshop plus a second, cheap press brake; Second: a dear bending shop elsewhere."""
    first_owner, first = full_workshop("First")
    second_press = make_resource(
        first_owner,
        name="First press brake 2",
        process="sheet_bending",
        max_length_mm=3000,
        max_width_mm=1500,
        max_height_mm=500,
        materials=["steel", "aluminium"],
        setup_cost_minor=1500,
        cost_per_minute_minor=100,
        minimum_charge_minor=0,
    )
    opening_hours_replace(resource=second_press, intervals=ROUND_THE_CLOCK)
    _, second = workshop("Second", processes={"sheet_bending": {"setup_cost_minor": 50_000}})
    return first_owner, first, second_press, second


def _declined_order(customer):
    first_owner, first, second_press, second = _network_with_a_second_press_at_the_first_company()
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    bend = _bending(order)
    assert bend.resource == first["sheet_bending"], "the cheapest press wins the first plan"
    work_item_decline(work_item_id=bend.pk, actor=None, reason="No operator this week", scope=Scope.SYSTEM)
    return order, first_owner, second_press, second


def test_decline_excludes_the_whole_company_from_that_step(fast_matching, customer, carrier):
    """First declines bending: the re-plan sends bending to Second although First's other press is far cheaper,
    and the explanation says First declined."""
    order, first_owner, second_press, second = _declined_order(customer)

    run = order_replan(order_id=order.pk, reason="declined")

    assert run.outcome == RunOutcome.APPLIED
    bend = _bending(order)
    assert bend.resource == second["sheet_bending"]
    assert bend.asset_owner_id != first_owner.pk
    verdicts = {c["resource"]: c for c in {r["step"]: r for r in run.explanation}["Bending"]["candidates"]}
    assert verdicts[second_press.name]["verdict"] == "incapable"
    assert "declined" in verdicts[second_press.name]["detail"]
    assert_plan_valid(order.pk, run)


def test_staff_override_lets_the_declining_company_take_the_step_on_another_machine(
    fast_matching, customer, carrier, make_user, tenant_a
):
    """With the staff override the re-plan may use First's other press (the cheapest left); the press that
    was declined stays out."""
    order, first_owner, second_press, _ = _declined_order(customer)
    staff = make_user(tenant_a, Role.STAFF)

    assert order_declines_override(order_id=order.pk, actor=staff, scope=Scope.STAFF) == 1
    run = order_replan(order_id=order.pk, reason="override")

    assert run.outcome == RunOutcome.APPLIED
    bend = _bending(order)
    assert (bend.resource, bend.asset_owner_id) == (second_press, first_owner.pk)
    assert_plan_valid(order.pk, run)


def test_only_staff_may_override_a_decline(fast_matching, customer, carrier):
    """The override is fail-closed: the system scope or a customer cannot lift a company's decline."""
    order, *_ = _declined_order(customer)
    for scope in (Scope.SYSTEM, customer):
        with pytest.raises(PermissionDenied):
            order_declines_override(order_id=order.pk, actor=None, scope=scope)
    assert not WorkItem.objects.filter(order=order, decline_overridden=True).exists()
