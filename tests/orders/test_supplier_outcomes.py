"""What a job's quality check and finish mean for its workshop's quality score, and when an offer must be answered."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.orders.models import WorkItem
from apps.orders.scope import Scope
from apps.orders.services import work_item_accept, work_item_quality_record, work_item_start
from apps.orders.services.planning import offer_answer_deadline
from apps.suppliers.selectors import asset_owner_quality
from tests.portal.jobs.builders import plan_order

pytestmark = pytest.mark.django_db


def _run(item_id: int, *, passed: bool, planned_end=None):
    for service in (work_item_accept, work_item_start):
        service(work_item_id=item_id, actor=None, scope=Scope.SYSTEM)
    if planned_end is not None:
        WorkItem.objects.filter(pk=item_id).update(
            planned_start=planned_end - timedelta(hours=3), planned_end=planned_end
        )
    work_item_quality_record(work_item_id=item_id, actor=None, passed=passed, scope=Scope.SYSTEM)


def test_a_passed_check_on_time_counts_for_the_score(
    tenant_a, supplier_a, other_supplier_a, carrier_a, other_carrier_a
):
    with schema_context(tenant_a.schema_name):
        plan = plan_order(supplier_a, other_supplier_a, carrier_a, other_carrier_a)
        before = asset_owner_quality(asset_owner=other_supplier_a.company)
        assert before.score is None and before.checks == 0
        _run(plan.theirs.pk, passed=True, planned_end=timezone.now() + timedelta(hours=1))
        score = asset_owner_quality(asset_owner=other_supplier_a.company)
        assert (score.passes, score.checks, score.on_time, score.deliveries) == (1, 1, 1, 1)
        assert score.score == 100.0
        assert asset_owner_quality(asset_owner=supplier_a.company).checks == 0  # the other job's company


def test_a_failed_check_and_a_late_finish_count_against_it(
    tenant_a, supplier_a, other_supplier_a, carrier_a, other_carrier_a
):
    with schema_context(tenant_a.schema_name):
        plan = plan_order(supplier_a, other_supplier_a, carrier_a, other_carrier_a)
        _run(plan.theirs.pk, passed=False)
        failed = asset_owner_quality(asset_owner=other_supplier_a.company)
        assert (failed.passes, failed.fails, failed.deliveries) == (
            0,
            1,
            0,
        )  # not finished: no on-time verdict

        late = plan_order(supplier_a, other_supplier_a, carrier_a, other_carrier_a)
        _run(late.theirs.pk, passed=True, planned_end=timezone.now() - timedelta(hours=2))
        score = asset_owner_quality(asset_owner=other_supplier_a.company)
        assert (score.passes, score.fails, score.on_time, score.late) == (1, 1, 0, 1)
        assert score.score < 50


def test_an_offer_is_never_due_after_its_slot_begins():
    now = timezone.now()
    window = timedelta(hours=24)
    soon = now + timedelta(hours=3)
    assert offer_answer_deadline(now=now, window=window, planned_start=soon) == soon
    later = now + timedelta(days=3)
    assert offer_answer_deadline(now=now, window=window, planned_start=later) == now + window
    assert offer_answer_deadline(now=now, window=window, planned_start=None) == now + window


def test_a_planned_offer_starting_tomorrow_morning_is_due_by_then(
    tenant_a, supplier_a, other_supplier_a, carrier_a, other_carrier_a
):
    with schema_context(tenant_a.schema_name):
        start = timezone.now() + timedelta(hours=5)
        plan = plan_order(supplier_a, other_supplier_a, carrier_a, other_carrier_a, start=start)
        assert WorkItem.objects.get(pk=plan.mine.pk).offer_deadline == start
