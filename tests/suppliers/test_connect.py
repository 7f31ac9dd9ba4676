"""Stripe Connect onboarding of asset owners and carriers against the local Stripe-compatible server."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests
from django_tenants.utils import schema_context

from apps.payouts import stripe_client
from apps.payouts.connect.onboarding import (
    NotApproved,
    connect_account_ensure,
    connect_onboarding_start,
    connect_status_refresh,
)
from apps.payouts.models import StripeWrite, WebhookEvent, WebhookEventStatus
from apps.payouts.webhooks.inbox import webhook_event_process
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.selectors import asset_owner_list_eligible, carrier_list_eligible, resource_list_eligible
from apps.suppliers.status import ParticipantStatus
from tests.suppliers.factories import make_asset_owner, make_carrier, make_resource

pytestmark = pytest.mark.django_db

RETURN = "http://alpha.localhost/portal/payouts/return/"
REFRESH = "http://alpha.localhost/portal/payouts/refresh/"


def complete_onboarding(server: str, account_id: str) -> None:
    """The local server's test control: what a person finishing Stripe's hosted form achieves."""
    response = requests.post(f"{server}/_test/accounts/{account_id}/complete_onboarding", timeout=5)
    assert response.status_code == 200, response.text


def test_starting_twice_creates_one_account_and_fresh_links(stripe_server, in_tenant_a):
    owner = make_asset_owner()
    first = connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    account_id = owner.stripe_account_id
    second = connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    assert account_id.startswith("acct_") and owner.stripe_account_id == account_id
    assert first.startswith(f"{stripe_server}/connect/onboarding/") and second != first
    assert StripeWrite.objects.filter(operation="account.create", stripe_object_id=account_id).count() == 1
    assert StripeWrite.objects.filter(idempotency_key=f"account:asset_owner:{owner.pk}").count() == 1
    account = stripe_client.account_retrieve(account_id=account_id)
    assert (
        account["metadata"]["participant_id"] == str(owner.pk)
        and account["metadata"]["kind"] == "asset_owner"
    )
    assert account["business_profile"]["name"] == owner.name


def test_a_lost_create_response_is_replayed_not_repeated(stripe_server, in_tenant_a):
    """Stripe created the account but our write of its id was lost (crash): the retry gets the same account."""
    owner = make_asset_owner()
    created = connect_account_ensure(participant=owner).stripe_account_id
    AssetOwner.objects.filter(pk=owner.pk).update(stripe_account_id="")
    owner.refresh_from_db()
    assert connect_account_ensure(participant=owner).stripe_account_id == created


def test_only_approved_participants_start_onboarding(stripe_server, in_tenant_a):
    owner = make_asset_owner(status=ParticipantStatus.APPLIED)
    with pytest.raises(NotApproved):
        connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    assert (
        owner.stripe_account_id == ""
        and not StripeWrite.objects.filter(idempotency_key__endswith=f":{owner.pk}").exists()
    )


def test_completed_onboarding_makes_the_supplier_eligible(stripe_server, in_tenant_a):
    owner = make_asset_owner()
    resource = make_resource(owner)
    connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    assert connect_status_refresh(account_id=owner.stripe_account_id).onboarded is False
    owner.refresh_from_db()
    assert owner.requirements_due and not owner.eligible
    assert resource not in resource_list_eligible()

    complete_onboarding(stripe_server, owner.stripe_account_id)
    refreshed = connect_status_refresh(account_id=owner.stripe_account_id)
    assert refreshed.pk == owner.pk and refreshed.onboarded
    owner.refresh_from_db()
    assert owner.payouts_enabled and owner.transfers_active and owner.details_submitted
    assert owner.requirements_due == []
    assert owner in asset_owner_list_eligible() and resource in resource_list_eligible()


def test_carriers_onboard_the_same_way(stripe_server, in_tenant_a):
    carrier = make_carrier()
    connect_onboarding_start(participant=carrier, return_url=RETURN, refresh_url=REFRESH)
    carrier.refresh_from_db()
    assert StripeWrite.objects.filter(idempotency_key=f"account:carrier:{carrier.pk}").exists()
    complete_onboarding(stripe_server, carrier.stripe_account_id)
    connect_status_refresh(account_id=carrier.stripe_account_id)
    assert carrier in carrier_list_eligible()


def _signed_event(secret: str, account_id: str) -> tuple[bytes, str]:
    event = {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "account.updated",
        "account": account_id,
        "created": int(time.time()),
        "data": {"object": {"id": account_id, "object": "account", "payouts_enabled": False}},
    }
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={signature}"


def test_the_account_updated_webhook_marks_the_participant_onboarded(stripe_server, client_a, tenant_a):
    """The handler re-reads the account from Stripe: the (stale) body of the event does not matter."""
    with schema_context(tenant_a.schema_name):
        owner = make_asset_owner()
        connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
        owner.refresh_from_db()
        secret = stripe_client.stripe_settings_get().connect_webhook_secret
    complete_onboarding(stripe_server, owner.stripe_account_id)
    payload, signature = _signed_event(secret, owner.stripe_account_id)
    response = client_a.post(  # a connected account's event: Stripe sends it to the Connect endpoint
        "/stripe/webhook/connect/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 200
    with schema_context(tenant_a.schema_name):
        event = WebhookEvent.objects.get(stripe_event_id=response.json()["id"])
        assert webhook_event_process(event_id=event.pk) == WebhookEventStatus.PROCESSED
        stored = AssetOwner.objects.get(pk=owner.pk)
        assert stored.onboarded and stored.eligible
        # A duplicate delivery processed again changes nothing and asks nothing.
        assert webhook_event_process(event_id=event.pk) == WebhookEventStatus.PROCESSED


def test_a_restricted_account_drops_out_again(stripe_server, in_tenant_a):
    carrier = make_carrier()
    connect_onboarding_start(participant=carrier, return_url=RETURN, refresh_url=REFRESH)
    carrier.refresh_from_db()
    complete_onboarding(stripe_server, carrier.stripe_account_id)
    connect_status_refresh(account_id=carrier.stripe_account_id)
    requests.post(f"{stripe_server}/_test/accounts/{carrier.stripe_account_id}/restrict", timeout=5)
    connect_status_refresh(account_id=carrier.stripe_account_id)
    stored = Carrier.objects.get(pk=carrier.pk)
    assert not stored.onboarded and stored.requirements_due == ["individual.verification.document"]
    assert carrier not in carrier_list_eligible()


def test_events_of_accounts_we_do_not_know_are_ignored(stripe_server, in_tenant_a):
    assert connect_status_refresh(account_id="acct_someone_else") is None
