"""The webhook endpoint: verify with this network's secret → store once → acknowledge → process once."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django_tenants.utils import schema_context

from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.payouts.stripe_client import stripe_settings_get
from apps.payouts.webhooks.inbox import webhook_event_process

pytestmark = pytest.mark.django_db


def _event(event_type: str = "test.unhandled", **data) -> dict:
    return {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": {"id": "obj_1", "object": "thing", **data}},
    }


def _signed(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _secret_of(tenant) -> str:
    with schema_context(tenant.schema_name):
        return stripe_settings_get().webhook_secret


def _post(client, payload: bytes, signature: str):
    return client.post(
        "/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def _stored(tenant) -> int:
    with schema_context(tenant.schema_name):
        return WebhookEvent.objects.count()


def test_valid_event_is_stored_and_acknowledged(client_a, tenant_a):
    payload = json.dumps(_event()).encode()
    response = _post(client_a, payload, _signed(payload, _secret_of(tenant_a)))
    assert response.status_code == 200
    assert response.json()["duplicate"] is False
    with schema_context(tenant_a.schema_name):
        event = WebhookEvent.objects.get(stripe_event_id=json.loads(payload)["id"])
        assert event.type == "test.unhandled"
        assert event.payload["data"]["object"]["id"] == "obj_1"


def test_duplicate_delivery_stores_nothing_new(client_a, tenant_a):
    payload = json.dumps(_event()).encode()
    signature = _signed(payload, _secret_of(tenant_a))
    before = _stored(tenant_a)
    assert _post(client_a, payload, signature).json()["duplicate"] is False
    again = _post(client_a, payload, signature)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert _stored(tenant_a) == before + 1


@pytest.mark.parametrize(
    "case", ["bad_signature", "stale", "other_tenant_secret", "malformed", "missing_header"]
)
def test_rejected_deliveries_store_nothing(client_a, tenant_a, tenant_b, case):
    payload = json.dumps(_event()).encode()
    secret = _secret_of(tenant_a)
    signature = {
        "bad_signature": _signed(payload, secret).replace("v1=", "v1=00"),
        "stale": _signed(payload, secret, timestamp=int(time.time()) - 301),
        "other_tenant_secret": _signed(payload, _secret_of(tenant_b)),
        "malformed": None,
        "missing_header": "",
    }[case]
    if case == "malformed":
        payload = b"{not json"
        signature = _signed(payload, secret)
    before = _stored(tenant_a)
    response = _post(client_a, payload, signature)
    assert response.status_code == 400
    assert _stored(tenant_a) == before


def test_each_network_has_its_own_webhook_secret(tenant_a, tenant_b):
    assert _secret_of(tenant_a).startswith("whsec_")
    assert _secret_of(tenant_a) != _secret_of(tenant_b)


def test_unknown_event_types_are_stored_and_ignored(in_tenant_a):
    event = WebhookEvent.objects.create(
        stripe_event_id="evt_unknown_1",
        type="radar.early_fraud_warning.created",
        stripe_created=1,
        payload={},
    )
    assert webhook_event_process(event_id=event.pk) == WebhookEventStatus.IGNORED
    assert webhook_event_process(event_id=event.pk) == WebhookEventStatus.IGNORED
    event.refresh_from_db()
    assert event.attempts == 1
