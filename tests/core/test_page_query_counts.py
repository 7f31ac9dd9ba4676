"""The main pages read a fixed number of queries however much they show: each page is rendered over N rows and
again over 3N rows, and the two counts must be equal (a query per row — an N+1 — would add 2N queries).

Every page is asked once before it is counted, so caches filled on first use (content types, template specs)
count in neither measurement.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.demo.catalog import catalog_demo_seed
from apps.orders.models import Order, WorkItem
from apps.orders.scope import Scope
from apps.orders.services import (
    PlannedLeg,
    PlannedWorkItem,
    order_plan_apply,
    work_item_accept,
    work_item_problem_report,
)
from apps.orders.services.transitions import order_transition
from apps.orders.status import OrderStatus
from apps.payouts.models import Transfer
from apps.payouts.payments.charges import charge_record
from apps.payouts.reconciliation.runs import reconciliation_run
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item, transfer_send
from apps.processes.standard import STANDARD_PROCESS_CODES
from tests.conftest import sign_in
from tests.orders.conftest import open_cell, small_network
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay, stripe_wipe
from tests.portal.jobs.builders import paid_order, tomorrow_at
from tests.suppliers.factories import make_asset_owner, make_carrier, make_member, make_resource

pytestmark = pytest.mark.django_db

N = 2
LITERALS = re.compile(r"'[^']*'|\b\d+\b")


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    return LITERALS.sub("?", sql)


def _grown(small: list[str], large: list[str]) -> str:
    """The statements (literals blanked) the larger page ran more often: where the per-row query is."""
    extra = Counter(map(_shape, large)) - Counter(map(_shape, small))
    return "\n".join(f"{count}x {sql[:300]}" for sql, count in extra.most_common(5))


def assert_same_count(
    client, small_url: str, large_url: str | None = None, *, grow=None, cold: bool = False
) -> int:
    """Counts `small_url`, calls `grow()` (when given), counts `large_url` (default: the same page). `cold`: each
    counted request starts from an empty cache, so a body kept under its rows' fingerprint is drawn again from
    its rows (the path every change takes: it must not grow either)."""

    def counted(url: str) -> list[str]:
        if cold:
            cache.clear()
        return _queries(client, url)

    _queries(client, small_url)
    small = counted(small_url)
    if grow is not None:
        grow()
    large_url = large_url or small_url
    _queries(client, large_url)
    large = counted(large_url)
    assert len(large) == len(small), (
        f"{large_url}: {len(small)} → {len(large)} queries\n{_grown(small, large)}"
    )
    return len(small)


# --- builders (in the connection's schema: alpha's) ---------------------------------------------------------


def more_templates(count: int) -> None:
    start = ProductTemplate.objects.count()
    ProductTemplate.objects.bulk_create(
        ProductTemplate(
            name=f"Product {i}", slug=f"product-{i}", category=f"Category {i % 3}", description="d"
        )
        for i in range(start, start + count)
    )


def more_workshops(count: int) -> None:
    """Approved, onboarded asset owners with a resource for every process, open every day: quote candidates."""
    for _ in range(count):
        owner = make_asset_owner("Extra Works", onboarded=True)
        for code in STANDARD_PROCESS_CODES:
            open_cell(owner, code)


def a_design(customer, name: str = "Kitchen table"):
    template = next(t for t in catalog_demo_seed() if t.slug == "dining-table")
    return design_create(
        owner=customer, template=template, name=name, values=template_spec_for(template).defaults()
    )


def planned_order(customer, version, supplier, carrier, *, jobs: int, accepted: bool = False) -> Order:
    """A paid order planned as `jobs` jobs on the supplier's resource, each followed by a leg of the carrier.

    `accepted`: the jobs are accepted and each follows the one before (same site, so no leg between them):
    all but the first wait for their predecessor, which the job list says."""
    order = paid_order(customer, version)
    line = order.lines.get()
    start = tomorrow_at(8)
    items = [
        PlannedWorkItem(
            line_id=line.pk,
            step_key=f"step{i}",
            name=f"Step {i}",
            process="cnc_milling",
            resource_id=supplier.resource.pk,
            asset_owner_id=supplier.company.pk,
            planned_start=start + timedelta(hours=i),
            planned_end=start + timedelta(hours=i + 1),
            cost_minor=1_000,
            predecessor_keys=(f"step{i - 1}",) if accepted and i else (),
        )
        for i in range(jobs)
    ]
    legs = [
        PlannedLeg(
            carrier_id=carrier.company.pk,
            from_asset_owner_id=supplier.company.pk,
            to_asset_owner_id=None,
            planned_departure=start + timedelta(hours=i + 1),
            planned_arrival=start + timedelta(hours=i + 5),
            cost_minor=500,
            from_step=(line.pk, f"step{i}"),
            is_last_mile=True,
            distance_km=Decimal("10"),
            weight_kg=Decimal("5"),
        )
        for i in range(jobs)
    ]
    order_plan_apply(order_id=order.pk, items=items, legs=legs, actor_label="test planner")
    if accepted:
        for item in order.work_items.all():
            work_item_accept(work_item_id=item.pk, actor=None, scope=Scope.SYSTEM)
    return Order.objects.get(pk=order.pk)


@dataclass
class Company:
    company: object
    user: object
    resource: object = None


@pytest.fixture
def workshop(in_tenant_a) -> Company:
    """An approved asset owner of alpha with one resource and a member who signs in to its portal."""
    owner = make_asset_owner("Alpha Milling")
    return Company(owner, make_member(owner), make_resource(owner))


@pytest.fixture
def haulier(in_tenant_a) -> Company:
    carrier = make_carrier("Alpha Haulage")
    return Company(carrier, make_member(carrier))


# --- storefront -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/catalog/"])
def test_storefront_home_and_catalog_do_not_grow_with_templates(client_a, in_tenant_a, url):
    more_templates(N)
    assert_same_count(client_a, url, grow=lambda: more_templates(2 * N))


CONFIGURATOR_QUERIES = 5


def test_configurator_page_does_not_grow_with_workshops_or_templates(client_a, in_tenant_a, stripe_server):
    """The page's live quote matches the design against every eligible workshop: more of them, same queries."""
    catalog_demo_seed()
    small_network()
    more_workshops(N)
    url = "/catalog/dining-table/"
    before = client_a.get(url).context["quote"]

    def grow():
        more_workshops(2 * N)
        more_templates(2 * N)

    count = assert_same_count(client_a, url, grow=grow)
    # The template in one statement, its definition from the process's cache (apps/catalog/spec_cache.py),
    # the rating, and no review list when there is no review: 5 fewer than with the definition's four reads.
    assert count <= CONFIGURATOR_QUERIES, f"{count} queries"
    after = client_a.get(url).context["quote"]
    assert before.source == after.source == "network_match", (before.source, after.source)
    assert after.asset_owner_count >= 1


def test_design_list_does_not_grow_with_designs(in_tenant_a, signed_in, customer):
    for i in range(N):
        a_design(customer, f"Table {i}")
    assert_same_count(
        signed_in, "/designs/", grow=lambda: [a_design(customer, f"More {i}") for i in range(2 * N)]
    )


# --- the customer's orders --------------------------------------------------------------------------------------


# The order page's repeat view: the session, the user, the fingerprint of every row its body shows (the body is
# then read from the cache: apps/storefront/order_page.py) and the header's cart count.
ORDER_LIST_QUERIES, ORDER_PAGE_QUERIES = 4, 4


def test_order_list_and_order_page_do_not_grow_with_orders_jobs_and_legs(
    signed_in, customer, workshop, haulier
):
    version = a_design(customer).current_version
    small = planned_order(customer, version, workshop, haulier, jobs=N)
    listed = assert_same_count(
        signed_in,
        "/orders/",
        grow=lambda: [planned_order(customer, version, workshop, haulier, jobs=1) for _ in range(2 * N)],
    )
    large = planned_order(customer, version, workshop, haulier, jobs=3 * N)
    assert large.work_items.count() == 3 * small.work_items.count()
    shown = assert_same_count(signed_in, f"/orders/{small.pk}/", f"/orders/{large.pk}/")
    # The host look-up with no SET of its own, the session from the cache, and only what the page shows.
    assert listed <= ORDER_LIST_QUERIES and shown <= ORDER_PAGE_QUERIES, (listed, shown)


# --- supplier and carrier portals -------------------------------------------------------------------------------

# Bounds that may only go down (issue 18), with the session and the user read by the shared layers and the
# member's company by the portal. While nothing they show changed, the job list and the board read one
# fingerprint of their rows, in the membership's own statement (apps/suppliers/access.py `along`), and no rows
# (apps/core/content_cache.py), the job page its job and the fingerprint of every row its card shows, in the same
# statement (apps/portal/job_page.py), with or without checks and problems. Drawn again (COLD: after a change, or an
# empty cache) they read the fingerprint again in one snapshot with their rows: the job list its live and done
# jobs in one statement and what
# they wait for; the board its live legs, what each waits for, one page of delivered legs and their total in one
# statement; the job page the statement's reads (order, order money, policy, transfers, jobs, legs, lines,
# stored revision).
JOB_LIST_QUERIES, JOB_LIST_COLD_QUERIES = 3, 8
LEG_BOARD_QUERIES, LEG_BOARD_COLD_QUERIES = 3, 6
JOB_PAGE_QUERIES, JOB_PAGE_COLD_QUERIES = 3, 16


def test_supplier_job_list_and_carrier_leg_list_do_not_grow_with_jobs_and_legs(
    client_a, tenant_a, customer, workshop, haulier
):
    """Offered jobs, and accepted ones waiting for their predecessors (what each waits for is read for all)."""
    version = a_design(customer).current_version
    planned_order(customer, version, workshop, haulier, jobs=N)
    planned_order(customer, version, workshop, haulier, jobs=N, accepted=True)

    def grow():
        for accepted in (False, False, True, True):
            planned_order(customer, version, workshop, haulier, jobs=N, accepted=accepted)

    assert WorkItem.objects.filter(asset_owner=workshop.company).count() == 2 * N
    supplier = sign_in(client_a, tenant_a, workshop.user)
    jobs = assert_same_count(supplier, "/portal/jobs/", grow=grow)
    assert WorkItem.objects.filter(asset_owner=workshop.company).count() == 6 * N
    assert (
        supplier.get("/portal/jobs/").content.decode().count("Waiting for &#x27;Step 0&#x27; (accepted)") == 3
    )
    assert jobs <= JOB_LIST_QUERIES, f"{jobs} queries"
    jobs_cold = assert_same_count(supplier, "/portal/jobs/", grow=grow, cold=True)
    assert jobs_cold <= JOB_LIST_COLD_QUERIES, f"{jobs_cold} queries"
    carrier = sign_in(client_a, tenant_a, haulier.user)
    legs = assert_same_count(carrier, "/portal/carrier/legs/", grow=grow)
    assert legs <= LEG_BOARD_QUERIES, f"{legs} queries"
    legs_cold = assert_same_count(carrier, "/portal/carrier/legs/", grow=grow, cold=True)
    assert legs_cold <= LEG_BOARD_COLD_QUERIES, f"{legs_cold} queries"


def test_supplier_job_page_does_not_grow_with_the_orders_jobs_and_legs(
    client_a, tenant_a, customer, workshop, haulier
):
    """The page's statement reads every part of the order: a job of a larger order, same statements. A job with no
    quality check, problem or uploaded part reads none of them."""
    version = a_design(customer).current_version
    small = planned_order(customer, version, workshop, haulier, jobs=N)
    large = planned_order(customer, version, workshop, haulier, jobs=3 * N)
    supplier = sign_in(client_a, tenant_a, workshop.user)
    first = small.work_items.order_by("pk").first().pk
    pages = (f"/portal/jobs/{first}/", f"/portal/jobs/{large.work_items.order_by('pk').first().pk}/")
    # The clock stopped: an offer's kept card turns with its countdown's minute; that moment falling between a
    # warming request and the counted one would count a drawing. Half a minute from the next one, the cache keeps
    # the card for half a real minute (page_body_set expires it with its countdown).
    now = timezone.now()
    WorkItem.objects.filter(order__in=(small, large)).update(
        offer_deadline=now + timedelta(hours=5, seconds=30)
    )
    with time_machine.travel(now, tick=False):
        cold = assert_same_count(supplier, *pages, cold=True)
        count = assert_same_count(supplier, *pages)
    assert cold <= JOB_PAGE_COLD_QUERIES, f"{cold} queries"
    assert count <= JOB_PAGE_QUERIES, f"{count} queries"


# --- back office --------------------------------------------------------------------------------------------------


def test_backoffice_dashboard_does_not_grow_with_orders_or_workshops(
    client_a, tenant_a, make_user, customer, workshop, haulier
):
    version = a_design(customer).current_version

    def order_with_a_problem():
        """A planned order whose supplier reported a problem on its first job (the open problems card)."""
        order = planned_order(customer, version, workshop, haulier, jobs=2)
        work_item_problem_report(
            work_item_id=order.work_items.order_by("pk").first().pk,
            actor=workshop.user,
            reason="Oak is late",
            scope=Scope.SYSTEM,
        )

    for _ in range(N):
        order_with_a_problem()

    def grow():
        for _ in range(2 * N):
            order_with_a_problem()
        more_workshops(2)

    staff = sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))
    # The clock stopped: the kept body turns with the minute and each shown problem's age; one of those moments
    # falling between a warming request and the counted one would count a drawing.
    with time_machine.travel(timezone.now(), tick=False):
        count = assert_same_count(staff, "/backoffice/", grow=grow)
        cold = assert_same_count(staff, "/backoffice/", grow=grow, cold=True)
    # Kept: the body is one statement (the count of writes to its tables) and a cache read. Cold: that statement,
    # then the cards, each "first rows and how many" one statement (a window count), utilisation one fingerprint
    # and, with an empty cache, its four reads in one snapshot.
    assert count <= DASHBOARD_QUERIES, f"{count} queries"
    assert cold <= DASHBOARD_COLD_QUERIES, f"{cold} queries"


DASHBOARD_QUERIES, DASHBOARD_COLD_QUERIES = 3, 18


def test_staff_order_admin_page_does_not_grow_with_jobs_legs_and_events(
    client_a, tenant_a, make_user, customer, workshop, haulier
):
    """The jobs, legs and events tables name companies, machines and people: read with the rows, not per cell."""
    version = a_design(customer).current_version
    small = planned_order(customer, version, workshop, haulier, jobs=N)
    large = planned_order(customer, version, workshop, haulier, jobs=3 * N, accepted=True)
    assert large.events.count() > small.events.count()
    staff = sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))
    assert_same_count(
        staff, f"/admin/orders/order/{small.pk}/change/", f"/admin/orders/order/{large.pk}/change/"
    )


def _settled_order(jobs: int) -> Order:
    """An order paid at the local Stripe server whose `jobs` jobs are done and transferred to their owners."""
    owners, _ = make_participants(owners=jobs, carriers=0)
    order = make_order(total_minor=10_000 * jobs, items=[(owner, 4_000) for owner in owners])
    charge_record(charge_id=pay(order)["id"])
    for status in (OrderStatus.PLANNED, OrderStatus.IN_PRODUCTION):
        order_transition(order_id=order.pk, to=status, actor_label="test")
    for item in WorkItem.objects.filter(order=order).order_by("pk"):
        finish_work_item(item)
        transfer_send(transfer_id=transfer_release_for_work_item(work_item_id=item.pk).pk)
    return order


@pytest.fixture
def finance(client_a, tenant_a, make_user, in_tenant_a, stripe_server):
    stripe_wipe()  # the session's local Stripe server: only this test's accounts and charges
    user = make_user(tenant_a, Role.FINANCE)
    connection.set_tenant(tenant_a)
    return sign_in(client_a, tenant_a, user)


# A repeat view: the user and the fingerprint of every row the body shows (the body is then read from the cache:
# apps/backoffice/finance_order_page.py).
FINANCE_ORDER_QUERIES = 3


def test_finance_order_page_does_not_grow_with_jobs_and_transfers(finance):
    small, large = _settled_order(N), _settled_order(3 * N)
    assert (
        Transfer.objects.filter(order=large).count()
        == 3 * Transfer.objects.filter(order=small).count()
        == 3 * N
    )
    count = assert_same_count(
        finance, f"/backoffice/finance/orders/{small.pk}/", f"/backoffice/finance/orders/{large.pk}/"
    )
    # The order and its transfers are read once (the money flow reuses the page's rows), whether the order has
    # settled is read with the order, and the request's host look-up and session cost no statement of their own.
    assert count <= FINANCE_ORDER_QUERIES, f"{count} queries"


def _stripe_transactions(count: int) -> list[dict]:
    """Balance transactions the ledger does not know (transfers made in the Dashboard): one difference each."""
    created = int(timezone.now().timestamp())
    return [
        {
            "id": f"txn_{uuid.uuid4().hex[:16]}",
            "type": "transfer",
            "source": f"tr_{uuid.uuid4().hex[:16]}",
            "amount": -1_000,
            "fee": 0,
            "net": -1_000,
            "currency": "eur",
            "created": created,
        }
        for _ in range(count)
    ]


def _reconcile(count: int):
    return reconciliation_run(
        trigger="test", transactions=_stripe_transactions(count), stripe_balance={}, grace=timedelta(0)
    )


def test_reconciliation_list_and_run_page_do_not_grow_with_runs_and_differences(finance):
    """The finance home lists the latest runs; a run's page lists its differences."""
    small = _reconcile(N)
    _reconcile(0)
    assert_same_count(finance, "/backoffice/finance/", grow=lambda: [_reconcile(0) for _ in range(2 * N)])
    large = _reconcile(2 * N)  # the run lists every difference still open: N + 2N
    assert (small.missing_in_ledger, large.missing_in_ledger) == (N, 3 * N)
    assert_same_count(
        finance,
        f"/backoffice/finance/reconciliation/{small.pk}/",
        f"/backoffice/finance/reconciliation/{large.pk}/",
    )
