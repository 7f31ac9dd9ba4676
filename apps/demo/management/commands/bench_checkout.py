"""Orders per second from cart to paid, through the real pages, services, quoting and the local Stripe server.

    python manage.py bench_checkout --orders 50

Each order: add a design to the cart, get a quote, place the order (PaymentIntent created), pay with the test
card 4242 4242 4242 4242 (confirmed server-side) — four POSTs through Django's URL routing, middleware (tenant,
session, CSRF-exempt test client) and views, on loopback. Runs in its own network (`--tenant`, created on first
use). Without a reachable local Stripe server one is started for the run. The last line is JSON.
"""

from __future__ import annotations

import json
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import Design
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.core.percentiles import percentile
from apps.demo.catalog import catalog_demo_seed
from apps.orders.models import Cart, Order
from apps.orders.status import OrderStatus
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create

BENCH_EMAIL = "bench-customer@bench.localhost"
ROOT = Path(__file__).resolve().parents[4]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_test/health", timeout=1) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


class Command(BaseCommand):
    help = "Measures checkout throughput (cart → paid) through the real views and the local Stripe server."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=20)
        parser.add_argument(
            "--tenant", default="bench", help="Subdomain of the network to run in (created if missing)."
        )
        parser.add_argument("--warmup", type=int, default=2, help="Orders placed first and not measured.")

    def handle(self, *args, orders: int, tenant: str, warmup: int, **options):
        if orders < 1:
            raise CommandError("--orders must be at least 1.")
        stripe_process = self._stripe_ensure()
        try:
            network = self._network(tenant)
            client, version_id = self._customer(network)
            self.steps = {"cart": [], "quote": [], "place": [], "pay": []}
            for _ in range(warmup):
                self._one(client, network, version_id)
            self.steps = {"cart": [], "quote": [], "place": [], "pay": []}
            latencies, failures = [], 0
            started = time.perf_counter()
            for _ in range(orders):
                begin = time.perf_counter()
                if self._one(client, network, version_id):
                    latencies.append((time.perf_counter() - begin) * 1000)
                else:
                    failures += 1
            elapsed = time.perf_counter() - started
        finally:
            if stripe_process is not None:
                stripe_process.terminate()
                stripe_process.wait(10)
        result = {
            "bench": "checkout",
            "orders": orders,
            "paid": len(latencies),
            "failures": failures,
            "seconds": round(elapsed, 3),
            "orders_per_second": round(len(latencies) / elapsed, 2) if elapsed else None,
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
            "step_p50_ms": {step: round(statistics.median(v), 1) for step, v in self.steps.items() if v},
            "tenant": tenant,
        }
        self.stdout.write(
            f"{result['paid']}/{orders} orders paid in {result['seconds']} s: {result['orders_per_second']} orders/s, "
            f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms"
        )
        self.stdout.write(json.dumps(result))

    def _stripe_ensure(self):
        if _answers(settings.STRIPE_LOCAL_URL):
            return None
        from socket import socket

        with socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        process = subprocess.Popen(  # noqa: S603 - our own module on loopback
            [
                sys.executable,
                "-m",
                "tools.stripe_local",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--quiet",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while not _answers(url):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise CommandError("Could not start the local Stripe server.")
            time.sleep(0.1)
        settings.STRIPE_LOCAL_URL = url
        self.stdout.write(f"Started a local Stripe server at {url}")
        return process

    def _network(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = tenant_create(
                name=f"{slug.title()} bench",
                subdomain=slug,
                currency="EUR",
                admin_email=f"owner@{slug}.localhost",
                admin_password=secrets.token_urlsafe(16),
            )
        with schema_context(tenant.schema_name):
            catalog_demo_seed()
            try:
                from apps.demo.suppliers import suppliers_demo_seed

                suppliers_demo_seed()
            except Exception as error:
                self.stderr.write(
                    f"Supplier network not seeded ({error}); quotes use the catalogue estimate."
                )
        return tenant

    def _customer(self, tenant: Tenant):
        with schema_context(tenant.schema_name):
            user = User.objects.filter(email=BENCH_EMAIL).first() or user_create(
                email=BENCH_EMAIL, password=None, role=Role.CUSTOMER, full_name="Bench Customer"
            )
            design = (
                Design.objects.filter(owner=user, name="Bench table")
                .select_related("current_version")
                .first()
            )
            if design is None:
                from apps.catalog.models import ProductTemplate

                template = ProductTemplate.objects.get(slug="dining-table")
                design = design_create(
                    owner=user,
                    template=template,
                    name="Bench table",
                    values=template_spec_for(template).defaults(),
                )
            client = Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_DOMAIN}")
            client.force_login(user)
            Cart.objects.filter(customer=user).delete()
            return client, str(design.current_version_id)

    def _one(self, client: Client, tenant: Tenant, version_id: str) -> bool:
        """One order from an empty cart to paid; False when any step did not answer as it should."""
        placed = self._placed(client, tenant, version_id)
        if placed is None:
            return False
        pay_url, mark = placed
        card = {"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
        paid = client.post(pay_url, card)
        if paid.status_code != 302:
            return False
        self._step("pay", mark)
        connection.set_tenant(tenant)
        order_id = int(pay_url.strip("/").split("/")[1])
        return Order.objects.filter(pk=order_id, status__in=[OrderStatus.PAID, OrderStatus.PLANNED]).exists()

    def _placed(self, client: Client, tenant: Tenant, version_id: str) -> tuple[str, float] | None:
        """An order placed from an empty cart (its payment page's path and the time it was placed); None when
        any step did not answer as it should."""
        mark = time.perf_counter()
        if client.post("/cart/add/", {"design_version": version_id, "quantity": "1"}).status_code != 302:
            return None
        address = {
            "recipient_name": "Bench",
            "address_line": "Oudegracht 1",
            "postcode": "3511 AB",
            "city": "Utrecht",
            "country": "NL",
        }
        if client.post("/cart/address/", address).status_code != 302:
            return None
        mark = self._step("cart", mark)
        if client.post("/cart/quote/").status_code != 302:
            return None
        mark = self._step("quote", mark)
        connection.set_tenant(tenant)
        cart = Cart.objects.get(customer__email=BENCH_EMAIL)
        form = {
            "checkout_key": str(cart.checkout_key),
            "seen_total_minor": str(cart.quote_total_minor),
            "seen_delivery_date": cart.quote_delivery_date.isoformat(),
        }
        placed = client.post("/checkout/", form)
        if placed.status_code != 302 or not placed["Location"].endswith("/pay/"):
            return None
        return placed["Location"], self._step("place", mark)

    def _step(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.steps[name].append((now - since) * 1000)
        return now
