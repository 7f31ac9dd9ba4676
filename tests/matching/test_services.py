"""Commit, re-plan, batch and repair in-process (the task layer is covered by test_worker.py)."""

from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from apps.matching.models import MatchingRun, RunMode, RunOutcome, RunStatus
from apps.matching.services import (
    ProgressWriter,
    carrier_replan,
    network_reoptimise,
    network_repair,
    order_commit,
    order_replan,
    supplier_replan,
)
from apps.orders.models import OrderEvent, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import work_item_accept, work_item_decline, work_item_start
from apps.orders.status import LEG_ACTIVE, WORK_ITEM_ACTIVE, OrderStatus, WorkItemStatus
from apps.suppliers.services import participant_transition, resource_update
from apps.suppliers.status import ParticipantStatus
from tests.matching.builders import (
    AMERSFOORT,
    OFFICE_HOURS,
    UTRECHT,
    design_version,
    full_workshop,
    haulier,
    paid_order,
    workshop,
)
from tests.matching.helpers import assert_no_double_booking, assert_plan_valid, assert_within_opening_hours


def _active(order):
    return list(WorkItem.objects.filter(order=order, status__in=WORK_ITEM_ACTIVE).order_by("id"))


def test_commit_plans_every_step_with_transport_and_is_idempotent(fast_matching, customer, carrier):
    """Every step gets one offered job inside opening hours, legs link the sites, the order is planned; running
    the commit again writes nothing (same items, same legs, no new events)."""
    full_workshop("Alpha", hours=OFFICE_HOURS)
    order = paid_order(customer, design_version(customer))
    run = order_commit(order_id=order.pk)
    assert (run.status, run.outcome) == (RunStatus.DONE, RunOutcome.APPLIED)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLANNED and order.eta is not None
    items = _active(order)
    assert sorted(i.step_key for i in items) == ["bend", "cut", "pack"]
    assert all(i.status == WorkItemStatus.OFFERED and i.plan_run_id == run.pk for i in items)
    for item in items:
        assert_within_opening_hours(item)
    by_key = {i.step_key: i for i in items}
    assert by_key["cut"].planned_end <= by_key["bend"].planned_start <= by_key["pack"].planned_start
    legs = list(TransportLeg.objects.filter(order=order, status__in=LEG_ACTIVE))
    assert [leg.is_last_mile for leg in legs] == [True], "one workshop: only the last mile to Amsterdam"
    assert legs[0].planned_departure >= by_key["pack"].planned_end and legs[0].cost_minor > 0
    assert_plan_valid(order.pk, run)
    events = OrderEvent.objects.filter(order=order).count()

    again = order_commit(order_id=order.pk)
    assert again.outcome == RunOutcome.SKIPPED
    assert [i.pk for i in _active(order)] == [i.pk for i in items]
    assert TransportLeg.objects.filter(order=order).count() == len(legs)
    assert OrderEvent.objects.filter(order=order).count() == events


def test_commit_uses_transport_between_workshops(fast_matching, customer, carrier):
    """Cutting only in Utrecht, bending only in Amersfoort: a leg carries the part between them in time."""
    workshop("Cutter", processes={"laser_cutting": {}}, coordinates=UTRECHT)
    workshop(
        "Bender", processes={"sheet_bending": {}, "packaging": {"materials": []}}, coordinates=AMERSFOORT
    )
    order = paid_order(customer, design_version(customer))
    run = order_commit(order_id=order.pk)
    assert run.outcome == RunOutcome.APPLIED
    by_key = {i.step_key: i for i in _active(order)}
    leg = TransportLeg.objects.get(order=order, to_work_item=by_key["bend"])
    assert leg.from_work_item == by_key["cut"] and leg.carrier is not None
    assert (
        by_key["cut"].planned_end
        <= leg.planned_departure
        < leg.planned_arrival
        <= by_key["bend"].planned_start
    )
    assert leg.distance_km > 0
    assert_plan_valid(order.pk, run)


def test_commit_without_capable_resource_names_the_step(fast_matching, customer, carrier):
    """No bending machine: the run ends infeasible with a reason naming the operation; the order stays paid."""
    workshop("Cutter", processes={"laser_cutting": {}, "packaging": {"materials": []}})
    order = paid_order(customer, design_version(customer))
    run = order_commit(order_id=order.pk)
    assert run.outcome == RunOutcome.INFEASIBLE
    assert run.reasons[0]["code"] == "no_capable_resource"
    line = order.lines.get()
    assert run.reasons[0]["operations"] == [f"{line.pk}.bend"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and not WorkItem.objects.filter(order=order).exists()


def test_decline_replans_the_step_and_keeps_started_work(
    fast_matching, customer, carrier, make_user, tenant_a
):
    """Cutting has started; bending is declined: bending moves to another workshop, cutting stays exactly as it
    was, and the declining workshop is not offered the job again."""
    _, first = full_workshop("First")
    _, second = workshop("Second", processes={"sheet_bending": {"setup_cost_minor": 50_000}})
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    items = {i.step_key: i for i in _active(order)}
    assert items["bend"].resource == first["sheet_bending"], "the cheaper bender wins the first plan"
    work_item_accept(work_item_id=items["cut"].pk, actor=None, scope=Scope.SYSTEM)
    work_item_start(work_item_id=items["cut"].pk, actor=None, scope=Scope.SYSTEM)
    cut_before = WorkItem.objects.get(pk=items["cut"].pk)
    work_item_decline(
        work_item_id=items["bend"].pk, actor=None, reason="Press brake broken", scope=Scope.SYSTEM
    )

    run = order_replan(order_id=order.pk, reason="declined")
    assert run.mode == RunMode.REPLAN and run.outcome == RunOutcome.APPLIED
    after = {i.step_key: i for i in _active(order)}
    cut_after = after["cut"]
    assert (
        cut_after.pk,
        cut_after.status,
        cut_after.resource_id,
        cut_after.planned_start,
        cut_after.planned_end,
    ) == (
        cut_before.pk,
        WorkItemStatus.IN_PROGRESS,
        cut_before.resource_id,
        cut_before.planned_start,
        cut_before.planned_end,
    )
    assert after["bend"].resource == second["sheet_bending"]
    assert after["bend"].status == WorkItemStatus.OFFERED
    explanation = {row["step"]: row for row in run.explanation}
    verdicts = {c["resource"]: c for c in explanation["Bending"]["candidates"]}
    assert verdicts[first["sheet_bending"].name]["verdict"] == "incapable"
    assert "declined" in verdicts[first["sheet_bending"].name]["detail"]
    assert_plan_valid(order.pk, run)


def test_suspended_supplier_work_is_replanned(
    fast_matching, customer, carrier, django_capture_on_commit_callbacks
):
    """Suspending an asset owner asks for one re-plan per order with unstarted work there; the re-plan moves
    those jobs to another asset owner."""
    owner, _ = full_workshop("Cheap")
    _, second = full_workshop("Dear")
    for resource in second.values():
        resource_update(resource=resource, setup_cost_minor=20_000)
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    assert {i.asset_owner_id for i in _active(order)} == {owner.pk}
    participant_transition(participant=owner, to=ParticipantStatus.SUSPENDED, reason="test")
    with django_capture_on_commit_callbacks() as callbacks:
        assert supplier_replan(asset_owner_id=owner.pk, reason="suspended") == [order.pk]
    assert len(callbacks) == 1, "one replan task per order, sent after commit"
    run = order_replan(order_id=order.pk, reason="suspended")
    assert run.outcome == RunOutcome.APPLIED
    assert {i.resource_id for i in _active(order)} == {r.pk for r in second.values()}
    assert_plan_valid(order.pk, run)


def _legs(order):
    return list(TransportLeg.objects.filter(order=order, status__in=LEG_ACTIVE).order_by("id"))


def test_suspended_carrier_legs_are_replanned(
    fast_matching, customer, carrier, django_capture_on_commit_callbacks
):
    """Suspending a carrier asks for one re-plan per order with a leg it has not picked up; the re-plan moves
    those legs to another carrier and leaves the jobs where they were."""
    full_workshop("Workshop")
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    assert {leg.carrier_id for leg in _legs(order)} == {carrier.pk}
    jobs_before = {(i.step_key, i.resource_id) for i in _active(order)}
    spare = haulier("Spare haulier")
    participant_transition(participant=carrier, to=ParticipantStatus.SUSPENDED, reason="test")
    with django_capture_on_commit_callbacks() as callbacks:
        assert carrier_replan(carrier_id=carrier.pk, reason="suspended") == [order.pk]
    assert len(callbacks) == 1, "one replan task per order, sent after commit"
    run = order_replan(order_id=order.pk, reason="suspended")
    assert run.outcome == RunOutcome.APPLIED
    assert _legs(order) and {leg.carrier_id for leg in _legs(order)} == {spare.pk}
    assert {(i.step_key, i.resource_id) for i in _active(order)} == jobs_before
    assert_plan_valid(order.pk, run)


def test_carrier_replan_leaves_picked_up_legs_alone(fast_matching, customer, carrier):
    """A leg already picked up is on the carrier's truck: suspending the carrier does not re-plan it."""
    full_workshop("Workshop")
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    TransportLeg.objects.filter(order=order, status__in=LEG_ACTIVE).update(status="picked_up")
    assert carrier_replan(carrier_id=carrier.pk) == []


def test_legs_of_a_carrier_no_longer_eligible_are_repaired(
    fast_matching, customer, carrier, django_capture_on_commit_callbacks
):
    """A carrier whose Stripe payouts went off (no suspension, no task): the periodic repair finds its orders."""
    full_workshop("Workshop")
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    assert network_repair() == []
    type(carrier).objects.filter(pk=carrier.pk).update(payouts_enabled=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert network_repair() == [order.pk]
    assert len(callbacks) == 1


def test_resource_marked_down_is_repaired(
    fast_matching, customer, carrier, django_capture_on_commit_callbacks
):
    """A machine marked down: the periodic repair finds the order and its re-plan moves the job off it."""
    _, first = full_workshop("First")
    _, spare = workshop("Spare", processes={"laser_cutting": {"setup_cost_minor": 30_000}})
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    resource_update(resource=first["laser_cutting"], status="down")
    with django_capture_on_commit_callbacks() as callbacks:
        assert network_repair() == [order.pk]
    assert len(callbacks) == 1
    assert order_replan(order_id=order.pk, reason="down").outcome == RunOutcome.APPLIED
    cut = next(i for i in _active(order) if i.step_key == "cut")
    assert cut.resource == spare["laser_cutting"]


def test_batch_applies_only_a_real_improvement(fast_matching, customer, carrier):
    """Work committed to a dear workshop moves when a cheaper one joins — unless the margin asks for more."""
    # Closed for the rest of today (the network's day): the plan starts tomorrow, so a minute passing between the
    # commit and the re-optimisation cannot leave an offer starting in the past (a plan to repair, not improve).
    today = timezone.localdate(timezone=ZoneInfo(connection.tenant.time_zone)).weekday()
    from_tomorrow = [(day, time(0), time(0)) for day in range(7) if day != today]
    _, dear = full_workshop("Dear", hours=from_tomorrow)
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    for resource in dear.values():
        resource_update(resource=resource, setup_cost_minor=40_000)
    _, cheap = full_workshop("Cheap", hours=from_tomorrow)
    fast_matching.batch_freeze_hours = 0
    fast_matching.batch_min_improvement_percent = Decimal("100")
    fast_matching.save()
    run = network_reoptimise()
    assert run.outcome == RunOutcome.NOT_BETTER
    assert {i.resource_id for i in _active(order)} == {r.pk for r in dear.values()}

    fast_matching.batch_min_improvement_percent = Decimal("2")
    fast_matching.save()
    run = network_reoptimise()
    assert run.outcome == RunOutcome.APPLIED and run.statistics["improvement"] > 0.02
    assert {i.resource_id for i in _active(order)} == {r.pk for r in cheap.values()}
    assert_plan_valid(order.pk, run)


def test_committed_work_is_planned_around(fast_matching, customer, carrier):
    """Two orders on one workshop with single-unit machines never overlap on a machine."""
    _, resources = full_workshop("Only", hours=OFFICE_HOURS)
    first = paid_order(customer, design_version(customer, hours=3))
    second = paid_order(customer, design_version(customer, hours=3))
    order_commit(order_id=first.pk)
    run = order_commit(order_id=second.pk)
    explanation = {row["step"]: row for row in run.explanation}
    assert explanation["Cutting"]["chosen"] == resources["laser_cutting"].name
    for resource in resources.values():
        assert_no_double_booking(resource)
    assert_plan_valid(second.pk, run)


def test_progress_is_written_at_most_twice_a_second(in_tenant_a):
    """The solver's callback updates the run's progress fields, throttled."""
    run = MatchingRun.objects.create(mode=RunMode.COMMIT, status=RunStatus.RUNNING, started_at=timezone.now())
    writer = ProgressWriter(run.pk)
    writer(0.1, 1234.0, 1000.0)
    writer(0.2, 1200.0, 1100.0)  # within half a second: not written
    run.refresh_from_db()
    assert (run.progress_objective, run.progress_bound, run.progress_elapsed_s) == (1234.0, 1000.0, 0.1)
    assert writer.calls == 2
