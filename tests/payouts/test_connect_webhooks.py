"""Connect webhooks: a network's account and Connect endpoints, each verified with its own secret, registered with
the local Stripe server as `make run` does; `account.updated` makes a participant payable, a restriction takes it
out of matching and re-plans its unstarted work.

The local server signs and sends real deliveries to a relay registered in the network's place (by the same
service `stripe_local_webhooks` uses); each delivery is then posted, byte for byte with its signature, to the
app's webhook view. (The test's transaction is on this thread: the view must run here to see the test's rows.
tests/payouts/test_connect_live.py sends them over HTTP to a live server.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.matching.models import RunOutcome
from apps.matching.selectors import matching_settings_get
from apps.matching.services import order_commit, order_replan, supplier_replan
from apps.orders.models import WorkItem
from apps.orders.status import WORK_ITEM_ACTIVE
from apps.outbox.models import OutboxMessage
from apps.payouts import stripe_client
from apps.payouts.connect.onboarding import connect_onboarding_start
from apps.payouts.models import StripeMode, StripeSettings, WebhookEvent, WebhookEventStatus
from apps.payouts.webhooks.inbox import webhook_event_process
from apps.payouts.webhooks.local_endpoints import local_webhook_endpoints_register
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.selectors import asset_owner_list_eligible, carrier_list_eligible, resource_list_eligible
from apps.suppliers.services import participant_connect_account_set, resource_update
from tests.conftest import sign_in
from tests.matching.builders import design_version, full_workshop, haulier, paid_order
from tests.payouts.money_builders import control
from tests.suppliers.factories import make_asset_owner, make_carrier

ACCOUNT_PATH, CONNECT_PATH = "/stripe/webhook/", "/stripe/webhook/connect/"


class Relay:
    """Stands in for the network's web server: records what the local Stripe server sends where (path, body,
    signature) and answers 200."""

    def __init__(self):
        self.deliveries: list[tuple[str, bytes, dict]] = []
        self._lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with relay._lock:
                    relay.deliveries.append((self.path, body, dict(self.headers)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of_type(self, event_type: str) -> list[tuple[str, bytes, dict]]:
        with self._lock:
            return [d for d in self.deliveries if json.loads(d[1])["type"] == event_type]

    def clear(self) -> None:
        with self._lock:
            self.deliveries.clear()


def _all_delivered(timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while requests.get(f"{settings.STRIPE_LOCAL_URL}/_test/webhooks/pending", timeout=5).json()["pending"]:
        assert time.monotonic() < deadline, "webhook deliveries still pending"
        time.sleep(0.05)


@pytest.fixture
def relay(money_a):
    """The network's two endpoints registered with the local Stripe server, delivering to a relay."""
    relay = Relay()
    registered = local_webhook_endpoints_register(base_url=relay.base_url, host="alpha.localhost")
    assert registered == [relay.base_url + ACCOUNT_PATH, relay.base_url + CONNECT_PATH]
    yield relay
    for endpoint_id in (money_a.schema_name, f"{money_a.schema_name}-connect"):
        requests.delete(f"{settings.STRIPE_LOCAL_URL}/_config/webhooks/{endpoint_id}", timeout=5)
    relay.server.shutdown()
    relay.server.server_close()


def _post(path: str, body: bytes, signature: str):
    return Client(HTTP_HOST="alpha.localhost").post(
        path, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def _deliver(delivery) -> WebhookEvent:
    """Posts a delivery where the server sent it and processes the stored event (the worker's part)."""
    path, body, headers = delivery
    response = _post(path, body, headers["Stripe-Signature"])
    assert response.status_code == 200, response.content
    event = WebhookEvent.objects.get(stripe_event_id=response.json()["id"])
    assert webhook_event_process(event_id=event.pk) == WebhookEventStatus.PROCESSED
    return event


def _account_updated_of(relay: Relay, account_id: str):
    _all_delivered()
    [delivery] = [d for d in relay.of_type("account.updated") if json.loads(d[1])["account"] == account_id]
    return delivery


def _signed_with(secret: str, body: bytes) -> str:
    timestamp = int(time.time())
    return f"t={timestamp},v1={hmac.new(secret.encode(), f'{timestamp}.'.encode() + body, hashlib.sha256).hexdigest()}"


def _pay(key: str) -> None:
    """A card payment on the network's platform account: payment_intent.succeeded, charge.succeeded."""
    intent = stripe_client.payment_intent_create(
        amount_minor=1000, currency="EUR", transfer_group="t", metadata={}, idempotency_key=f"test:pi:{key}"
    )
    stripe_client.payment_intent_confirm(
        payment_intent_id=intent["id"], payment_method="pm_card_visa", idempotency_key=f"test:confirm:{key}"
    )


def _real_account(participant):
    """Swaps the factory's made-up account for a real one at the local server (not yet onboarded)."""
    account = stripe_client.account_create(
        email=participant.contact_email,
        business_name=participant.name,
        country="NL",
        metadata={},
        idempotency_key=f"test:account:{participant.kind}:{participant.pk}",
    )
    return participant_connect_account_set(participant=participant, account_id=account["id"], replace=True)


# --- the two endpoints ------------------------------------------------------------------------------------------


def test_connect_events_arrive_at_the_connect_endpoint_and_platform_events_at_the_account_endpoint(relay):
    owner = make_asset_owner()
    connect_onboarding_start(participant=owner, return_url="http://x.test/r", refresh_url="http://x.test/f")
    owner.refresh_from_db()
    relay.clear()

    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")
    _pay("1")
    _all_delivered()

    paths = {json.loads(body)["type"]: path for path, body, _ in relay.deliveries}
    assert paths["account.updated"] == CONNECT_PATH
    assert paths["payment_intent.succeeded"] == paths["charge.succeeded"] == ACCOUNT_PATH
    assert all(
        path == ACCOUNT_PATH for path, body, _ in relay.deliveries if "account" not in json.loads(body)
    )
    assert all(headers["Host"] == "alpha.localhost" for _, _, headers in relay.deliveries)


def test_each_endpoint_verifies_with_its_own_secret_and_refuses_the_others(relay):
    owner = make_asset_owner()
    connect_onboarding_start(participant=owner, return_url="http://x.test/r", refresh_url="http://x.test/f")
    owner.refresh_from_db()
    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")
    path, body, headers = _account_updated_of(relay, owner.stripe_account_id)
    signature = headers["Stripe-Signature"]

    wrong_endpoint = _post(ACCOUNT_PATH, body, signature)  # signed with the Connect secret
    account_secret = (
        stripe_client.stripe_settings_get().webhook_secret
    )  # a valid secret, of the other endpoint
    right_secret_wrong_kind = _post(ACCOUNT_PATH, body, _signed_with(account_secret, body))
    on_connect_with_account_secret = _post(CONNECT_PATH, body, _signed_with(account_secret, body))
    made_up = _post(CONNECT_PATH, body, _signed_with("whsec_made_up", body))

    assert wrong_endpoint.status_code == 400 and b"Signature verification failed" in wrong_endpoint.content
    assert right_secret_wrong_kind.status_code == 400
    assert b"Connect endpoint" in right_secret_wrong_kind.content  # a connected account's event, not ours
    assert on_connect_with_account_secret.status_code == 400 and made_up.status_code == 400
    assert path == CONNECT_PATH and not WebhookEvent.objects.exists()
    accepted = _post(CONNECT_PATH, body, signature)
    again = _post(CONNECT_PATH, body, signature)
    assert accepted.status_code == 200 and accepted.json()["duplicate"] is False
    assert (
        again.status_code == 200 and again.json()["duplicate"] is True
    )  # one inbox, deduplicated by event id
    assert WebhookEvent.objects.get().account == owner.stripe_account_id


def test_a_platform_event_at_the_connect_endpoint_is_refused(relay):
    _pay("2")
    _all_delivered()
    [(path, body, headers)] = relay.of_type("payment_intent.succeeded")
    assert path == ACCOUNT_PATH
    connect_secret = stripe_client.stripe_settings_get().connect_webhook_secret

    response = _post(CONNECT_PATH, body, _signed_with(connect_secret, body))

    assert response.status_code == 400 and b"platform event" in response.content
    assert _post(ACCOUNT_PATH, body, headers["Stripe-Signature"]).status_code == 200


# --- payable when Stripe says so; restricted when Stripe says so ------------------------------------------------


def test_account_updated_makes_a_participant_payable_without_the_return_page(relay):
    owner = make_asset_owner()
    connect_onboarding_start(participant=owner, return_url="http://x.test/r", refresh_url="http://x.test/f")
    owner.refresh_from_db()
    assert owner not in asset_owner_list_eligible()

    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")  # finished at Stripe, never came back
    _deliver(_account_updated_of(relay, owner.stripe_account_id))

    assert AssetOwner.objects.get(pk=owner.pk).eligible
    assert owner in asset_owner_list_eligible()


def test_capability_updated_refreshes_the_account_it_names(relay):
    """Stripe's capability.updated is about a capability (`id: transfers`), of the event's connected account."""
    owner = make_asset_owner()
    connect_onboarding_start(participant=owner, return_url="http://x.test/r", refresh_url="http://x.test/f")
    owner.refresh_from_db()
    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")  # the account.updated is not delivered
    _all_delivered()
    event = {
        "id": "evt_capability_1",
        "object": "event",
        "type": "capability.updated",
        "account": owner.stripe_account_id,
        "api_version": stripe_client.API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": "transfers",
                "object": "capability",
                "account": owner.stripe_account_id,
                "status": "active",
            }
        },
    }
    body = json.dumps(event).encode()
    secret = stripe_client.stripe_settings_get().connect_webhook_secret

    _deliver((CONNECT_PATH, body, {"Stripe-Signature": _signed_with(secret, body)}))

    assert AssetOwner.objects.get(pk=owner.pk).eligible


@pytest.mark.parametrize("event_type", ["person.created", "person.updated", "person.deleted"])
def test_a_persons_event_refreshes_the_account_it_belongs_to(relay, event_type):
    """A representative verified (or gone stale) changes the account's requirements: its person.* event makes us
    re-read the account, as account.updated does."""
    owner = make_asset_owner()
    connect_onboarding_start(participant=owner, return_url="http://x.test/r", refresh_url="http://x.test/f")
    owner.refresh_from_db()
    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")  # the account.updated is not delivered
    _all_delivered()
    assert not AssetOwner.objects.get(pk=owner.pk).eligible
    event = {
        "id": f"evt_{event_type}_1",
        "object": "event",
        "type": event_type,
        "account": owner.stripe_account_id,
        "api_version": stripe_client.API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": {"id": "person_1", "object": "person", "account": owner.stripe_account_id}},
    }
    body = json.dumps(event).encode()
    secret = stripe_client.stripe_settings_get().connect_webhook_secret

    _deliver((CONNECT_PATH, body, {"Stripe-Signature": _signed_with(secret, body)}))

    assert AssetOwner.objects.get(pk=owner.pk).eligible


@pytest.fixture
def fast_solver(money_a):
    settings_row = matching_settings_get()
    settings_row.commit_time_limit_s = settings_row.replan_time_limit_s = 1.0
    settings_row.save()


RESTRICTIONS = {
    "requirements_past_due": {
        "currently_due": ["company.tax_id"],
        "payouts_enabled": True,
        "capability_status": "active",
    },
    "payouts_disabled": {"past_due": [], "capability_status": "active"},
    "transfers_not_active": {"past_due": [], "payouts_enabled": True, "capability_status": "pending"},
}


@pytest.mark.parametrize("restriction", RESTRICTIONS)
def test_a_restriction_takes_the_asset_owner_out_of_matching_and_replans_its_unstarted_work(
    relay, fast_solver, customer, restriction
):
    owner, _ = full_workshop("Cheap")
    _, second = full_workshop("Dear")
    for resource in second.values():
        resource_update(resource=resource, setup_cost_minor=20_000)
    haulier()
    owner = _real_account(owner)
    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")
    _deliver(_account_updated_of(relay, owner.stripe_account_id))
    order = paid_order(customer, design_version(customer))
    order_commit(order_id=order.pk)
    assert {i.asset_owner_id for i in WorkItem.objects.filter(order=order, status__in=WORK_ITEM_ACTIVE)} == {
        owner.pk
    }
    relay.clear()

    control(f"accounts/{owner.stripe_account_id}/restrict", **RESTRICTIONS[restriction])
    _deliver(_account_updated_of(relay, owner.stripe_account_id))

    assert owner not in asset_owner_list_eligible()
    assert not resource_list_eligible().filter(asset_owner=owner).exists()
    [asked] = OutboxMessage.objects.filter(
        task_name="matching.replan_for_supplier", kwargs__asset_owner_id=owner.pk
    )
    assert "Stripe" in asked.kwargs["reason"]
    # What the task does (tests/matching covers the task itself): the order's unstarted work moves.
    assert supplier_replan(asset_owner_id=owner.pk, reason=asked.kwargs["reason"]) == [order.pk]
    assert order_replan(order_id=order.pk, reason=asked.kwargs["reason"]).outcome == RunOutcome.APPLIED
    active = WorkItem.objects.filter(order=order, status__in=WORK_ITEM_ACTIVE)
    assert {i.resource_id for i in active} == {r.pk for r in second.values()}


def test_a_restricted_carrier_leaves_matching_once_and_its_legs_are_replanned(relay):
    carrier = _real_account(make_carrier("Haul"))
    control(f"accounts/{carrier.stripe_account_id}/complete_onboarding")
    _deliver(_account_updated_of(relay, carrier.stripe_account_id))
    assert carrier in carrier_list_eligible()
    relay.clear()

    control(f"accounts/{carrier.stripe_account_id}/restrict")
    delivery = _account_updated_of(relay, carrier.stripe_account_id)
    event = _deliver(delivery)
    _post(*delivery[:2], delivery[2]["Stripe-Signature"])  # Stripe delivers again: a duplicate
    webhook_event_process(event_id=event.pk)

    assert carrier not in carrier_list_eligible()
    assert not Carrier.objects.get(pk=carrier.pk).eligible
    asked = OutboxMessage.objects.filter(
        task_name="matching.replan_for_carrier", kwargs__carrier_id=carrier.pk
    )
    assert asked.count() == 1


# --- settings and the admin page ---------------------------------------------------------------------------------


def test_a_local_network_from_before_connect_endpoints_gets_its_own_connect_secret(in_tenant_a):
    row = stripe_client.stripe_settings_get()
    StripeSettings.objects.filter(pk=row.pk).update(connect_webhook_secret_encrypted="")

    again = stripe_client.stripe_settings_get()

    assert again.connect_webhook_secret.startswith("whsec_")
    assert again.connect_webhook_secret != again.webhook_secret


def _owner_client(tenant):
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=f"owner@{tenant.slug}.test")
    return sign_in(Client(HTTP_HOST=f"{tenant.slug}.localhost"), tenant, owner)


def test_the_settings_page_says_which_two_endpoints_to_create_and_requires_both_secrets(db, tenant_a):
    client = _owner_client(tenant_a)
    with schema_context(tenant_a.schema_name):
        pk = stripe_client.stripe_settings_get().pk
    url = f"/admin/payouts/stripesettings/{pk}/change/"

    page = client.get(url).content.decode()
    saved = client.post(
        url,
        {
            "mode": StripeMode.STRIPE,
            "publishable_key": "pk_test_x",
            "secret_key": "",
            "webhook_secret": "whsec_a",
        },
    )

    assert "http://alpha.localhost/stripe/webhook/" in page
    assert "http://alpha.localhost/stripe/webhook/connect/" in page
    assert stripe_client.API_VERSION in page and "<code>account.updated</code>" in page
    assert saved.status_code == 200  # the form again, with errors
    errors = saved.context["adminform"].form.errors
    # The local server's made-up secrets stay stored but are never Stripe's: both must be given when switching.
    assert "connect_webhook_secret" in errors and "secret_key" in errors and "webhook_secret" not in errors
