"""Idempotency keys carry the network (two networks may share one Stripe account) and outlive Stripe's 24 h:
a write whose key Stripe may have forgotten, or whose first answer was lost, is looked up before it is sent
again, so a re-send past the key's expiry never makes a second object."""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.orders.models import WorkItem
from apps.payouts import crypto, stripe_client
from apps.payouts.models import (
    OrderMoney,
    Reversal,
    ReversalStatus,
    StripeMode,
    StripeSettings,
    StripeWrite,
    Transfer,
    TransferStatus,
)
from apps.payouts.payments.charges import charge_record
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.payouts.transfers.reversals import reversal_send
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_delete
from tests.conftest import PASSWORD
from tests.payouts.money_builders import control, finish_work_item, make_order, make_participants, pay
from tests.payouts.money_checks import stripe_transfers

DAY = 24 * 3600


def _older_than_stripe_keeps(stripe_clock, key: str, start: int) -> None:
    """A day and an hour later, on Stripe's clock and on ours."""
    stripe_clock(start + DAY + 3600)
    StripeWrite.objects.filter(idempotency_key=key).update(created_at=timezone.now() - timedelta(hours=25))


def _small_transfer() -> Transfer:
    """A released transfer taking less than half the charge, so a duplicate would fit in what it funds."""
    owners, _ = make_participants(owners=3, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner, 2_000) for owner in owners])
    charge_record(charge_id=pay(order)["id"])
    item = finish_work_item(WorkItem.objects.filter(order=order).order_by("pk").first())
    transfer = transfer_release_for_work_item(work_item_id=item.pk)
    assert transfer.amount_minor * 2 <= 10_000
    return transfer


def _answers_lost(path: str, key: str) -> None:
    """Stripe does the next POST under `path` sent with this key, and answers 500 to it and to the client's two
    retries: the outcome is unknown to the caller. Aimed at the key: a request something else in the session
    sends meanwhile must not take one of the three."""
    control(
        "fail_next",
        count=3,
        mode="500",
        when="after",
        method="POST",
        path=path,
        idempotency_key=stripe_client.network_key(key),
    )


def test_a_transfer_whose_answer_was_lost_is_adopted_not_resent_after_its_key_expired(money_a, stripe_clock):
    start = int(time.time())
    stripe_clock(start)
    transfer = _small_transfer()
    # Stripe makes the transfer and answers 500 (to the client's retries too): the outcome is unknown here.
    _answers_lost("/v1/transfers", transfer.idempotency_key)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.PENDING
    assert len(stripe_transfers(transfer.order_id)) == 1
    # The retry comes after Stripe forgot the key (an outage, a paused queue): sent blindly it is a new transfer.
    _older_than_stripe_keeps(stripe_clock, transfer.idempotency_key, start)
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    at_stripe = stripe_transfers(transfer.order_id)
    assert len(at_stripe) == 1, "exactly one Stripe transfer after a re-send past the key's expiry"
    transfer.refresh_from_db()
    assert transfer.stripe_transfer_id == at_stripe[0]["id"]
    assert (
        StripeWrite.objects.get(idempotency_key=transfer.idempotency_key).stripe_object_id
        == at_stripe[0]["id"]
    )


def test_a_completed_write_sent_again_after_24_hours_is_looked_up_not_duplicated(money_a, stripe_clock):
    start = int(time.time())
    stripe_clock(start)
    transfer = _small_transfer()
    money = OrderMoney.objects.get(order_id=transfer.order_id)
    args = {
        "amount_minor": transfer.amount_minor,
        "currency": "eur",
        "destination": transfer.asset_owner.stripe_account_id,
        "transfer_group": f"order_{transfer.order_id}",
        "source_transaction": money.charge_id,
        "metadata": {"transfer_id": str(transfer.pk), "network": connection.schema_name},
        "idempotency_key": transfer.idempotency_key,
    }
    first = stripe_client.transfer_create(**args)
    _older_than_stripe_keeps(stripe_clock, transfer.idempotency_key, start)
    assert stripe_client.transfer_create(**args)["id"] == first["id"]
    assert [t["id"] for t in stripe_transfers(transfer.order_id)] == [first["id"]]


def test_a_refund_sent_again_after_24_hours_is_looked_up_not_duplicated(money_a, stripe_clock):
    start = int(time.time())
    stripe_clock(start)
    order = make_order(total_minor=10_000)
    charge_id = pay(order)["id"]
    args = {
        "charge_id": charge_id,
        "amount_minor": 1_000,
        "metadata": {"order_id": str(order.pk), "refund_id": "7"},
        "idempotency_key": f"order:{order.pk}:refund:7",
    }
    first = stripe_client.refund_create(**args)
    _older_than_stripe_keeps(stripe_clock, args["idempotency_key"], start)
    assert stripe_client.refund_create(**args)["id"] == first["id"]
    charge = stripe_client.charge_retrieve(charge_id=charge_id)
    assert charge["amount_refunded"] == 1_000


@pytest.fixture
def one_stripe_account_for_alpha_and_beta(fresh_stripe, tenant_a, tenant_b, settings):
    """Both networks entered the same Stripe secret key (one Stripe account), pointed at the local server."""
    settings.STRIPE_API_BASE = fresh_stripe
    shared = f"sk_test_shared_{uuid.uuid4().hex[:8]}"
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema_name):
            stripe_client.stripe_settings_get()
            StripeSettings.objects.filter(pk=1).update(
                mode=StripeMode.STRIPE, secret_key_encrypted=crypto.encrypt(shared)
            )
    return shared


def test_two_networks_on_one_stripe_account_do_not_share_keys(
    db, one_stripe_account_for_alpha_and_beta, tenant_a, tenant_b
):
    """Both networks' first order is order 1 with the same key `order:1:payment_intent`: each gets its own
    PaymentIntent, not the other network's replayed."""
    intents = {}
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema_name):
            intents[tenant.slug] = stripe_client.payment_intent_create(
                amount_minor=5_000,
                currency="EUR",
                transfer_group="order_1",
                metadata={"order_id": "1"},
                idempotency_key="order:1:payment_intent",
            )
            write = StripeWrite.objects.get(idempotency_key="order:1:payment_intent")
            assert write.sent_key == f"{tenant.schema_name}.{tenant.pk}:order:1:payment_intent"
    assert intents["alpha"]["id"] != intents["beta"]["id"]
    # Each network's retry still replays its own.
    with schema_context(tenant_b.schema_name):
        again = stripe_client.payment_intent_create(
            amount_minor=5_000,
            currency="EUR",
            transfer_group="order_1",
            metadata={"order_id": "1"},
            idempotency_key="order:1:payment_intent",
        )
    assert again["id"] == intents["beta"]["id"]


def _intent_in_new_network(shared_key: str, amount_minor: int) -> dict:
    """Signs up the network "again" on the shared Stripe account and sends its first order's PaymentIntent."""
    tenant = tenant_create(
        name="Again Works",
        subdomain="again",
        currency="EUR",
        admin_email="o@again.test",
        admin_password=PASSWORD,
    )
    with schema_context(tenant.schema_name):
        stripe_client.stripe_settings_get()
        StripeSettings.objects.update(mode=StripeMode.STRIPE, secret_key_encrypted=crypto.encrypt(shared_key))
        return stripe_client.payment_intent_create(
            amount_minor=amount_minor,
            currency="EUR",
            transfer_group="order_1",
            metadata={"order_id": "1"},
            idempotency_key="order:1:payment_intent",
        )


def test_a_network_signed_up_again_under_the_same_subdomain_does_not_reuse_the_old_networks_keys(
    db, fresh_stripe, settings
):
    """Deleted and signed up again within Stripe's 24 hours: same schema, order 1 again. Its first PaymentIntent
    (another amount) is a new object, not the old network's replayed nor refused as a key reused with other
    parameters."""
    settings.STRIPE_API_BASE = fresh_stripe
    shared = f"sk_test_shared_{uuid.uuid4().hex[:8]}"
    first = _intent_in_new_network(shared, 5_000)
    connection.set_schema_to_public()
    tenant_delete(tenant=Tenant.objects.get(slug="again"), confirm_slug="again")
    second = _intent_in_new_network(shared, 7_000)
    assert second["id"] != first["id"]
    assert second["amount"] == 7_000


def test_a_reversal_whose_answer_was_lost_is_adopted_not_resent_after_its_key_expired(money_a, stripe_clock):
    start = int(time.time())
    stripe_clock(start)
    transfer = _small_transfer()
    assert transfer_send(transfer_id=transfer.pk).status == TransferStatus.SENT
    reversal = Reversal(
        transfer=transfer, amount_minor=500, currency=transfer.currency, next_attempt_at=timezone.now()
    )
    reversal.idempotency_key = Reversal.key_for(reversal.id, 0)
    reversal.save()
    _answers_lost("/v1/transfers/", reversal.idempotency_key)
    assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.PENDING
    _older_than_stripe_keeps(stripe_clock, reversal.idempotency_key, start)
    assert reversal_send(reversal_id=reversal.pk).status == ReversalStatus.SENT
    transfer.refresh_from_db()
    at_stripe = stripe_client.transfer_retrieve(transfer_id=transfer.stripe_transfer_id)
    assert at_stripe["amount_reversed"] == 500, "exactly one reversal after a re-send past the key's expiry"
    assert transfer.amount_reversed_minor == 500


def test_the_network_key_of_a_request_reads_the_network_the_connection_holds(
    db, tenant_a, django_assert_num_queries
):
    """A request's connection already holds the network's row: qualifying every Stripe write's key with it
    costs no query."""
    connection.set_tenant(tenant_a)
    with django_assert_num_queries(0):
        assert stripe_client.network_key("order:1:payment_intent") == (
            f"{tenant_a.schema_name}.{tenant_a.pk}:order:1:payment_intent"
        )


def test_a_stripe_write_from_a_schema_no_network_owns_is_refused(db, tenant_a):
    """Fail-closed: without a network row there is no qualified key, so nothing is sent."""
    with schema_context("no_network_here"), pytest.raises(RuntimeError, match="refusing a Stripe write"):
        stripe_client.network_key("order:1:payment_intent")
