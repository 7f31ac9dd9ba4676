"""bench_pages' parts: wrk's report is read with its failures, the floor page lists 50 rows and exists only for the
benchmark, and every page the run measures answers 200 to its person in the copy of the demo network."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIRequestFactory

from apps.demo.load.network import load_network_drop
from apps.demo.pages.floor import FLOOR_PATH, FLOOR_ROWS, FloorList
from apps.demo.pages.targets import pages_network_create
from apps.demo.pages.wrk import wrk_parse
from apps.demo.seed import demo_seed
from apps.tenants.models import Tenant

WRK_REPORT = """Running 5s test @ http://127.0.0.1:46599/_bench/floor/
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   424.74ms   85.59ms 578.00ms   80.53%
    Req/Sec    25.93     14.33    50.00     64.00%
  226 requests in 5.04s, 0.89MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:     44.84
Transfer/sec:    180.62KB
"""


def test_wrk_report_is_read_with_its_failures():
    measured = wrk_parse(WRK_REPORT)
    assert (measured.requests, measured.requests_per_s, measured.failed) == (226, 44.84, 7)
    clean = WRK_REPORT.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "").replace(
        "  Non-2xx or 3xx responses: 4\n", ""
    )
    assert wrk_parse(clean).failed == 0


@pytest.mark.django_db
def test_the_floor_lists_fifty_rows_and_is_routed_only_for_the_benchmark(client_a, in_tenant_a):
    assert settings.BENCH_FLOOR_PAGE is False
    assert client_a.get(FLOOR_PATH).status_code == 404
    response = FloorList.as_view()(APIRequestFactory().get(FLOOR_PATH))
    assert response.status_code == 200
    assert len(response.data) == FLOOR_ROWS and {"id", "name", "codename"} == set(response.data[0])


def test_production_never_routes_the_floor_page_whatever_the_environment_says():
    """BENCH_FLOOR_PAGE=true in a production environment (a copied .env, a stray export) routes nothing."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "p" * 20 + "Zq8-Ldm3_xYv0RtWbN4pHs9JcE1uFgK7aQ2oMi",
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "BENCH_FLOOR_PAGE": "true",
    }
    probe = (
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/_bench/floor/', urlconf='config.urls_tenants'); print('routed')\n"
        "except Resolver404:\n    print('not routed')"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1:] == ["not routed"], result.stdout + result.stderr


@pytest.mark.django_db
def test_every_measured_page_answers_its_person_in_the_copy(stripe_server):
    """The pages are each role's (a redirect to sign in would measure nothing), and dropping the copy removes it."""
    demo_seed()
    connection.set_schema_to_public()
    copy = pages_network_create(source_slug="demo", slug="pagestest")
    names = [page.name for page in copy.pages]
    assert len(names) == 10
    assert {"configurator", "customer's order page", "carrier legs", "finance order page"} <= set(names)
    with schema_context(copy.tenant.schema_name):
        for page in copy.pages:
            client = Client(HTTP_HOST=copy.host)
            if page.session:
                client.cookies[settings.SESSION_COOKIE_NAME] = page.session
            assert client.get(page.path).status_code == 200, page
    connection.set_schema_to_public()
    assert load_network_drop(slug="pagestest") is True
    assert not Tenant.objects.filter(slug="pagestest").exists()
