"""Builders for the money tests: orders with work items and legs, paid through the local Stripe server, and
participants onboarded there. They write to whatever schema the connection is set to."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import Design, DesignVersion, ProductTemplate
from apps.orders.models import Order, OrderLine, OrderPayment, TransportLeg, WorkItem
from apps.orders.services.orders import order_payment_apply
from apps.orders.services.transitions import transport_leg_transition, work_item_transition
from apps.orders.status import LegStatus, OrderStatus, WorkItemStatus
from apps.payouts import stripe_client
from apps.suppliers.services import participant_connect_account_set, participant_connect_update
from tests.conftest import PASSWORD
from tests.suppliers.factories import make_asset_owner, make_carrier

_seq = itertools.count(1)


def control(endpoint: str, /, **params) -> dict:
    """A test control of the local Stripe server (`/_test/<endpoint>`)."""
    response = requests.post(f"{settings.STRIPE_LOCAL_URL}/_test/{endpoint}", json=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def card_funds_available_at_once() -> None:
    """Card funds are available at once on the local server until the next wipe (instead of two days later):
    for tests whose subject is not availability but that move money only available funds may move (a transfer
    made in the Dashboard, without `source_transaction`; a payout from a connected account)."""
    control("config", available_delay_days=0)


def stripe_wipe() -> None:
    requests.delete(f"{settings.STRIPE_LOCAL_URL}/_config/data", timeout=10).raise_for_status()


def _headers(account: str | None) -> dict:
    headers = {"Authorization": f"Bearer sk_test_local_{connection.schema_name}"}
    if account:
        headers["Stripe-Account"] = account
    return headers


def platform_get(path: str, *, account: str | None = None, **params) -> dict:
    """GET on the network's own platform account at the local server (or one of its connected accounts), for
    arranging and asserting what happened at Stripe."""
    response = requests.get(
        f"{settings.STRIPE_LOCAL_URL}{path}", params=params, headers=_headers(account), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def platform_post(path: str, *, account: str | None = None, **params) -> dict:
    response = requests.post(
        f"{settings.STRIPE_LOCAL_URL}{path}", data=params, headers=_headers(account), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def stripe_events(*, account: str | None = None) -> list[dict]:
    """Every event of the platform (or of a connected account), oldest first."""
    events, params = [], {"limit": 100}
    while True:
        page = platform_get("/v1/events", account=account, **params)
        events.extend(page["data"])
        if not page.get("has_more") or not page["data"]:
            break
        params["starting_after"] = page["data"][-1]["id"]
    return list(reversed(events))


def deliver(event: dict) -> str:
    """Delivers an event through the real inbox, as Stripe would: a connected account's event (with `account`)
    to the Connect endpoint, signed with its secret, the platform's to the account endpoint; stored, processed."""
    from apps.payouts.stripe_client import stripe_settings_get
    from apps.payouts.webhooks.inbox import webhook_event_process, webhook_event_receive
    from apps.payouts.webhooks.registry import WebhookEndpoint

    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    settings = stripe_settings_get()
    endpoint = WebhookEndpoint.CONNECT if event.get("account") else WebhookEndpoint.ACCOUNT
    secret = settings.connect_webhook_secret if event.get("account") else settings.webhook_secret
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    stored, _ = webhook_event_receive(
        payload=payload, signature=f"t={timestamp},v1={signature}", endpoint=endpoint
    )
    return webhook_event_process(event_id=stored.pk)


def onboard(participant, *, complete: bool = True):
    """Creates the participant's connected account at the local server and mirrors its state."""
    account = stripe_client.account_create(
        email=participant.contact_email,
        business_name=participant.name,
        country="NL",
        metadata={"participant": str(participant.pk)},
        idempotency_key=f"test:account:{uuid.uuid4()}",
    )
    participant_connect_account_set(participant=participant, account_id=account["id"])
    if complete:
        control(f"accounts/{account['id']}/complete_onboarding")
        participant_connect_update(
            account_id=account["id"],
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            transfers_active=True,
            requirements_due=[],
        )
    participant.refresh_from_db()
    return participant


def make_participants(*, owners: int = 2, carriers: int = 1, onboarded: bool = True):
    made_owners = [make_asset_owner(f"Works{next(_seq)}") for _ in range(owners)]
    made_carriers = [make_carrier(f"Haul{next(_seq)}") for _ in range(carriers)]
    if onboarded:
        for participant in [*made_owners, *made_carriers]:
            onboard(participant)
    return made_owners, made_carriers


def make_customer():
    return user_create(
        email=f"customer{next(_seq)}-{uuid.uuid4().hex[:6]}@example.test",
        password=PASSWORD,
        role=Role.CUSTOMER,
    )


def _design_version(owner) -> DesignVersion:
    n = next(_seq)
    template = ProductTemplate.objects.create(
        name=f"Bracket {n}", slug=f"bracket-{n}-{uuid.uuid4().hex[:6]}", category="test"
    )
    design = Design.objects.create(
        owner=owner, template=template, name=f"Design {n}", share_token=uuid.uuid4().hex
    )
    return DesignVersion.objects.create(design=design, number=1, values={}, operations=[])


def make_order(
    *,
    total_minor: int,
    currency: str = "EUR",
    items: list[tuple] = (),
    legs: list[tuple] = (),
    customer=None,
    status: str = OrderStatus.AWAITING_PAYMENT,
) -> Order:
    """An order with one line, a work item per (asset_owner, cost) and a leg per (carrier, cost)."""
    customer = customer or make_customer()
    order = Order.objects.create(
        customer=customer,
        status=status,
        checkout_key=uuid.uuid4(),
        currency=currency,
        total_minor=total_minor,
        promised_delivery_date=timezone.now().date() + timedelta(days=10),
        quote_expires_at=timezone.now() + timedelta(minutes=15),
    )
    line = OrderLine.objects.create(
        order=order,
        position=1,
        design_version=_design_version(customer),
        description="Bracket",
        quantity=1,
        unit_price_minor=total_minor,
        total_minor=total_minor,
    )
    for index, (owner, cost) in enumerate(items):
        WorkItem.objects.create(
            order=order,
            line=line,
            step_key=f"step{index}",
            name=f"Step {index + 1}",
            status=WorkItemStatus.ACCEPTED,
            asset_owner=owner,
            cost_minor=cost,
            currency=currency,
        )
    for carrier, cost in legs:
        TransportLeg.objects.create(
            order=order, status=LegStatus.BOOKED, carrier=carrier, cost_minor=cost, currency=currency
        )
    return order


def pay(order: Order, *, payment_method: str = "pm_card_visa") -> dict:
    """Pays the order at the local Stripe server through the orders app's own service; returns the charge."""
    key = uuid.uuid4().hex
    intent = stripe_client.payment_intent_create(
        amount_minor=order.total_minor,
        currency=order.currency,
        transfer_group=order.transfer_group,
        metadata={"order_id": str(order.pk)},
        idempotency_key=f"test:pi:{key}",
    )
    OrderPayment.objects.create(
        order=order,
        quote_revision=order.quote_revision,
        payment_intent_id=intent["id"],
        idempotency_key=f"test:pi:{key}",
        amount_minor=order.total_minor,
        currency=order.currency,
    )
    confirmed = stripe_client.payment_intent_confirm(
        payment_intent_id=intent["id"], payment_method=payment_method, idempotency_key=f"test:confirm:{key}"
    )
    charge_id = confirmed["latest_charge"]
    order_payment_apply(
        payment_intent_id=intent["id"],
        amount_minor=order.total_minor,
        currency=order.currency,
        charge_id=charge_id,
    )
    order.refresh_from_db()
    return stripe_client.charge_retrieve(charge_id=charge_id)


def finish_work_item(item: WorkItem) -> WorkItem:
    """accepted → in progress → done (quality passed), through the orders app's transitions."""
    if item.status == WorkItemStatus.ACCEPTED:
        work_item_transition(work_item_id=item.pk, to=WorkItemStatus.IN_PROGRESS, actor_label="test")
    return work_item_transition(work_item_id=item.pk, to=WorkItemStatus.DONE, actor_label="test")


def deliver_leg(leg: TransportLeg) -> TransportLeg:
    if leg.status == LegStatus.BOOKED:
        transport_leg_transition(leg_id=leg.pk, to=LegStatus.PICKED_UP, actor_label="test")
    return transport_leg_transition(leg_id=leg.pk, to=LegStatus.DELIVERED, actor_label="test")


def sent_transfer_and_paid_payout(order, amount: int, *, when, account: str, payout_fee: int, **party):
    """A transfer of `amount` recorded as sent for `order` to a participant (`party`: asset_owner=…, designer=…,
    with work_item=… / order_line=… naming what it pays for), and a bank payout of the participant's connected
    account `account` of `amount - payout_fee`, arrived at `when`: what an earnings page lists."""
    from apps.payouts.models import ConnectedPayout, Transfer

    participant = {key: value for key, value in party.items() if key in ("asset_owner", "designer")}
    Transfer.objects.create(
        order=order,
        **party,
        part_amount_minor=amount,
        amount_minor=amount,
        currency="EUR",
        status="sent",
        idempotency_key=f"transfer:{uuid.uuid4()}",
        stripe_transfer_id=f"tr_{uuid.uuid4().hex[:12]}",
        sent_at=when,
    )
    ConnectedPayout.objects.create(
        stripe_payout_id=f"po_{uuid.uuid4().hex[:12]}",
        stripe_account=account,
        **participant,
        amount_minor=amount - payout_fee,
        currency="EUR",
        status="paid",
        arrival_date=when,
        stripe_created=when,
    )
