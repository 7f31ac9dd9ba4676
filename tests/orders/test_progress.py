"""Plan, jobs and transport: the order advances by itself from its items and legs, re-plans are asked for when a
job is declined or an offer expires, and the customer hears about payment, plan, shipment, delivery and delays."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.demo.orders import simple_plan
from apps.orders.models import Order, OrderEvent, QualityCheck, TransportLeg, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    offers_expire,
    order_eta_set,
    order_plan_apply,
    order_progress_sync,
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_complete,
    work_item_decline,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import InvalidTransition, LegStatus, OrderStatus, WorkItemStatus
from apps.outbox.models import OutboxMessage
from tests.mail import deliver_emails
from tests.orders.conftest import deliver_inbound, tomorrow_morning

pytestmark = pytest.mark.django_db


def _png(size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return SimpleUploadedFile("check.png", buffer.getvalue(), content_type="image/png")


def _make_everything(order: Order, actor) -> None:
    """Every offered job in plan order (predecessors first), its parts delivered to it before it starts."""
    for item in order.work_items.filter(status=WorkItemStatus.OFFERED).order_by("planned_start", "id"):
        work_item_accept(work_item_id=item.pk, actor=actor, scope=Scope.SYSTEM)
        deliver_inbound(item, actor)
        work_item_start(work_item_id=item.pk, actor=actor, scope=Scope.SYSTEM)
        work_item_complete(work_item_id=item.pk, actor=actor, scope=Scope.SYSTEM)
        work_item_quality_record(
            work_item_id=item.pk,
            actor=actor,
            passed=True,
            measurements={"width_mm": 1800},
            scope=Scope.SYSTEM,
        )


def test_applying_a_plan_offers_every_job_and_sets_the_eta(planned):
    assert planned.status == OrderStatus.PLANNED
    items = list(planned.work_items.all())
    assert items and all(item.status == WorkItemStatus.OFFERED for item in items)
    assert all(item.offer_deadline > timezone.now() for item in items)
    operations = planned.lines.get().design_version.operations
    assert {item.step_key for item in items} == {op["step_key"] for op in operations}
    last_mile = planned.transport_legs.get(is_last_mile=True)
    assert planned.eta == last_mile.planned_arrival
    assert last_mile.to_asset_owner is None and last_mile.status == LegStatus.PLANNED


def test_the_same_plan_applied_twice_changes_nothing(planned):
    items, legs = simple_plan(planned, start=tomorrow_morning())
    before = set(planned.work_items.values_list("pk", "status"))
    order_plan_apply(order_id=planned.pk, items=items, legs=legs)
    assert (
        set(
            Order.objects.get(pk=planned.pk)
            .work_items.exclude(status="cancelled")
            .values_list("pk", "status")
        )
        == before
    )


def test_order_follows_its_jobs_and_legs_to_delivered(planned, customer):
    supplier = customer  # the scope check is the caller's; the actor is recorded
    first = planned.work_items.order_by("planned_start").first()
    work_item_accept(work_item_id=first.pk, actor=supplier, scope=Scope.SYSTEM)
    assert Order.objects.get(pk=planned.pk).status == OrderStatus.PLANNED
    work_item_start(work_item_id=first.pk, actor=supplier, scope=Scope.SYSTEM)
    assert Order.objects.get(pk=planned.pk).status == OrderStatus.IN_PRODUCTION
    work_item_quality_record(work_item_id=first.pk, actor=supplier, passed=True, scope=Scope.SYSTEM)
    _make_everything(Order.objects.get(pk=planned.pk), supplier)
    order = Order.objects.get(pk=planned.pk)
    assert order.status == OrderStatus.IN_PRODUCTION  # made, but not picked up yet
    # The parts between workshops travelled as the jobs needed them.
    between = order.transport_legs.exclude(is_last_mile=True)
    assert between and all(leg.status == LegStatus.DELIVERED for leg in between)
    last_mile = order.transport_legs.get(is_last_mile=True)
    transport_leg_pick_up(leg_id=last_mile.pk, actor=supplier, scope=Scope.SYSTEM)
    assert Order.objects.get(pk=planned.pk).status == OrderStatus.SHIPPED
    with pytest.raises(ValidationError):
        transport_leg_deliver(leg_id=last_mile.pk, actor=supplier, receiver_name="  ", scope=Scope.SYSTEM)
    transport_leg_deliver(
        leg_id=last_mile.pk, actor=supplier, receiver_name="Ada Lovelace", photo=_png(), scope=Scope.SYSTEM
    )
    order = Order.objects.get(pk=planned.pk)
    assert order.status == OrderStatus.DELIVERED and order.delivered_at is not None
    leg = TransportLeg.objects.get(pk=last_mile.pk)
    assert leg.receiver_name == "Ada Lovelace" and leg.proof_photo.name.startswith("proof-of-delivery/")
    statuses = list(order.events.filter(kind="status").values_list("to_status", flat=True))
    assert statuses == ["awaiting_payment", "paid", "planned", "in_production", "shipped", "delivered"]


def test_customer_is_emailed_at_payment_plan_shipment_delivery(
    awaiting, customer, django_capture_on_commit_callbacks
):
    from tests.orders.conftest import pay

    with django_capture_on_commit_callbacks(execute=True):
        pay(awaiting)
    from apps.demo.orders import plan_apply_simple

    with django_capture_on_commit_callbacks(execute=True):
        plan_apply_simple(Order.objects.get(pk=awaiting.pk), start=tomorrow_morning())
    with django_capture_on_commit_callbacks(execute=True):
        _make_everything(Order.objects.get(pk=awaiting.pk), customer)
        last_mile = TransportLeg.objects.get(order=awaiting, is_last_mile=True)
        transport_leg_pick_up(leg_id=last_mile.pk, actor=customer, scope=Scope.SYSTEM)
        transport_leg_deliver(leg_id=last_mile.pk, actor=customer, receiver_name="Ada", scope=Scope.SYSTEM)
    subjects = [message.subject for message in deliver_emails() if message.to == [customer.email]]
    assert any("payment received" in s for s in subjects)
    assert any("is planned" in s for s in subjects)
    assert any("on its way" in s for s in subjects)
    assert any("was delivered" in s for s in subjects)
    assert all(f"/orders/{awaiting.pk}/" in m.body for m in deliver_emails() if m.to == [customer.email])


def test_eta_moving_past_the_promise_emails_the_customer_once_per_slip(
    planned, django_capture_on_commit_callbacks
):
    # Start on time: between midnight and morning in Amsterdam the quote promised a day the fixture's plan (which
    # starts "tomorrow morning") already misses, so the order would be late — and notified — before the test.
    Order.objects.filter(pk=planned.pk).update(eta=None, eta_late_notified=None)
    promised = planned.promised_delivery_date
    late = timezone.make_aware(
        timezone.datetime.combine(promised + timedelta(days=2), timezone.datetime.min.time())
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert order_eta_set(order_id=planned.pk, eta=late, reason="Machine down")
        order_eta_set(order_id=planned.pk, eta=late)  # unchanged: no mail
        order_eta_set(order_id=planned.pk, eta=late - timedelta(hours=1))  # earlier but still late: no mail
    late_mails = [m for m in deliver_emails() if "later than promised" in m.subject]
    assert len(late_mails) == 1
    assert Order.objects.get(pk=planned.pk).is_late
    with django_capture_on_commit_callbacks(execute=True):
        order_eta_set(order_id=planned.pk, eta=late + timedelta(days=1))
    assert len([m for m in deliver_emails() if "later than promised" in m.subject]) == 2


def test_decline_needs_a_reason_and_asks_for_a_replan(planned, customer):
    item = planned.work_items.first()
    with pytest.raises(ValidationError):
        work_item_decline(work_item_id=item.pk, actor=customer, reason=" ", scope=Scope.SYSTEM)
    work_item_decline(
        work_item_id=item.pk, actor=customer, reason="Machine in maintenance", scope=Scope.SYSTEM
    )
    item.refresh_from_db()
    assert item.status == WorkItemStatus.DECLINED and item.decline_reason == "Machine in maintenance"
    message = OutboxMessage.objects.get(task_name="matching.replan_order")
    assert message.kwargs["order_id"] == planned.pk


def test_offers_not_answered_in_time_are_declined_and_replanned(planned, customer):
    items = list(planned.work_items.order_by("pk"))
    work_item_accept(work_item_id=items[0].pk, actor=customer, scope=Scope.SYSTEM)
    WorkItem.objects.filter(pk__in=[i.pk for i in items]).update(
        offer_deadline=timezone.now() - timedelta(minutes=1)
    )
    expired = offers_expire()
    assert sorted(expired) == [i.pk for i in items[1:]]
    assert WorkItem.objects.get(pk=items[0].pk).status == WorkItemStatus.ACCEPTED
    assert all(WorkItem.objects.get(pk=i.pk).status == WorkItemStatus.DECLINED for i in items[1:])
    assert (
        OutboxMessage.objects.filter(task_name="matching.replan_order", kwargs__order_id=planned.pk).count()
        == 1
    )
    assert offers_expire() == []


def test_a_replan_keeps_started_work_and_replaces_the_rest(planned, customer):
    first = planned.work_items.order_by("planned_start").first()
    work_item_accept(work_item_id=first.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_start(work_item_id=first.pk, actor=customer, scope=Scope.SYSTEM)
    items, legs = simple_plan(planned, start=tomorrow_morning() + timedelta(days=2))
    result = order_plan_apply(order_id=planned.pk, items=items, legs=legs, reason="Re-planned")
    assert first.pk in result.kept_items
    assert WorkItem.objects.get(pk=first.pk).status == WorkItemStatus.IN_PROGRESS
    old = WorkItem.objects.filter(order=planned, status=WorkItemStatus.CANCELLED).count()
    assert old == len(items) - 1
    assert Order.objects.get(pk=planned.pk).status == OrderStatus.IN_PRODUCTION


def test_quality_failure_allows_rework_then_pass(planned, customer):
    item = planned.work_items.first()
    work_item_accept(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_start(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_quality_record(
        work_item_id=item.pk,
        actor=customer,
        passed=False,
        notes="Edge chipped",
        photo=_png(),
        scope=Scope.SYSTEM,
    )
    item.refresh_from_db()
    assert item.status == WorkItemStatus.FAILED
    check = QualityCheck.objects.get(work_item=item)
    assert not check.passed and check.photo.name.startswith(f"quality/{item.pk}/")
    work_item_start(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_quality_record(
        work_item_id=item.pk,
        actor=customer,
        passed=True,
        measurements={"flatness_mm": 0.2},
        scope=Scope.SYSTEM,
    )
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.DONE
    assert OrderEvent.objects.filter(work_item=item, reason__contains=": Rework started").exists()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024 + 1)), "too_large"),
        (SimpleUploadedFile("fake.png", b"MZ this is not an image at all"), "bad_content"),
    ],
)
def test_quality_photo_must_be_an_image_of_at_most_5_mb(planned, customer, upload, code):
    item = planned.work_items.first()
    work_item_accept(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    work_item_start(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)
    with pytest.raises(ValidationError) as error:
        work_item_quality_record(
            work_item_id=item.pk, actor=customer, passed=True, photo=upload, scope=Scope.SYSTEM
        )
    assert error.value.code == code
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.IN_PROGRESS
    assert not QualityCheck.objects.filter(work_item=item).exists()


def test_actions_refuse_out_of_order_steps(planned, customer):
    item = planned.work_items.first()
    with pytest.raises(InvalidTransition):
        work_item_start(work_item_id=item.pk, actor=customer, scope=Scope.SYSTEM)  # not accepted yet
    with pytest.raises(InvalidTransition):
        work_item_quality_record(work_item_id=item.pk, actor=customer, passed=True, scope=Scope.SYSTEM)
    leg = planned.transport_legs.first()
    with pytest.raises(InvalidTransition):
        transport_leg_deliver(
            leg_id=leg.pk, actor=customer, receiver_name="x", scope=Scope.SYSTEM
        )  # never picked up


def test_scoped_actions_cannot_touch_another_suppliers_job(planned, customer):
    item = planned.work_items.first()
    others = WorkItem.objects.exclude(asset_owner_id=item.asset_owner_id)
    with pytest.raises(WorkItem.DoesNotExist):
        work_item_accept(work_item_id=item.pk, actor=customer, scope=others)
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.OFFERED
    mine = WorkItem.objects.filter(asset_owner_id=item.asset_owner_id)
    assert (
        work_item_accept(work_item_id=item.pk, actor=customer, scope=mine).status == WorkItemStatus.ACCEPTED
    )


def test_progress_sync_is_idempotent(planned):
    assert order_progress_sync(order_id=planned.pk) == OrderStatus.PLANNED
    assert order_progress_sync(order_id=planned.pk) == OrderStatus.PLANNED
    assert Order.objects.get(pk=planned.pk).events.filter(to_status=OrderStatus.IN_PRODUCTION).count() == 0
