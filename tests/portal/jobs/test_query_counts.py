"""The list pages read a fixed number of queries however many jobs, legs and statements there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.orders.scope import Scope
from apps.orders.services import work_item_accept
from apps.payouts.profit_share.statements import statement_refresh_for_order
from tests.portal.jobs.builders import api, plan_order

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    """Statements of one request, asked once before (caches filled on first use — the session read into the cache
    after sign-in — count in neither measurement)."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def more_orders(tenant, plan_kwargs, count: int):
    """Planned orders whose supplier job is accepted and waits for its parts (the inbox says what for)."""
    with schema_context(tenant.schema_name):
        for _ in range(count):
            plan = plan_order(**plan_kwargs)
            work_item_accept(work_item_id=plan.mine.pk, actor=None, scope=Scope.SYSTEM)
            statement_refresh_for_order(order_id=plan.order.pk)


@pytest.fixture
def companies(supplier_a, other_supplier_a, carrier_a, other_carrier_a):
    return {
        "supplier": supplier_a,
        "other_supplier": other_supplier_a,
        "carrier": carrier_a,
        "other_carrier": other_carrier_a,
    }


def test_supplier_lists_do_not_grow_with_jobs(supplier_portal, tenant_a, companies):
    more_orders(tenant_a, companies, 1)
    urls = ["/portal/", "/portal/jobs/", "/portal/earnings/"]
    before = {url: queries(supplier_portal, url) for url in urls}
    more_orders(tenant_a, companies, 3)
    after = {url: queries(supplier_portal, url) for url in urls}
    assert after == before
    assert supplier_portal.get("/portal/jobs/").content.decode().count("Waiting for") == 4


def test_supplier_api_job_list_does_not_grow_with_jobs(supplier_a, tenant_a, companies):
    """The API's job list says what each job waits for with one lookup for the whole page."""
    client = api(supplier_a)
    more_orders(tenant_a, companies, 1)
    # The token's first use records when it was last used (at most once a minute): not part of the page's cost.
    client.get("/api/v1/supplier/jobs/")
    before = queries(client, "/api/v1/supplier/jobs/")
    more_orders(tenant_a, companies, 3)
    assert queries(client, "/api/v1/supplier/jobs/") == before
    jobs = client.get("/api/v1/supplier/jobs/").json()["results"]
    assert sum(1 for job in jobs if job["waiting_for"]) == 4


def test_carrier_lists_do_not_grow_with_legs(carrier_portal, tenant_a, companies):
    more_orders(tenant_a, companies, 1)
    urls = ["/portal/carrier/legs/", "/portal/carrier/earnings/"]
    before = {url: queries(carrier_portal, url) for url in urls}
    more_orders(tenant_a, companies, 3)
    after = {url: queries(carrier_portal, url) for url in urls}
    assert after == before
