"""Local mode: registers a network's two webhook endpoints with the local Stripe server, as staff create them in
Stripe's Dashboard with real keys (see the Stripe settings page): the account endpoint for the platform's own
events and the Connect endpoint for its connected accounts' events, each with its own secret, subscribed to the
events our handlers take, at the pinned API version.

The endpoints are registered at an address the server can reach (loopback) with the network's host name sent
as the Host header: Python does not resolve `demo.localhost`, browsers do.
"""

from django.db import connection
from django.urls import reverse

from apps.payouts import stripe_client
from apps.payouts.webhooks.handlers import HANDLERS  # noqa: F401 - registers every handler's event types
from apps.payouts.webhooks.registry import WebhookEndpoint, events_for

_URL_NAMES = {
    WebhookEndpoint.ACCOUNT: "payouts:stripe_webhook",
    WebhookEndpoint.CONNECT: "payouts:stripe_connect_webhook",
}


def local_webhook_endpoint_id(endpoint: WebhookEndpoint) -> str:
    """The local server's id of this network's endpoint (registering it again replaces it)."""
    schema = connection.schema_name
    return schema if endpoint == WebhookEndpoint.ACCOUNT else f"{schema}-connect"


def local_webhook_endpoints_register(*, base_url: str, host: str) -> list[str]:
    """Registers both endpoints of the current network at `base_url` (e.g. http://127.0.0.1:8000) with `host`
    (e.g. demo.localhost:8000) as the Host header. Returns the URLs registered: none with real Stripe keys or
    when the local server is unreachable."""
    settings = stripe_client.stripe_settings_get()
    secrets = {
        WebhookEndpoint.ACCOUNT: settings.webhook_secret,
        WebhookEndpoint.CONNECT: settings.connect_webhook_secret,
    }
    registered = []
    for endpoint, secret in secrets.items():
        url = base_url.rstrip("/") + reverse(_URL_NAMES[endpoint])
        if stripe_client.local_webhook_register(
            endpoint_id=local_webhook_endpoint_id(endpoint),
            url=url,
            host=host,
            secret=secret,
            connect=endpoint == WebhookEndpoint.CONNECT,
            events=events_for(endpoint),
        ):
            registered.append(url)
    return registered
