"""Journey 5: a supplier declines a job, the network re-plans it elsewhere, staff watch and re-plan it again from
the back office, and the customer's order page shows the new plan and its ETA.

What the product does (apps/orders/services/work.py, apps/matching/services/modes.py): a decline asks matching
for a re-plan by itself (through the outbox, the worker's `matching.replan_order`): a narrow re-plan that frees
the declined step and the steps after it, with the company that declined excluded from that step. Staff see that run, its
status and its explanation per step in the back office, and may ask for a wide re-plan of the order ("Re-plan
now"), a queued run whose progress the run page polls (htmx) until it is done.

Setup goes through the real services: a customer's cart of the demo phone stand is quoted, checked out and paid
at the session's local Stripe server; the session's worker plans it (matching's commit)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.services import design_create
from apps.core.when import format_day
from apps.demo.seed import DEMO_OWNER, DEMO_PASSWORD
from apps.matching.models import MatchingRun, RunMode, RunOutcome, RunStatus
from apps.orders import checkout
from apps.orders.models import Order, Place, WorkItem
from apps.orders.services import AddressInput, cart_address_set, cart_line_add
from apps.orders.status import WORK_ITEM_ACTIVE, OrderStatus, WorkItemStatus
from apps.suppliers.services import participant_member_add
from tests.browser.conftest import browser_sign_in, network_url
from tests.conftest import PASSWORD, wait_for

pytestmark = pytest.mark.browser

PLANNING_TIMEOUT_S = 120  # the single test worker may still be planning the demo seed's paid order first
DECLINE_REASON = "Our print farm is booked solid for a trade fair that week."


def _paid_order(customer) -> Order:
    """The customer's cart of one phone stand (the demo catalog's defaults) to Amsterdam, quoted, checked out
    and paid with the test card at the local Stripe server, all through the orders services."""
    template = ProductTemplate.objects.get(slug="phone-stand")
    design = design_create(
        owner=customer,
        template=template,
        name="Desk phone stand",
        values=template_spec_for(template).defaults(),
    )
    cart_line_add(customer=customer, design_version=design.current_version, quantity=1)
    cart_address_set(
        customer=customer,
        address=AddressInput(
            recipient_name="Re Plan", address_line="Damrak 1", place_id=Place.objects.get(name="Amsterdam").pk
        ),
        requested_delivery_date=None,
    )
    quoted = checkout.cart_quote(customer=customer)
    assert quoted.quote is not None, quoted.error
    placed = checkout.checkout_place(
        customer=customer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    )
    assert placed.order is not None and not placed.changed
    paid = checkout.checkout_pay(order=placed.order, payment_method="pm_card_visa")
    assert paid.status == "paid", paid.message
    return paid.order


def _active_item(order_id: int, step_key: str) -> WorkItem | None:
    return (
        WorkItem.objects.select_related("asset_owner", "resource")
        .filter(order_id=order_id, step_key=step_key, status__in=WORK_ITEM_ACTIVE)
        .first()
    )


def _long_date(moment: datetime, zone: ZoneInfo) -> str:
    """The day as every page writes it (apps.core.when, e.g. "Tue 3 Jun 2025"), in the network's time zone."""
    with timezone.override(zone):
        return format_day(moment)


def _expect_eta(page: Page, eta: datetime, zone: ZoneInfo) -> None:
    """The order page's "Expected arrival": the ETA's day in the network's time zone, the exact moment in its
    datetime attribute."""
    shown = page.locator("#order-eta time")
    expect(shown).to_have_text(_long_date(eta, zone))
    assert datetime.fromisoformat(shown.get_attribute("datetime")) == eta


def test_staff_replan_after_a_supplier_declines_and_the_customer_sees_the_new_eta(
    page: Page, new_context, platform_server, demo_network, django_db_blocker
):
    base = network_url(platform_server, demo_network.slug)
    zone = ZoneInfo(demo_network.time_zone)
    tag = uuid.uuid4().hex[:6]
    customer_email = f"replan-customer-{tag}@example.test"
    member_email = f"replan-supplier-{tag}@example.test"

    with django_db_blocker.unblock(), schema_context(demo_network.schema_name):
        assert connection.settings_dict["NAME"].startswith("test_")
        customer = user_create(email=customer_email, password=PASSWORD, role=Role.CUSTOMER)
        order = _paid_order(customer)
        # Payment asked matching for a plan through the outbox; the session's worker commits it.
        wait_for(
            lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PLANNED, timeout=PLANNING_TIMEOUT_S
        )
        order.refresh_from_db()
        first = (
            WorkItem.objects.select_related("asset_owner", "resource")
            .filter(order=order, status=WorkItemStatus.OFFERED)
            .order_by("planned_start", "id")
            .first()
        )
        assert first is not None and first.resource is not None
        declined_owner, declined_resource = first.asset_owner, first.resource
        eta_before = order.eta
        # A portal member of the workshop holding the first offered job, added the way staff add one.
        member = user_create(email=member_email, password=PASSWORD, role=Role.SUPPLIER_MEMBER)
        participant_member_add(participant=declined_owner, user=member)

    # --- the customer opens the order page and keeps it open: the plan as committed -----------------------------
    shopper = new_context().new_page()
    browser_sign_in(shopper, base, customer_email, PASSWORD)
    shopper.goto(f"{base}/orders/")
    shopper.get_by_role("link", name=order.reference, exact=True).click()
    expect(shopper.get_by_role("heading", level=1)).to_have_text(f"Order {order.reference}")
    expect(shopper.locator("#order-status")).to_have_text("Planned")
    gantt = shopper.get_by_role("img", name="Production and transport plan")
    expect(gantt).to_contain_text(f"{first.name} at {declined_owner.name}")
    _expect_eta(shopper, eta_before, zone)

    # --- the supplier declines the job, with a reason, in its portal --------------------------------------------
    browser_sign_in(page, base, member_email, PASSWORD)
    page.goto(f"{base}/portal/jobs/")
    offers = page.locator("section").filter(has=page.get_by_role("heading", name=re.compile(r"^Offers")))
    offer = offers.get_by_role("row").filter(has_text=order.reference)
    offer.filter(has=page.get_by_role("link", name=first.name, exact=True)).get_by_role(
        "link", name="Review"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.reference)
    card = page.locator("#job-card")
    expect(card).to_contain_text(declined_resource.name)
    expect(card.get_by_text("Offered", exact=True)).to_be_visible()

    # No reason, no decline: the card says why and the job stays offered.
    page.get_by_role("button", name="Decline the job").click()
    expect(page.locator("#id_decline-reason_error")).to_contain_text("This field is required.")
    page.get_by_label("Why do you decline?").fill(DECLINE_REASON)
    page.get_by_role("button", name="Decline the job").click()
    expect(card.get_by_role("status")).to_contain_text("Job declined: the network plans it elsewhere.")
    expect(card.get_by_text("Declined", exact=True)).to_be_visible()
    expect(card).to_contain_text(DECLINE_REASON)
    expect(card.get_by_role("button", name="Decline the job")).to_have_count(0)

    with django_db_blocker.unblock(), schema_context(demo_network.schema_name):
        assert WorkItem.objects.get(pk=first.pk).status == WorkItemStatus.DECLINED
        # The decline asked for a re-plan by itself; the worker claims it as a run of its own.
        auto_run = wait_for(
            lambda: (
                MatchingRun.objects.filter(
                    order=order, mode=RunMode.REPLAN, reason=f"Job {first.pk} declined"
                )
                .order_by("id")
                .first()
            ),
            timeout=PLANNING_TIMEOUT_S,
        )

    # --- staff find the automatic re-plan in the back office and read its explanation ---------------------------
    page.context.clear_cookies()
    browser_sign_in(page, base, DEMO_OWNER.email, DEMO_PASSWORD)
    page.goto(f"{base}/backoffice/")
    page.get_by_role("link", name="Matching runs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching runs")
    auto_row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"#{auto_run.pk}", exact=True)
    )
    expect(auto_row).to_contain_text(f"Job {first.pk} declined")
    expect(auto_row).to_contain_text(order.reference)
    # The list polls (htmx) while a run is open: the automatic re-plan finishes on the page.
    expect(auto_row).to_contain_text("Done", timeout=PLANNING_TIMEOUT_S * 1000)
    expect(auto_row).to_contain_text("Applied")
    auto_row.get_by_role("link", name=f"#{auto_run.pk}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Re-plan run #{auto_run.pk} — order {order.reference}"
    )

    with django_db_blocker.unblock(), schema_context(demo_network.schema_name):
        moved = _active_item(order.pk, first.step_key)
        assert moved is not None and moved.pk != first.pk
        assert moved.asset_owner_id != declined_owner.pk and moved.resource_id != declined_resource.pk
        assert moved.plan_run_id == auto_run.pk
    step_row = page.locator("#run-explanation").get_by_role("row").filter(has_text=first.name)
    expect(step_row.get_by_role("cell").nth(1)).to_contain_text(moved.resource.name)
    expect(step_row.get_by_role("cell").nth(1)).to_contain_text(moved.asset_owner.name)
    expect(step_row).to_contain_text(f"{declined_owner.name} declined this job")

    # --- staff re-plan the whole order and watch the run until it is done -----------------------------------------
    polls: list[str] = []
    page.on(
        "request",
        lambda request: polls.append(request.url) if request.headers.get("hx-request") == "true" else None,
    )
    page.get_by_label(f"Re-plan order {order.reference}").fill("Supplier declined: check the whole order")
    page.get_by_role("button", name="Re-plan now").click()
    expect(page.get_by_role("status")).to_contain_text(f"You asked for a re-plan of {order.reference}")
    with django_db_blocker.unblock(), schema_context(demo_network.schema_name):
        staff_run = MatchingRun.objects.filter(order=order, requested_by__email=DEMO_OWNER.email).get()
        assert staff_run.parameters.get("wide") is True
    expect(page).to_have_url(f"{base}/backoffice/matching/runs/{staff_run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Re-plan run #{staff_run.pk} — order {order.reference}"
    )
    expect(page.get_by_text("Supplier declined: check the whole order")).to_be_visible()
    state = page.locator("#run-state")
    first_seen = state.inner_text()
    expect(state).to_have_text("Done", timeout=PLANNING_TIMEOUT_S * 1000)
    expect(page).to_have_url(f"{base}/backoffice/matching/runs/{staff_run.pk}/")  # polled, never reloaded

    with django_db_blocker.unblock(), schema_context(demo_network.schema_name):
        staff_run.refresh_from_db()
        assert staff_run.status == RunStatus.DONE
        assert staff_run.outcome in (RunOutcome.APPLIED, RunOutcome.UNCHANGED), staff_run.outcome
        order.refresh_from_db()
        final = _active_item(order.pk, first.step_key)
        assert final is not None and final.asset_owner_id != declined_owner.pk
        items = list(
            WorkItem.objects.select_related("asset_owner")
            .filter(order=order, status__in=WORK_ITEM_ACTIVE)
            .order_by("planned_start", "id")
        )
        assert order.status == OrderStatus.PLANNED and order.eta is not None
        late = order.is_late  # it reads the order's promise: inside the database block
    expect(page.locator("#run-status")).to_contain_text(staff_run.get_outcome_display())
    final_row = page.locator("#run-explanation").get_by_role("row").filter(has_text=first.name)
    expect(final_row.get_by_role("cell").nth(1)).to_contain_text(final.asset_owner.name)
    expect(final_row).to_contain_text(f"{declined_owner.name} declined this job")
    if first_seen != "Done":  # the page showed the run open: "Done" can only have come by its htmx polling
        assert any(f"/backoffice/matching/runs/{staff_run.pk}/" in url for url in polls), polls

    # --- the customer's open page catches up by itself (htmx polls it every 10 s): the job moved ------------------
    expect(gantt).to_contain_text(f"{first.name} at {moved.asset_owner.name}", timeout=30_000)
    expect(gantt).not_to_contain_text(f"{first.name} at {declined_owner.name}")
    # ...and, read afresh, shows the plan as it stands after staff's run, with its ETA.
    shopper.reload()
    expect(gantt).to_contain_text(f"{first.name} at {final.asset_owner.name}")
    _expect_eta(shopper, order.eta, zone)
    expect(shopper.locator("#order-eta")).to_contain_text("later than promised" if late else "on time")
    # The plan's times table under the chart: one row per job of the plan (the declined job is history).
    table_rows = shopper.locator("#order-live table.plan-times tbody tr")
    for item in items:
        row = table_rows.filter(has_text=item.name)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text(item.asset_owner.name)
    expect(table_rows.filter(has_text=first.name).locator("td").nth(1)).not_to_have_text(declined_owner.name)
