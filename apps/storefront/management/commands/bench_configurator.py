"""Configurator round-trip benchmark: for each active template of a network, times server-side over N
iterations through Django's test client on the network's host:

- `htmx_roundtrip`: the live-validation request the page sends on every change (validate + preview SVG +
  quote, one response with out-of-band fragments) — the number the < 100 ms median target is about;
- `preview_svg` and `api_quote`: the standalone preview image and POST /api/v1/quotes/;
- `sum_all`: the three requests back to back.

Each iteration changes one numeric value so nothing is served from a cache. Prints JSON on its last line.
"""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings

from apps.catalog.selectors import template_list_active, template_spec_for
from apps.catalog.spec import ParameterKind
from apps.core.percentiles import percentile
from apps.tenants.models import Tenant

WARMUP = 3


def _stats(samples: list[float]) -> dict:
    return {"median_ms": round(statistics.median(samples), 2), "p95_ms": round(percentile(samples, 0.95), 2)}


class Command(BaseCommand):
    help = (
        "Times the configurator round trip (validate + preview + quote) per template; JSON on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", default="demo", help="The network's slug.")
        parser.add_argument("--iterations", type=int, default=50)

    def handle(self, *args, tenant: str, iterations: int, **options):
        network = Tenant.objects.filter(slug=tenant).first()
        if network is None:
            raise CommandError(f"No network {tenant!r}; seed it first (manage.py seed_demo).")
        host = network.get_primary_domain().domain
        connection.set_tenant(network)
        templates = [(t.slug, template_spec_for(t)) for t in template_list_active()]
        connection.set_schema_to_public()
        if not templates:
            raise CommandError(f"{tenant!r} has no active templates.")
        client = Client(HTTP_HOST=host)
        results = {}
        # Without DEBUG, as in production: no query log kept per request. One client asks for every quote, so
        # the per-client quote limit (apps/storefront/throttles.py) is lifted: this measures the quote itself.
        with override_settings(DEBUG=False, QUOTE_THROTTLE_RATE="1000000/min"):
            for slug, spec in templates:
                results[slug] = self._bench_template(client, slug, spec, iterations)
                self.stdout.write(f"{slug}: {json.dumps(results[slug])}")
        self.stdout.write(json.dumps({"tenant": tenant, "iterations": iterations, "templates": results}))

    def _bench_template(self, client: Client, slug: str, spec, iterations: int) -> dict:
        base = {key: str(value) for key, value in spec.defaults().items()}
        number = next((p for p in spec.parameters if p.kind == ParameterKind.NUMBER and p.step), None)
        timings = {"htmx_roundtrip": [], "preview_svg": [], "api_quote": [], "sum_all": []}
        for i in range(WARMUP + iterations):
            values = dict(base)
            if number is not None:
                span = int((number.max_value - number.min_value) / number.step)
                values[number.key] = str(number.min_value + (i % (span + 1)) * number.step)
            started = time.perf_counter()
            live = client.post(f"/catalog/{slug}/validate/", values, HTTP_HX_REQUEST="true")
            after_live = time.perf_counter()
            preview = client.get(f"/catalog/{slug}/preview.svg", values)
            after_preview = time.perf_counter()
            quote = client.post(
                "/api/v1/quotes/", {"template": slug, "values": values}, content_type="application/json"
            )
            finished = time.perf_counter()
            if live.status_code != 200 or b'class="price"' not in live.content:
                raise CommandError(
                    f"{slug}: the live validation did not return a price ({live.status_code})."
                )
            if preview.status_code != 200 or quote.status_code != 200:
                raise CommandError(f"{slug}: preview {preview.status_code}, quote {quote.status_code}.")
            if i < WARMUP:
                continue
            timings["htmx_roundtrip"].append((after_live - started) * 1000)
            timings["preview_svg"].append((after_preview - after_live) * 1000)
            timings["api_quote"].append((finished - after_preview) * 1000)
            timings["sum_all"].append((finished - started) * 1000)
        return {name: _stats(samples) for name, samples in timings.items()}
