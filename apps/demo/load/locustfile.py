"""What locust runs for `manage.py bench_load` (never imported by Django: `import locust` patches the standard
library with gevent). It reads the run's plan (apps/demo/load/network.py) from the JSON file named by LOAD_PLAN.

Four kinds of user, each sending what the pages' own forms and htmx send, on the copy's host:
- Visitor (anonymous): storefront home, catalog, configurator page, and the configurator's live quote with a
  different value each time;
- Customer (signed in): cart → quote → place order (the checkout), the order list and page, the design list;
- Supplier (a workshop's member): the job inbox, and accept then start of the run's own offered jobs (once they
  are used up, the job page instead);
- Stripe: signed webhook events to the network's endpoint.

Every request has a fixed name (the endpoint's key in the printed JSON) and the status the page answers with
when it works; anything else counts as a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import time
import uuid
from decimal import Decimal

from locust import HttpUser, between, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as _file:
    PLAN = json.load(_file)

RNG = random.Random()  # noqa: S311 - picks what to ask for next; nothing secret
_customers = itertools.count()
_suppliers = itertools.count()
HIDDEN = re.compile(r'name="(checkout_key|seen_total_minor|seen_delivery_date)" value="([^"]*)"')
HTMX = {"HX-Request": "true"}


class PlanUser(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.client.headers["Host"] = PLAN["host"]

    def sign_in(self, session: str) -> None:
        # requests matches cookies against the Host header it sends, so the cookie belongs to the network's host.
        self.client.cookies.set(PLAN["session_cookie"], session, domain=PLAN["host"], path="/")

    def csrf(self) -> dict:
        token = next((c.value for c in self.client.cookies if c.name == PLAN["csrf_cookie"]), "")
        return {"X-CSRFToken": token}

    def expect(self, method: str, path: str, name: str, status: int, **kwargs):
        """One request; a failure unless it answers `status` (redirects are not followed)."""
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code} instead of {status}")
            return response


class Visitor(PlanUser):
    weight = 4

    def on_start(self):
        super().on_start()
        self.expect("GET", "/", "storefront home", 200)  # also sets the CSRF cookie

    @task
    def home(self):
        self.expect("GET", "/", "storefront home", 200)

    @task
    def catalog(self):
        self.expect("GET", "/catalog/", "catalog", 200)

    @task
    def configurator(self):
        template = RNG.choice(PLAN["templates"])
        self.expect("GET", f"/catalog/{template['slug']}/", "configurator page", 200)

    @task(3)
    def quote(self):
        template = RNG.choice(PLAN["templates"])
        values = dict(template["values"])
        vary = template["vary"]
        if vary:
            step = RNG.randrange(vary["count"])
            values[vary["key"]] = str(Decimal(vary["min"]) + step * Decimal(vary["step"]))
        response = self.expect(
            "POST",
            f"/catalog/{template['slug']}/validate/",
            "configurator quote",
            200,
            data=values,
            headers={**HTMX, **self.csrf()},
        )
        if response.status_code == 200 and 'class="price"' not in response.text:
            response.failure("no price in the live quote")


class Customer(PlanUser):
    weight = 3

    def on_start(self):
        super().on_start()
        customer = PLAN["customers"][next(_customers) % len(PLAN["customers"])]
        self.design_version = customer["design_version"]
        self.sign_in(customer["session"])
        self.orders: list[str] = []
        self.expect("GET", "/cart/", "cart page", 200)  # also sets the CSRF cookie

    @task(3)
    def checkout(self):
        """Add the design, give the address, get the quote, read the quote's terms, place the order."""
        form = {"design_version": self.design_version, "quantity": "1"}
        if (
            self.expect("POST", "/cart/add/", "cart add", 302, data=form, headers=self.csrf()).status_code
            != 302
        ):
            return
        address = {
            "recipient_name": "Load Customer",
            "address_line": "Oudegracht 1",
            "city": PLAN["town"],
            "country": PLAN["country"],
        }
        if (
            self.expect(
                "POST", "/cart/address/", "cart address", 302, data=address, headers=self.csrf()
            ).status_code
            != 302
        ):
            return
        if self.expect("POST", "/cart/quote/", "cart quote", 302, headers=self.csrf()).status_code != 302:
            return
        cart = self.expect("GET", "/cart/", "cart page", 200)
        terms = dict(HIDDEN.findall(cart.text))
        if len(terms) != 3:
            cart.failure("the cart page shows no quote to place")
            return
        placed = self.expect(
            "POST", "/checkout/", "checkout place order", 302, data=terms, headers=self.csrf()
        )
        location = placed.headers.get("Location", "")
        if placed.status_code == 302 and not location.endswith("/pay/"):
            placed.failure(f"placed, but sent to {location}")
        elif placed.status_code == 302:
            self.orders.append(location.strip("/").split("/")[1])

    @task
    def order_list(self):
        self.expect("GET", "/orders/", "order list", 200)

    @task
    def order_page(self):
        if self.orders:
            self.expect("GET", f"/orders/{RNG.choice(self.orders)}/", "order page", 200)

    @task
    def design_list(self):
        self.expect("GET", "/designs/", "design list", 200)


class Supplier(PlanUser):
    weight = 2

    def on_start(self):
        super().on_start()
        slot = PLAN["suppliers"][next(_suppliers) % len(PLAN["suppliers"])]
        self.jobs: list[int] = slot["jobs"]  # shared by the users of one workshop: each job is taken once
        self.seen = list(slot["jobs"])
        self.accepted: list[int] = []
        self.sign_in(slot["session"])
        self.expect("GET", "/portal/jobs/", "supplier job list", 200)

    @task(2)
    def inbox(self):
        self.expect("GET", "/portal/jobs/", "supplier job list", 200)

    @task(2)
    def act(self):
        """Start a job this user accepted, else accept the next offer; with none left, look at a job."""
        if self.accepted:
            job = self.accepted.pop(0)
            self.expect(
                "POST",
                f"/portal/jobs/{job}/start/",
                "supplier job start",
                200,
                headers={**HTMX, **self.csrf()},
            )
        elif self.jobs:
            job = self.jobs.pop(0)
            response = self.expect(
                "POST",
                f"/portal/jobs/{job}/accept/",
                "supplier job accept",
                200,
                headers={**HTMX, **self.csrf()},
            )
            if response.status_code == 200:
                self.accepted.append(job)
        else:
            self.expect("GET", f"/portal/jobs/{RNG.choice(self.seen)}/", "supplier job page", 200)


class Stripe(PlanUser):
    weight = 1

    @task
    def webhook(self):
        event = {
            "id": f"evt_load_{uuid.uuid4().hex}",
            "object": "event",
            "type": "load.benchmark",  # no handler: stored, acknowledged, then ignored by the worker
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": {"id": f"obj_{uuid.uuid4().hex[:12]}", "object": "load_probe"}},
        }
        payload = json.dumps(event).encode()
        timestamp = int(time.time())
        mac = hmac.new(PLAN["webhook_secret"].encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": f"t={timestamp},v1={mac.hexdigest()}",
        }
        response = self.expect(
            "POST", "/stripe/webhook/", "webhook ingest", 200, data=payload, headers=headers
        )
        if response.status_code == 200 and response.json().get("duplicate") is not False:
            response.failure("a new event was taken for a duplicate")
