"""Problem building: eligibility, size and material limits, calendars and committed work as fixed blocks."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.matching.engine.domain import Weights
from apps.matching.problem import NETWORK_ORDER, OrderInput, origin_now, problem_build, steps_from_compiled
from apps.matching.services import end_of_day
from apps.suppliers.status import ParticipantStatus
from tests.matching.builders import CUSTOMER_POINT, OFFICE_HOURS, design_version, full_workshop, workshop

AMS = ZoneInfo("Europe/Amsterdam")


def _build(version, *, origin=None, exclude=()):
    origin = origin or origin_now(datetime.now(tz=AMS))
    steps = steps_from_compiled(version.operations, prefix="q.")
    order = OrderInput(
        key="quote",
        steps=steps,
        due=origin,
        lateness_weight=1,
        delivery=tuple(float(c) for c in CUSTOMER_POINT),
    )
    return problem_build(
        orders=[order],
        origin=origin,
        horizon_days=14,
        currency="EUR",
        time_zone="Europe/Amsterdam",
        weights=Weights(),
        exclude_order_pks=exclude,
    )


def _op(built, key):
    return next(op for op in built.problem.operations if op.id == f"q.{key}")


def test_only_eligible_capable_resources_are_candidates(in_tenant_a, customer, carrier):
    """Suspended or not-onboarded owners, other materials and too-small beds become rejections with a reason."""
    _, good = full_workshop("Good")
    _, small = workshop("Small", processes={"laser_cutting": {"max_length_mm": 500, "max_width_mm": 400}})
    _, wrong = workshop("Wood", processes={"laser_cutting": {"materials": ["oak"]}})
    _, unpaid = workshop("Unpaid", processes={"laser_cutting": {}}, onboarded=False)
    _, suspended = workshop("Suspended", processes={"laser_cutting": {}}, status=ParticipantStatus.SUSPENDED)
    built = _build(design_version(customer, length=800))
    cut = _op(built, "cut")
    assert {c.resource_id for c in cut.candidates} == {str(good["laser_cutting"].pk)}
    reasons = {r.resource_id: r.reason for r in cut.rejections}
    assert reasons[str(small["laser_cutting"].pk)].startswith("incapable: too small for 800 × 200 × 3 mm")
    assert reasons[str(wrong["laser_cutting"].pk)].startswith("incapable: does not work steel")
    assert "cannot receive payouts" in reasons[str(unpaid["laser_cutting"].pk)]
    assert "suspended" in reasons[str(suspended["laser_cutting"].pk)]


def test_duration_and_cost_follow_speed_factor_and_cost_model(in_tenant_a, customer, carrier):
    """120 reference minutes at speed 1.5 take 80 minutes; cost = max(minimum, setup + rate × minutes)."""
    _, fast = workshop(
        "Fast",
        processes={
            "laser_cutting": {
                "speed_factor": Decimal("1.50"),
                "setup_cost_minor": 500,
                "cost_per_minute_minor": 10,
            }
        },
    )
    _, cheap = workshop(
        "Minimum",
        processes={"laser_cutting": {"speed_factor": Decimal("0.70"), "minimum_charge_minor": 99_999}},
    )
    built = _build(design_version(customer, hours=2))
    offers = {c.resource_id: c for c in _op(built, "cut").candidates}
    assert offers[str(fast["laser_cutting"].pk)].duration == 80
    assert offers[str(fast["laser_cutting"].pk)].cost_minor == 500 + 10 * 80
    assert offers[str(cheap["laser_cutting"].pk)].duration == 172  # 120 / 0.7 = 171.4, rounded up
    assert offers[str(cheap["laser_cutting"].pk)].cost_minor == 99_999


def test_calendar_closed_hours_and_down_resources(in_tenant_a, customer, carrier):
    """Office hours close nights and weekends (DST-correct local times); a resource that is down is all closed."""
    _, office = workshop("Office", processes={"laser_cutting": {"hours": OFFICE_HOURS}})
    _, down = workshop("Down", processes={"laser_cutting": {"status": "down"}})
    monday = datetime(2030, 3, 25, 6, 0, tzinfo=AMS)  # the day after the spring DST change
    built = _build(design_version(customer), origin=monday)
    resources = {r.id: r for r in built.problem.resources}
    closed = resources[str(office["laser_cutting"].pk)].closed
    assert closed[0] == (0, 120)  # 06:00 → 08:00 local
    assert closed[1] == (660, 660 + 15 * 60)  # 17:00 → 08:00 the next day
    assert resources[str(down["laser_cutting"].pk)].closed == ((0, 14 * 24 * 60),)


def test_committed_work_of_other_orders_is_a_fixed_block(in_tenant_a, customer, carrier):
    """Another order's unfinished job becomes a fixed booking (clipped to the calendar) on its resource."""
    from apps.matching.services import order_commit

    _, resources = full_workshop("Busy", hours=OFFICE_HOURS)
    from tests.matching.builders import paid_order

    other = paid_order(customer, design_version(customer))
    assert order_commit(order_id=other.pk).outcome == "applied"
    item = other.work_items.get(step_key="cut")
    built = _build(design_version(customer))
    blocks = [
        op
        for op in built.problem.operations
        if op.order_id == NETWORK_ORDER and op.fixed.resource_id == str(resources["laser_cutting"].pk)
    ]
    assert blocks, "the committed job must block its resource"
    start = built.minutes(item.planned_start)
    end = built.minutes(item.planned_end)
    assert (blocks[0].fixed.start, blocks[0].fixed.end) == (max(0, start), end)
    excluded = _build(design_version(customer), exclude=[other.pk])
    assert not any(op.order_id == NETWORK_ORDER for op in excluded.problem.operations)


def test_end_of_promised_day_is_local(in_tenant_a):
    due = end_of_day(datetime(2030, 7, 1).date(), "Europe/Amsterdam")
    assert due.utcoffset() == timedelta(hours=2) and due.time() == time(23, 59)


@pytest.mark.parametrize("length", [2600])
def test_carriers_cover_both_ends_only(in_tenant_a, customer, length):
    """A carrier whose coverage misses the customer offers no last leg."""
    from tests.matching.builders import haulier

    full_workshop("Solo")
    near = haulier("Local", radius_km=10, coordinates=(Decimal("51.44"), Decimal("5.47")))
    wide = haulier("Wide", radius_km=400)
    built = _build(design_version(customer, length=length))
    carriers = {o.carrier_id for o in built.problem.carrier_options}
    assert str(wide.pk) in carriers and str(near.pk) not in carriers
