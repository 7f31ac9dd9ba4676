"""Test helpers: signed Stripe webhooks built from the local Stripe server's own events."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests
from django.db import connection

from apps.payouts.stripe_client import stripe_settings_get


def stripe_events(server: str, *, event_type: str, object_id: str) -> list[dict]:
    """The events the local Stripe server emitted for this network about one object."""
    response = requests.get(
        f"{server}/v1/events",
        params={"limit": 100},
        headers={"Authorization": f"Bearer sk_test_local_{connection.schema_name}"},
        timeout=5,
    )
    response.raise_for_status()
    return [
        event
        for event in response.json()["data"]
        if event["type"] == event_type and event["data"]["object"]["id"] == object_id
    ]


def signed_webhook(event: dict) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send to this network's endpoint."""
    secret = stripe_settings_get().webhook_secret
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={signature}"


def post_webhook(client, event: dict):
    payload, signature = signed_webhook(event)
    return client.post(
        "/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
