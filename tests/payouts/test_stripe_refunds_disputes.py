"""What Stripe does by itself, through the real inbox and the local server: refunds made in the Dashboard (or by a
prevented dispute) are booked once as refunds of their order, our own refunds' events never book twice, a disputed
charge is not refunded, every dispute status leads the order where it can settle when it should, and events
rendered at another API version are read again at the pinned one."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from apps.orders.models import EventKind, OrderEvent, OrderPayment, OrderRefund, TransportLeg, WorkItem
from apps.orders.ports import PaymentDisputed
from apps.orders.refunding import refund_issue
from apps.orders.scope import Scope
from apps.orders.services.refunds import order_refund_staff
from apps.orders.services.transitions import order_transition
from apps.orders.status import InvalidTransition, OrderStatus
from apps.payouts import stripe_client
from apps.payouts.models import (
    CustomerRefund,
    Dispute,
    DisputeStatus,
    EntryKind,
    JournalEntry,
    Reversal,
    Transfer,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.transfers.participant_transfers import (
    transfer_release_for_leg,
    transfer_release_for_work_item,
    transfer_send,
)
from apps.payouts.transfers.reversals import reversal_send
from apps.payouts.transfers.settlement import order_settle
from apps.payouts.transfers.sweep import order_refund_record
from tests.payouts.money_builders import (
    control,
    deliver,
    deliver_leg,
    finish_work_item,
    make_order,
    make_participants,
    pay,
    platform_post,
    stripe_events,
)
from tests.payouts.money_checks import reconciles_clean, settled_order_identity


class Inbox:
    """Delivers the platform's events that were not delivered yet, each `times` times, through the inbox."""

    def __init__(self):
        self.seen: set[str] = set()

    def deliver_new(self, *, times: int = 1) -> list[str]:
        fresh = [event for event in stripe_events() if event["id"] not in self.seen]
        for _ in range(times):
            for event in fresh:
                deliver(event)
        self.seen |= {event["id"] for event in fresh}
        return [event["type"] for event in fresh]


def _delivered_order(inbox: Inbox):
    """A paid order, made and delivered, its participants paid: every webhook so far delivered."""
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1)
    order = make_order(
        total_minor=12_000, items=[(owner_a, 4_000), (owner_b, 2_000)], legs=[(carrier, 1_000)]
    )
    charge = pay(order)
    charge_record(charge_id=charge["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    for item in WorkItem.objects.filter(order=order):
        finish_work_item(item)
        transfer_release_for_work_item(work_item_id=item.pk)
    for leg in TransportLeg.objects.filter(order=order):
        deliver_leg(leg)
        transfer_release_for_leg(leg_id=leg.pk)
    for transfer in Transfer.objects.filter(order=order):
        transfer_send(transfer_id=transfer.pk)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    inbox.deliver_new()
    order.refresh_from_db()
    return order, charge


def _evidence(dispute_id: str, text: str) -> dict:
    return platform_post(f"/v1/disputes/{dispute_id}", **{"evidence[uncategorized_text]": text})


# --- refunds Stripe makes itself -------------------------------------------------------------------------


def test_a_dashboard_refund_is_booked_once_as_a_refund_of_its_order_with_the_shares_reversed(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)

    made = control(f"charges/{charge['id']}/refund", amount=3_000)
    types = inbox.deliver_new(times=2)  # every event twice: refund.created and charge.refunded

    assert {"refund.created", "charge.refunded"} <= set(types)
    booked = CustomerRefund.objects.get(stripe_refund_id=made["id"])
    assert (booked.order_id, booked.amount_minor, booked.currency) == (order.pk, 3_000, "EUR")
    assert booked.allocated_at is not None and sum(booked.allocation.values()) == 3_000
    assert CustomerRefund.objects.filter(order=order).count() == 1
    assert JournalEntry.objects.filter(stripe_object_id=made["id"], kind=EntryKind.REFUND).count() == 1
    # The orders app knows it too: one refund row (already sent), the refunded amount, the order's history.
    recorded = OrderRefund.objects.get(order=order)
    assert (recorded.stripe_refund_id, recorded.amount_minor) == (made["id"], 3_000)
    assert booked.order_refund_id == recorded.pk
    order.refresh_from_db()
    assert order.refunded_minor == 3_000
    assert OrderEvent.objects.filter(order=order, kind=EventKind.REFUND, actor_label="Stripe").count() == 1
    # The participants give back their share by the order's rule, like for a refund staff make.
    reversed_total = sum(r.amount_minor for r in Reversal.objects.filter(transfer__order=order))
    assert reversed_total == 3_000 - booked.allocation.get(profit_share.PLATFORM, 0) > 0
    # Nothing is left to send: staff can no longer ask for more than what is left.
    with pytest.raises(ValidationError, match="at most what is left"):
        order_refund_staff(order_id=order.pk, actor=None, amount_minor=9_001, reason="x", scope=Scope.STAFF)
    reconciles_clean()


def test_our_own_refund_is_booked_once_even_when_its_events_arrive_before_stripes_answer_is_stored(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=2_000, reason="Scratched", scope=Scope.STAFF
    )
    # The refund reaches Stripe but its answer is lost (a timeout): our row has no Stripe id yet.
    at_stripe = stripe_client.refund_create(
        charge_id=charge["id"],
        amount_minor=2_000,
        metadata={"order_id": str(order.pk), "refund_id": str(refund.pk)},
        idempotency_key=refund.idempotency_key,
    )

    inbox.deliver_new(times=2)
    booked = CustomerRefund.objects.get(order=order)
    refund_issue(refund_id=refund.pk)  # the retry: the same key, Stripe replays the same refund
    order_refund_record(order_refund_id=refund.pk)
    inbox.deliver_new(times=2)

    assert (booked.stripe_refund_id, booked.order_refund_id) == (at_stripe["id"], refund.pk)
    assert CustomerRefund.objects.filter(order=order).count() == 1
    assert OrderRefund.objects.filter(order=order).count() == 1  # not mistaken for one made in the Dashboard
    order.refresh_from_db()
    assert order.refunded_minor == 2_000
    assert JournalEntry.objects.filter(stripe_object_id=at_stripe["id"], kind=EntryKind.REFUND).count() == 1
    reconciles_clean()


# --- a disputed charge is not refunded ---------------------------------------------------------------------


def test_staff_cannot_refund_a_disputed_order_and_are_told_why(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    control(f"charges/{charge['id']}/dispute", amount=5_000)
    inbox.deliver_new()
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPUTED

    with pytest.raises(InvalidTransition) as refused:
        order_refund_staff(order_id=order.pk, actor=None, amount_minor=1_000, reason="x", scope=Scope.STAFF)

    assert str(refused.value) == PaymentDisputed.MESSAGE
    assert not OrderRefund.objects.filter(order=order).exists()


def test_a_refund_sent_after_the_charge_was_disputed_keeps_stripes_refusal_in_words_staff_understand(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    refund = order_refund_staff(
        order_id=order.pk, actor=None, amount_minor=1_000, reason="Late", scope=Scope.STAFF
    )
    control(f"charges/{charge['id']}/dispute", amount=5_000)  # before the refund is sent

    refund_issue(refund_id=refund.pk)

    refund.refresh_from_db()
    assert refund.stripe_refund_id == "" and refund.last_error == PaymentDisputed.MESSAGE


# --- every dispute status ----------------------------------------------------------------------------------


def test_a_won_chargeback_returns_the_order_to_where_it_was_and_it_settles_from_there(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    delivered_at = order.delivered_at
    dispute = control(f"charges/{charge['id']}/dispute", amount=5_000)
    inbox.deliver_new()
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPUTED and not order_settle(order_id=order.pk)

    _evidence(dispute["id"], "The customer signed for the parcel.")  # under_review: still open
    inbox.deliver_new()
    assert Dispute.objects.get(stripe_dispute_id=dispute["id"]).stripe_status == "under_review"
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPUTED

    _evidence(dispute["id"], "winning_evidence")
    inbox.deliver_new(times=2)

    row = Dispute.objects.get(stripe_dispute_id=dispute["id"])
    assert (row.status, row.stripe_status) == (DisputeStatus.WON, "won")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivered_at == delivered_at
    # The customer's timeline says what happened in words: no Stripe id, no status code.
    told = list(OrderEvent.objects.filter(order=order).exclude(reason="").values_list("reason", flat=True))
    assert "The payment was disputed with the card issuer; we are answering it." in told
    assert "The payment dispute was decided in the network's favour." in told
    assert not any(dispute["id"] in reason or "needs_response" in reason for reason in told)
    assert JournalEntry.objects.filter(order=order, kind=EntryKind.DISPUTE_WON).count() == 1
    assert not order_settle(order_id=order.pk), "delivered: the refund window is still open"
    order_transition(order_id=order.pk, to=OrderStatus.COMPLETED, actor_label="test")
    assert order_settle(order_id=order.pk)
    assert settled_order_identity(order.pk)["disputed"] == 0
    reconciles_clean()


def test_a_lost_chargeback_refunds_the_order_which_then_settles(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    dispute = control(f"charges/{charge['id']}/dispute", amount=5_000)
    inbox.deliver_new()

    _evidence(dispute["id"], "losing_evidence")
    inbox.deliver_new(times=2)

    row = Dispute.objects.get(stripe_dispute_id=dispute["id"])
    assert (row.status, row.stripe_status) == (DisputeStatus.LOST, "lost")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert JournalEntry.objects.filter(order=order, kind=EntryKind.DISPUTE_LOST).count() == 1
    assert order_settle(order_id=order.pk)
    assert settled_order_identity(order.pk)["disputed"] == 5_000
    reconciles_clean()


def test_an_inquiry_holds_settlement_but_not_the_order_and_warning_closed_releases_it(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    order_transition(order_id=order.pk, to=OrderStatus.COMPLETED, actor_label="test")
    inquiry = control(f"charges/{charge['id']}/dispute", status="warning_needs_response")
    inbox.deliver_new()

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED  # nothing was withdrawn; the charge can still be refunded
    assert Dispute.objects.get(stripe_dispute_id=inquiry["id"]).status == DisputeStatus.OPEN
    assert not order_settle(order_id=order.pk), "an open inquiry may still become a chargeback"

    _evidence(inquiry["id"], "winning_evidence")
    inbox.deliver_new()

    row = Dispute.objects.get(stripe_dispute_id=inquiry["id"])
    assert (row.status, row.stripe_status) == (DisputeStatus.WON, "warning_closed")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order_settle(order_id=order.pk)
    assert not JournalEntry.objects.filter(stripe_object_id=inquiry["id"]).exists()
    reconciles_clean()


def test_an_inquiry_escalated_to_a_chargeback_disputes_the_order_until_it_is_won(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    inquiry = control(f"charges/{charge['id']}/dispute", status="warning_needs_response")
    inbox.deliver_new()
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED

    _evidence(inquiry["id"], "losing_evidence")  # the issuer escalates it: funds withdrawn
    inbox.deliver_new()
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPUTED
    assert JournalEntry.objects.filter(stripe_object_id=inquiry["id"], kind=EntryKind.DISPUTE).count() == 1

    _evidence(inquiry["id"], "winning_evidence")
    inbox.deliver_new()
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    order_transition(order_id=order.pk, to=OrderStatus.COMPLETED, actor_label="test")
    assert order_settle(order_id=order.pk)
    reconciles_clean()


def test_a_prevented_dispute_books_stripes_refund_once_and_lets_the_order_settle(money_a):
    inbox = Inbox()
    order, charge = _delivered_order(inbox)
    order_transition(order_id=order.pk, to=OrderStatus.COMPLETED, actor_label="test")

    prevented = control(f"charges/{charge['id']}/dispute", status="prevented", amount=4_000)
    inbox.deliver_new(times=2)

    row = Dispute.objects.get(stripe_dispute_id=prevented["id"])
    assert (row.status, row.stripe_status) == (DisputeStatus.WON, "prevented")
    assert not JournalEntry.objects.filter(stripe_object_id=prevented["id"]).exists()  # nothing withdrawn
    refund = CustomerRefund.objects.get(order=order)
    assert refund.amount_minor == 4_000 and refund.allocated_at is not None
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.refunded_minor == 4_000
    assert not order_settle(order_id=order.pk), "the participants' shares of the refund are not back yet"
    for reversal in Reversal.objects.filter(transfer__order=order):
        reversal_send(reversal_id=reversal.pk)
    assert order_settle(order_id=order.pk)
    assert settled_order_identity(order.pk)["disputed"] == 0
    reconciles_clean()


# --- the pinned API version --------------------------------------------------------------------------------


def test_an_event_rendered_at_an_older_api_version_is_read_again_at_the_pinned_one(money_a):
    """An endpoint left on 2020-08-27 sends PaymentIntents with a `charges` list and no `latest_charge`."""
    (owner,), _ = make_participants(owners=1, carriers=0)
    order = make_order(total_minor=5_000, items=[(owner, 3_000)])
    key = uuid.uuid4().hex
    intent = stripe_client.payment_intent_create(
        amount_minor=5_000,
        currency="EUR",
        transfer_group=order.transfer_group,
        metadata={"order_id": str(order.pk)},
        idempotency_key=f"test:pi:{key}",
    )
    OrderPayment.objects.create(
        order=order,
        quote_revision=order.quote_revision,
        payment_intent_id=intent["id"],
        idempotency_key=f"test:pi:{key}",
        amount_minor=5_000,
        currency="EUR",
    )
    confirmed = stripe_client.payment_intent_confirm(
        payment_intent_id=intent["id"], payment_method="pm_card_visa", idempotency_key=f"test:c:{key}"
    )
    event = next(e for e in stripe_events() if e["type"] == "payment_intent.succeeded")
    old = dict(event["data"]["object"])
    charge_id = old.pop("latest_charge")
    old["charges"] = {"object": "list", "data": [{"id": charge_id, "object": "charge"}], "has_more": False}
    assert "charges" not in confirmed  # what the pinned version sends

    deliver({**event, "api_version": "2020-08-27", "data": {"object": old}})

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.charge_id == charge_id
