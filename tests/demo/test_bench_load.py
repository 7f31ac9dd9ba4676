"""The load benchmark's parts: the summary agrees with locust's own numbers, the copy of the demo network holds
what the run acts on and leaves the demo network as it was, and only a copy is ever dropped."""

import json
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.demo.load.network import LoadNetworkError, load_network_create, load_network_drop
from apps.demo.load.run import LoadRunError, run_seconds
from apps.demo.load.server import is_loopback
from apps.demo.load.summary import percentile, summarise
from apps.demo.seed import demo_seed
from apps.orders.models import Order, WorkItem
from apps.orders.selectors import work_item_waiting_for
from apps.orders.status import WorkItemStatus
from apps.tenants.models import Tenant
from tests.conftest import ROOT

# Run in a child process: importing locust patches the standard library with gevent.
LOCUST_REFERENCE = textwrap.dedent(
    """
    import json, random
    from locust.stats import RequestStats

    stats = RequestStats()
    rng = random.Random(7)
    for name, count, scale in (("fast page", 500, 40.0), ("slow quote", 120, 900.0), ("one", 1, 5.0)):
        for _ in range(count):
            stats.log_request("POST", name, rng.expovariate(1 / scale) + 1, 100)
        for _ in range(count // 10):
            stats.log_error("POST", name, "boom")
    start = stats.total.start_time
    for entry in [*stats.entries.values(), stats.total]:
        entry.start_time = start
    for offset, entry in enumerate(stats.entries.values()):
        entry.last_request_timestamp = start + 8 + offset  # the last request of the run: 10 s after the start
    stats.total.last_request_timestamp = start + 10
    fractions = {"p50_ms": 0.5, "p95_ms": 0.95, "p99_ms": 0.99}
    def numbers(entry):
        row = {key: entry.get_response_time_percentile(f) for key, f in fractions.items()}
        row.update(requests=entry.num_requests, failures=entry.num_failures, requests_per_s=entry.total_rps)
        return row
    expected = {entry.name: numbers(entry) for entry in stats.entries.values()}
    total = numbers(stats.total)
    print(json.dumps({"entries": stats.serialize_stats(), "expected": expected, "total": total}))
    """
)


def test_summary_agrees_with_locusts_own_percentiles_and_rates():
    """Percentiles, counts and requests/s computed from locust's JSON stats equal what locust itself reports."""
    finished = subprocess.run(
        [sys.executable, "-c", LOCUST_REFERENCE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    reference = json.loads(finished.stdout)
    entries = json.loads(json.dumps(reference["entries"]))  # as read back from --json-file: string keys
    summary = summarise(entries)
    assert summary["seconds"] == 10
    assert set(summary["endpoints"]) == set(reference["expected"])
    for name, expected in reference["expected"].items():
        row = summary["endpoints"][name]
        assert row["requests_per_s"] == pytest.approx(expected.pop("requests_per_s"), abs=0.01)
        assert {key: row[key] for key in expected} == expected, name
    total = reference["total"]
    assert summary["total"]["requests_per_s"] == pytest.approx(total.pop("requests_per_s"), abs=0.01)
    assert {key: summary["total"][key] for key in total} == total
    assert summary["endpoints"]["slow quote"]["p95_ms"] > summary["endpoints"]["fast page"]["p95_ms"]


def test_percentile_walks_the_histogram_like_locust():
    """Locust's percentile is the slowest bucket at or below which more than the share lies: of 100 requests
    (50 at 10 ms, 45 at 20 ms, 4 at 300 ms, 1 at 900 ms) p50 is 20, p95 300 and p99 900."""
    histogram = {10: 50, 20: 45, 300: 4, 900: 1}
    assert [percentile(histogram, 100, f) for f in (0.5, 0.95, 0.99)] == [20, 300, 900]
    assert percentile({}, 0, 0.5) == 0
    summary = summarise(
        [
            {
                "name": "page",
                "method": "GET",
                "num_requests": 100,
                "num_failures": 2,
                "response_times": {"10": 50, "20": 45, "300": 4, "900": 1},
                "start_time": 100.0,
                "last_request_timestamp": 150.0,
            },
            {
                "name": "quote",
                "method": "POST",
                "num_requests": 50,
                "num_failures": 0,
                "response_times": {"900": 50},
                "start_time": 101.0,
                "last_request_timestamp": 149.0,
            },
        ]
    )
    assert summary["endpoints"]["page"] == {
        "requests": 100,
        "failures": 2,
        "p50_ms": 20,
        "p95_ms": 300,
        "p99_ms": 900,
        "requests_per_s": 2.0,
    }
    assert summary["seconds"] == 50 and summary["endpoints"]["quote"]["requests_per_s"] == 1.0
    # All requests together: 150 over the 50 s run; a third of them at 900 ms.
    assert summary["total"] == {
        "requests": 150,
        "failures": 2,
        "p50_ms": 20,
        "p95_ms": 900,
        "p99_ms": 900,
        "requests_per_s": 3.0,
    }


@pytest.mark.django_db
def test_only_a_load_copy_is_ever_dropped(tenant_a):
    """A real network that happens to carry the copy's subdomain is refused, and stays."""
    with pytest.raises(LoadNetworkError):
        load_network_drop(slug=tenant_a.slug)
    assert Tenant.objects.filter(slug=tenant_a.slug).exists()
    assert load_network_drop(slug="no-such-copy") is False


@pytest.mark.django_db
def test_the_copy_holds_the_demo_network_and_what_the_run_acts_on(stripe_server):
    """The copy has the demo network's rows plus signed-in customers, offered jobs for members of their
    workshops and the webhook secret; dropping it removes the copy and leaves the demo network unchanged."""
    demo = demo_seed()
    connection.set_schema_to_public()
    with schema_context(demo.schema_name):
        demo_orders = Order.objects.count()
        demo_items = WorkItem.objects.count()
    copy = load_network_create(source_slug="demo", slug="loadtest", customers=2, suppliers=1, job_orders=2)
    plan = copy.plan
    assert plan["host"] == f"loadtest.{settings.PLATFORM_DOMAIN}"
    assert len(plan["customers"]) == 2 and {t["slug"] for t in plan["templates"]} >= {"dining-table"}
    [slot] = plan["suppliers"]
    with schema_context(copy.tenant.schema_name):
        assert Order.objects.count() == demo_orders + 2
        assert WorkItem.objects.filter(pk__in=slot["jobs"], status=WorkItemStatus.OFFERED).count() == len(
            slot["jobs"]
        )
        # First steps only: once accepted, the run's start of each must not wait for another job or a delivery.
        jobs = list(WorkItem.objects.filter(pk__in=slot["jobs"]))
        assert jobs and all(not job.predecessor_keys for job in jobs)
        assert work_item_waiting_for(jobs) == {}
        assert len(plan["webhook_secret"]) > 10
    # The sessions are real sign-ins on the copy's host: the member sees the inbox, the customer the cart.
    member = Client(HTTP_HOST=plan["host"])
    member.cookies[plan["session_cookie"]] = slot["session"]
    inbox = member.get("/portal/jobs/")
    assert inbox.status_code == 200 and f"/portal/jobs/{slot['jobs'][0]}/" in inbox.content.decode()
    customer = Client(HTTP_HOST=plan["host"])
    customer.cookies[plan["session_cookie"]] = plan["customers"][0]["session"]
    assert customer.get("/cart/").status_code == 200
    connection.set_schema_to_public()
    assert load_network_drop(slug="loadtest") is True
    assert not Tenant.objects.filter(slug="loadtest").exists()
    with schema_context(demo.schema_name):
        assert (Order.objects.count(), WorkItem.objects.count()) == (demo_orders, demo_items)


def test_the_run_targets_loopback_only_and_reads_locusts_run_time():
    assert all(
        is_loopback(url) for url in ("http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:80/")
    )
    assert is_loopback("http://demo.localhost:8000")
    assert not any(
        is_loopback(url) for url in ("http://10.0.0.1", "http://example.com", "http://192.168.1.2")
    )
    assert [run_seconds(text) for text in ("30s", "2m", "1m30s", "45")] == [30, 120, 90, 45]
    with pytest.raises(LoadRunError):
        run_seconds("soon")
