"""Helpers shared by the stripe_local tests (plain functions and a webhook receiver)."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

# Stripe retries a failed webhook for three days; the test servers run that schedule in about 2.4 s, so a
# delivery that can never succeed stops counting in /_test/webhooks/pending soon.
FAST_WEBHOOK_RETRIES = ("--webhook-time-scale", "0.00001")


def make_client(base_url: str, api_key: str = "sk_test_local", **kwargs) -> stripe.StripeClient:
    """A client of the platform ``api_key`` (every key is its own platform on the local server)."""
    kwargs.setdefault("max_network_retries", 2)
    return stripe.StripeClient(
        api_key, base_addresses={"api": base_url, "connect": base_url, "files": base_url}, **kwargs
    )


def event_types(client: stripe.StripeClient, account: str | None = None) -> list[str]:
    options = {"stripe_account": account} if account else {}
    return [event.type for event in client.v1.events.list({"limit": 100}, options).data]


def balance_amount(
    client: stripe.StripeClient, currency: str, account: str | None = None, *, status: str | None = None
) -> int:
    """The account's balance in ``currency``: available + pending, or only ``status`` ("available"/"pending")."""
    options = {"stripe_account": account} if account else {}
    balance = client.v1.balance.retrieve(options=options)
    funds = [*balance.available, *balance.pending] if status is None else getattr(balance, status)
    return sum(entry.amount for entry in funds if entry.currency == currency)


class WebhookReceiver:
    """A tiny HTTP server recording the webhooks the local Stripe server delivers to it (accepted ones in
    ``deliveries``, every attempt in ``attempts``). It answers the first ``fail_first`` attempts with HTTP 500."""

    def __init__(self, fail_first: int = 0):
        self.secret = "whsec_" + secrets.token_hex(16)
        self.deliveries: list[tuple[bytes, dict]] = []
        self.attempts: list[tuple[bytes, dict]] = []
        self._failures_left = fail_first
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.attempts.append((body, dict(self.headers)))
                    failing = receiver._failures_left > 0
                    if failing:
                        receiver._failures_left -= 1
                    else:
                        receiver.deliveries.append((body, dict(self.headers)))
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def types(self) -> list[str]:
        return [event["type"] for event in self.events()]

    def events(self) -> list[dict]:
        with self._lock:
            return [json.loads(body) for body, _ in self.deliveries]

    def wait_for(self, *types: str, timeout: float = 10.0) -> list[tuple[bytes, dict]]:
        """Wait until every event type in ``types`` arrived; return the matching deliveries."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if set(types) <= set(self.types()):
                break
            time.sleep(0.05)
        assert set(types) <= set(self.types()), (
            f"missing {set(types) - set(self.types())}; got {self.types()}"
        )
        with self._lock:
            return [(body, headers) for body, headers in self.deliveries if json.loads(body)["type"] in types]
