"""Queue isolation: payment and webhook latency while the matching queues are saturated, against idle (JSON last).

    python manage.py bench_queues --rounds 8 --batch-backlog 200

Runs in a throwaway database against a Redis server of its own (apps/tenants/throwaway_database.py) and starts
every worker pool of the Procfile (same queues, concurrency and CPU priority) there, in a network of its own
(seeded like bench_checkout's). Each round places
an order, confirms its payment at the local Stripe server as a browser would (Stripe.js), then hands the
`payment_intent.succeeded` event to the inbox as the webhook view does: the webhook pool applies it.

- payment-to-paid: from the payment's confirmation until the order is paid;
- webhook-to-applied: from the event's arrival until it is processed.

Measured with nothing else queued (idle), then with the batch queue holding `--batch-backlog` network
re-optimisations of the network and the planning queue one re-plan per order (loaded). Target: loaded within 2× idle.
"""

import hashlib
import hmac
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import redis
from celery import current_app
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context

from apps.demo.management.commands import bench_checkout
from apps.orders import ports
from apps.orders.checkout import order_payment_ensure
from apps.orders.models import Order
from apps.orders.status import OrderStatus
from apps.payouts.models import WebhookEvent, WebhookEventStatus
from apps.payouts.stripe_client import stripe_settings_get
from apps.payouts.webhooks.inbox import webhook_event_receive
from apps.payouts.webhooks.registry import WebhookEndpoint
from apps.tenants.throwaway_database import inside_throwaway_database, rerun_in_throwaway_database

ROOT = Path(__file__).resolve().parents[4]
PAID = (OrderStatus.PAID, OrderStatus.PLANNED)


def _wait(condition, timeout: float = 120.0, every: float = 0.02) -> float:
    """Polls until condition() holds; the moment it did (perf_counter). Raises CommandError on timeout."""
    deadline = time.perf_counter() + timeout
    while True:
        if condition():
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise CommandError("timed out waiting for the workers")
        time.sleep(every)


class Command(bench_checkout.Command):
    help = (
        "Payment-to-paid and webhook-to-applied latency, idle vs matching queues saturated; JSON last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=8)
        parser.add_argument("--batch-backlog", type=int, default=200)

    def handle(self, *args, rounds: int, batch_backlog: int, **options):
        if not inside_throwaway_database():
            # Again in a database and against a Redis server (cache and broker) of its own.
            rerun_in_throwaway_database(command="bench_queues", database="cf_bench_queues")
            return
        for argv in (("migrate_schemas", "--shared", "-v0"), ("platform_setup",), ("migrate_schemas", "-v0")):
            subprocess.run([sys.executable, "manage.py", *argv], check=True)  # noqa: S603 - ourselves
        self.steps = {
            "cart": [],
            "quote": [],
            "place": [],
            "pay": [],
        }  # bench_checkout's step timings, unused
        stripe_process = self._stripe_ensure()
        pools = []
        try:
            # A new subdomain each run: the local Stripe server outlives the throwaway database, and a network
            # of the same name and id would meet its predecessor's idempotency keys there.
            network = self._network(f"queue-bench-{uuid.uuid4().hex[:6]}")
            client, version_id = self._customer(network)
            pools = self._pools_start()
            self._pools_ready(pools)
            self._round(client, network, version_id)  # warm-up: imports, connections, first quote
            idle = [self._round(client, network, version_id) for _ in range(rounds)]
            loaded_orders = self._saturate(network, batch_backlog)
            loaded = [self._round(client, network, version_id) for _ in range(rounds)]
            backlog_left = redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("batch")
        finally:
            self._pools_stop(pools)
            if stripe_process is not None:
                stripe_process.terminate()
                stripe_process.wait(10)
            connection.set_schema_to_public()
        result = {"bench": "queues", "rounds": rounds, "batch_backlog": batch_backlog}
        for metric in ("payment_to_paid_ms", "webhook_to_applied_ms"):
            idle_median = statistics.median(r[metric] for r in idle)
            loaded_median = statistics.median(r[metric] for r in loaded)
            result[metric] = {
                "idle_p50": round(idle_median, 1),
                "loaded_p50": round(loaded_median, 1),
                "loaded_max": round(max(r[metric] for r in loaded), 1),
                "ratio": round(loaded_median / idle_median, 2),
            }
        result["batch_runs_still_queued_at_end"] = backlog_left
        result["replans_queued"] = loaded_orders
        result["within_2x"] = all(
            result[m]["ratio"] <= 2 for m in ("payment_to_paid_ms", "webhook_to_applied_ms")
        )
        for metric in ("payment_to_paid_ms", "webhook_to_applied_ms"):
            r = result[metric]
            self.stdout.write(
                f"{metric}: idle {r['idle_p50']} ms, loaded {r['loaded_p50']} ms ({r['ratio']}x)"
            )
        self.stdout.write(json.dumps(result))

    # --- the Procfile's worker pools

    def _pools_start(self) -> list[tuple[str, subprocess.Popen]]:
        pools = []
        log_dir = ROOT / "test-artifacts"
        log_dir.mkdir(exist_ok=True)
        for line in (ROOT / "Procfile").read_text().splitlines():
            name, _, command = line.partition(":")
            if " worker " not in command:
                continue
            argv = shlex.split(command.replace("%h", f"queue-bench-{uuid.uuid4().hex[:6]}"))
            log = (log_dir / f"bench-queues-{name}.log").open("w")
            process = subprocess.Popen(  # noqa: S603 - the Procfile's own command lines
                argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            pools.append((name, process))
        return pools

    def _pools_ready(self, pools) -> None:
        names = {re.search(r"--hostname=(\S+)", " ".join(p.args)).group(1) for _, p in pools}

        def everyone_answers() -> bool:
            answered = {next(iter(reply)) for reply in current_app.control.ping(timeout=0.5)}
            return names <= answered

        _wait(everyone_answers, timeout=120, every=0.5)
        self.stdout.write(f"{len(pools)} worker pools up: {', '.join(name for name, _ in pools)}")

    def _pools_stop(self, pools) -> None:
        for _, process in pools:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in pools:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    # --- load

    def _saturate(self, network, backlog: int) -> int:
        """Fills the batch queue with network re-optimisations and the planning queue with one re-plan per order."""
        current_app.loader.import_default_modules()
        with schema_context(network.schema_name):
            batch = current_app.tasks["matching.batch_reoptimise"]
            replan = current_app.tasks["matching.replan_order"]
            for _ in range(backlog):
                batch.delay()
            orders = list(
                Order.objects.filter(status=OrderStatus.PLANNED).values_list("pk", flat=True)[:backlog]
            )
            for order_id in orders:
                replan.delay(order_id=order_id, reason="bench_queues load")
        return len(orders)

    # --- one measured payment

    def _round(self, client, network, version_id: str) -> dict:
        placed = self._placed(client, network, version_id)
        if placed is None:
            raise CommandError("could not place an order")
        order_id = int(placed[0].strip("/").split("/")[1])
        with schema_context(network.schema_name):
            order = order_payment_ensure(order=Order.objects.get(pk=order_id))
            intent = ports.payments().intent_confirm(
                payment_intent_id=order.payment_intent_id,
                payment_method="pm_card_visa",
                idempotency_key=f"bench-queues:{order_id}:{uuid.uuid4().hex}",
            )
            confirmed = time.perf_counter()
            payload = json.dumps(
                {
                    "id": f"evt_bench_{uuid.uuid4().hex}",
                    "object": "event",
                    "type": "payment_intent.succeeded",
                    "created": int(time.time()),
                    "data": {"object": intent},
                }
            ).encode()
            secret = stripe_settings_get().webhook_secret
            stamp = int(time.time())
            digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
            arrived = time.perf_counter()
            event, _ = webhook_event_receive(
                payload=payload, signature=f"t={stamp},v1={digest}", endpoint=WebhookEndpoint.ACCOUNT
            )
            applied = _wait(
                lambda: WebhookEvent.objects.filter(pk=event.pk, status=WebhookEventStatus.PROCESSED).exists()
            )
            paid = _wait(lambda: Order.objects.filter(pk=order_id, status__in=PAID).exists())
        return {
            "payment_to_paid_ms": (paid - confirmed) * 1000,
            "webhook_to_applied_ms": (applied - arrived) * 1000,
        }
