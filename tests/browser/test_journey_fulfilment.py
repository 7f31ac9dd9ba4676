"""Journeys 3 and 4, in the demo network.

3. The suppliers accept, start and finish every job of a paid, planned order and record a passed quality check,
   and the carriers pick up and deliver every leg — each step a click in the supplier or carrier portal — and the
   order follows by itself to delivered. Jobs go in plan order: a job starts only once the jobs before it are done
   and the parts made elsewhere were delivered to it (until then its page says what it waits for), so a leg
   between workshops is driven just before the job it feeds, and the last mile at the end.
4. Finance opens the money page of a delivered order: the split (every participant's share, the platform's
   commission and Stripe's fee) adds up to what the customer paid, every transfer went out with its Stripe id
   (sent by the worker), and a reconciliation started from the page comes out clean.

Each journey pays its own order for a configured phone stand through the checkout services at the session's
local Stripe server; the worker plans it with the matching engine (`matching.commit_order` via the outbox).
Journey 4 fulfils its order through the orders services the portal pages call (journey 3 clicks through those
pages), so neither journey depends on the other. Everything is committed: the live server is another process.
"""

from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import ProductTemplate
from apps.core.money import Money
from apps.demo.seed import DEMO_PASSWORD
from apps.demo.suppliers import CARRIER_LOGIN, SUPPLIER_LOGIN
from apps.orders.models import Order, OrderEvent, TransportLeg, WorkItem
from apps.orders.services import (
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_complete,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import LegStatus, OrderStatus, WorkItemStatus
from apps.suppliers.models import AssetOwner, AssetOwnerMember, Carrier, CarrierMember
from apps.suppliers.services import participant_member_add
from apps.suppliers.status import MemberRole
from tests.browser.conftest import browser_sign_in, network_url, tour_shot
from tests.conftest import PASSWORD, wait_for
from tests.orders.conftest import design_for, pay, place_order
from tests.payouts.money_checks import stripe_transfers

pytestmark = pytest.mark.browser

PLANNING_TIMEOUT_S = 120
WORKER_TIMEOUT_S = 90


@dataclass(frozen=True)
class Login:
    email: str
    password: str


@dataclass
class PlannedOrder:
    """A paid order the worker planned, and who does what in it (read once, after planning)."""

    order_id: int
    reference: str
    total_minor: int
    currency: str
    customer: Login
    # (work item id, step name, asset owner id), in planned order
    items: list[tuple[int, str, int]] = field(default_factory=list)
    # (leg id, carrier id, is last mile): transport between workshops first, the last mile last
    legs: list[tuple[int, int, bool]] = field(default_factory=list)
    inbound: dict[int, list[int]] = field(default_factory=dict)  # work item id → legs bringing it parts
    follows: set[int] = field(default_factory=set)  # work items with a predecessor step
    names: dict[str, str] = field(default_factory=dict)  # "asset_owner:<id>" / "carrier:<id>" → company name
    logins: dict[str, Login] = field(default_factory=dict)  # same keys → a portal member's login


@contextmanager
def in_network(tenant, django_db_blocker):
    """ORM access to the network's schema from the test (autocommit: the server and the worker see it at once)."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        with schema_context(tenant.schema_name):
            yield


def order_status(tenant, django_db_blocker, order_id: int) -> str:
    with in_network(tenant, django_db_blocker):
        return Order.objects.values_list("status", flat=True).get(pk=order_id)


def _portal_login(participant, *, role: Role, demo_email: str, demo_is_member: bool) -> Login:
    """The demo login when it is this company's member; otherwise a new member, made through the real services."""
    if demo_is_member:
        return Login(demo_email, DEMO_PASSWORD)
    email = f"{participant.kind}-{participant.pk}-{uuid4_hex()}@members.test"
    user = user_create(email=email, password=PASSWORD, role=role, full_name=f"Planner at {participant.name}")
    participant_member_add(participant=participant, user=user, role=MemberRole.OPERATOR)
    return Login(email, PASSWORD)


def uuid4_hex() -> str:
    return uuid.uuid4().hex[:8]


def planned_order(tenant, django_db_blocker, label: str) -> PlannedOrder:
    """A new customer's phone stand: quoted, placed and paid at the local Stripe server, planned by the worker."""
    with in_network(tenant, django_db_blocker):
        email = f"{label}-{uuid4_hex()}@customers.test"
        customer = user_create(
            email=email, password=PASSWORD, role=Role.CUSTOMER, full_name="Journey Customer"
        )
        design = design_for(
            customer, ProductTemplate.objects.get(slug="phone-stand"), f"Desk stand ({label})"
        )
        order = place_order(customer, (design.current_version, 1))
        result = pay(order)
        assert result.status == "paid", result.message
    # The payment committed an outbox message; the relay sent matching.commit_order to the worker.
    wait_for(
        lambda: order_status(tenant, django_db_blocker, order.pk) == OrderStatus.PLANNED,
        timeout=PLANNING_TIMEOUT_S,
    )
    planned = planned_order_read(tenant, django_db_blocker, order.pk, Login(email, PASSWORD))
    assert planned.follows, "the plan has no job that follows another"
    return planned


def planned_order_read(tenant, django_db_blocker, order_id: int, customer: Login) -> PlannedOrder:
    """Who does what in a planned order: its jobs in plan order, its legs, and a portal login per company."""
    with in_network(tenant, django_db_blocker):
        order = Order.objects.get(pk=order_id)
        planned = PlannedOrder(
            order_id=order.pk,
            reference=order.reference,
            total_minor=order.total_minor,
            currency=order.currency,
            customer=customer,
        )
        items = (
            WorkItem.objects.filter(order=order, status=WorkItemStatus.OFFERED)
            .select_related("asset_owner")
            .order_by("planned_start", "id")
        )
        for item in items:
            planned.items.append((item.pk, item.name, item.asset_owner_id))
            planned.names[f"asset_owner:{item.asset_owner_id}"] = item.asset_owner.name
            if item.predecessor_keys:
                planned.follows.add(item.pk)
        legs = (
            TransportLeg.objects.filter(order=order)
            .exclude(status=LegStatus.CANCELLED)
            .select_related("carrier")
            .order_by("is_last_mile", "planned_departure", "id")
        )
        for leg in legs:
            planned.legs.append((leg.pk, leg.carrier_id, leg.is_last_mile))
            planned.names[f"carrier:{leg.carrier_id}"] = leg.carrier.name
            if leg.to_work_item_id is not None:
                planned.inbound.setdefault(leg.to_work_item_id, []).append(leg.pk)
        assert planned.items, "the plan offered no job"
        assert planned.legs and planned.legs[-1][2], "the plan has no last mile"
        for owner in AssetOwner.objects.filter(pk__in=[owner for _, _, owner in planned.items]):
            planned.logins[f"asset_owner:{owner.pk}"] = _portal_login(
                owner,
                role=Role.SUPPLIER_MEMBER,
                demo_email=SUPPLIER_LOGIN,
                demo_is_member=AssetOwnerMember.objects.filter(
                    asset_owner=owner, user__email=SUPPLIER_LOGIN
                ).exists(),
            )
        for carrier in Carrier.objects.filter(pk__in=[carrier for _, carrier, _ in planned.legs]):
            planned.logins[f"carrier:{carrier.pk}"] = _portal_login(
                carrier,
                role=Role.CARRIER_MEMBER,
                demo_email=CARRIER_LOGIN,
                demo_is_member=CarrierMember.objects.filter(
                    carrier=carrier, user__email=CARRIER_LOGIN
                ).exists(),
            )
    return planned


def sign_in_as(page: Page, base: str, login: Login) -> None:
    page.context.clear_cookies()
    browser_sign_in(page, base, login.email, login.password)


def numbered(text: str) -> re.Pattern:
    """`text` ending in a number, not followed by another digit: "Leg 4" is not in "Leg 46". (A row's text runs its
    cells' words together, so whole-word boundaries would not hold.)"""
    return re.compile(rf"{re.escape(text)}(?!\d)")


def region(page: Page, title: str):
    """A titled section of the page (a landmark named by its heading; counts in the heading are ignored)."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(title)}"))


# --- journey 3: the portals ----------------------------------------------------------------------------------


def inbox_row(page: Page, section: str, order: PlannedOrder, name: str):
    return (
        region(page, section)
        .get_by_role("row")
        .filter(has_text=numbered(order.reference))
        .filter(has_text=name)
    )


def accept_job_that_waits_in_portal(page: Page, base: str, order: PlannedOrder, item_id: int, name: str):
    """A job that follows another, accepted before what it needs is there: instead of a Start button its page
    and the inbox say what it waits for."""
    page.goto(f"{base}/portal/jobs/{item_id}/")
    page.get_by_role("button", name="Accept the job").click()
    expect(page.locator("#job-card").get_by_role("status")).to_contain_text("Job accepted")
    expect(page.locator("#start-waiting")).to_contain_text("Waiting for '")
    expect(page.get_by_role("button", name="Start production")).to_have_count(0)
    page.goto(f"{base}/portal/jobs/")
    expect(inbox_row(page, "Upcoming", order, name)).to_contain_text("Waiting for '")


def work_job_in_portal(
    page: Page, base: str, order: PlannedOrder, item_id: int, name: str, *, shot: bool, accepted: bool = False
):
    """From the supplier's inbox: review the offer and accept it (or open the job accepted before), start,
    finish production, record a passed check."""
    page.goto(f"{base}/portal/jobs/")
    if accepted:
        row = inbox_row(page, "Upcoming", order, name)
        expect(row).to_have_count(1)
        expect(row).not_to_contain_text("Waiting for")  # what it waited for is there now
        row.get_by_role("link", name=name, exact=True).click()
    else:
        offer = inbox_row(page, "Offers", order, name)
        expect(offer).to_have_count(1)
        offer.get_by_role("link", name="Review").click()
    expect(page).to_have_url(f"{base}/portal/jobs/{item_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    job = region(page, "The job")
    status = job.locator(".badge").first
    card = page.locator("#job-card")
    expect(status).to_have_text("Accepted" if accepted else "Offered")
    # What the supplier is paid is shown before it accepts.
    expect(region(page, "What you are paid")).to_contain_text(order.reference)
    if shot:
        tour_shot(page, "supplier-portal")

    if not accepted:
        page.get_by_role("button", name="Accept the job").click()
        expect(card.get_by_role("status")).to_contain_text("Job accepted")
        expect(status).to_have_text("Accepted")

    expect(page.locator("#start-waiting")).to_have_count(0)
    page.get_by_role("button", name="Start production").click()
    expect(card.get_by_role("status")).to_contain_text("Production started")
    expect(status).to_have_text("In progress")

    page.get_by_role("button", name="Production finished").click()
    expect(card.get_by_role("status")).to_contain_text("Production finished")
    expect(job).to_contain_text("production finished")

    quality = page.locator("#quality-form")
    quality.get_by_label("Passed").check()
    quality.get_by_label("Measurement", exact=True).first.fill("width_mm")
    quality.get_by_label("Value", exact=True).first.fill("80.2")
    quality.get_by_label("Notes").fill("Within tolerance.")
    quality.get_by_role("button", name="Record the check").click()
    expect(card.get_by_role("status")).to_contain_text("Quality check passed")
    expect(status).to_have_text("Done (quality passed)")
    checks = region(page, "Quality checks")
    expect(checks).to_contain_text("passed")
    expect(checks).to_contain_text("width_mm = 80.2")
    expect(page.get_by_text("Nothing left to do on this job.")).to_be_visible()


def drive_leg_in_portal(page: Page, base: str, order: PlannedOrder, leg_id: int, *, last_mile: bool):
    """From the carrier's board: open the leg, confirm the pick-up, then the delivery with the receiver's name."""
    page.goto(f"{base}/portal/carrier/legs/")
    # Under the day of its pick-up: today, or tomorrow when the work it waits for is planned to end after the
    # workshops close (an order planned in the afternoon).
    pick_ups = page.get_by_role("region", name=re.compile(r"^(To pick up today|Tomorrow|Later) "))
    row = pick_ups.get_by_role("row").filter(has_text=numbered(f"Leg {leg_id}"))
    expect(row).to_contain_text(order.reference)
    row.get_by_role("link", name=f"Leg {leg_id}", exact=True).click()
    expect(page).to_have_url(f"{base}/portal/carrier/legs/{leg_id}/")
    leg = region(page, "The leg")
    status = leg.locator(".badge").first
    card = page.locator("#leg-card")
    if last_mile:
        expect(leg).to_contain_text("last mile")

    page.get_by_role("button", name="I have picked it up").click()
    expect(card.get_by_role("status")).to_contain_text("Pick-up confirmed")
    expect(status).to_have_text("Picked up")

    receiver = "Journey Customer" if last_mile else "Goods-in"
    page.get_by_label("Received by").fill(receiver)
    page.get_by_role("button", name="Confirm the delivery").click()
    expect(card.get_by_role("status")).to_contain_text("Delivery confirmed")
    expect(status).to_have_text("Delivered")
    expect(leg).to_contain_text(f"received by {receiver}")

    page.goto(f"{base}/portal/carrier/legs/")
    expect(region(page, "Delivered").get_by_role("link", name=f"Leg {leg_id}", exact=True)).to_be_visible()


def customer_sees_status(page: Page, base: str, order: PlannedOrder, label: str) -> None:
    sign_in_as(page, base, order.customer)
    page.goto(f"{base}/orders/{order.order_id}/")
    expect(page.locator("#order-status")).to_have_text(label)


def test_suppliers_make_and_carriers_deliver_an_order_through_the_portals(
    page: Page, platform_server, demo_network, django_db_blocker
):
    base = network_url(platform_server, demo_network.slug)
    order = planned_order(demo_network, django_db_blocker, "journey3")
    customer_sees_status(page, base, order, "Planned")
    signed_in_as = [""]

    def as_member(key: str) -> None:
        if signed_in_as[0] != key:
            sign_in_as(page, base, order.logins[key])
            signed_in_as[0] = key

    # A job that follows another, accepted early, waits: its page says for what instead of offering Start.
    early_id, early_name, early_owner = next(item for item in order.items if item[0] in order.follows)
    as_member(f"asset_owner:{early_owner}")
    accept_job_that_waits_in_portal(page, base, order, early_id, early_name)

    # The jobs in plan order, each by its owner's member; a leg between workshops is driven by its carrier
    # just before the job it brings the parts to.
    legs = {leg_id: (carrier_id, last_mile) for leg_id, carrier_id, last_mile in order.legs}
    driven: set[int] = set()
    for position, (item_id, name, owner_id) in enumerate(order.items):
        for leg_id in order.inbound.get(item_id, []):
            as_member(f"carrier:{legs[leg_id][0]}")
            drive_leg_in_portal(page, base, order, leg_id, last_mile=False)
            driven.add(leg_id)
        as_member(f"asset_owner:{owner_id}")
        work_job_in_portal(page, base, order, item_id, name, shot=position == 0, accepted=item_id == early_id)
    for owner_id in dict.fromkeys(owner for _, _, owner in order.items):
        as_member(f"asset_owner:{owner_id}")
        page.goto(f"{base}/portal/jobs/")
        for _, name, owner in order.items:
            if owner == owner_id:
                expect(inbox_row(page, "Done", order, name)).to_have_count(1)
        expect(region(page, "Offers").get_by_text(numbered(order.reference))).to_have_count(0)
    assert order_status(demo_network, django_db_blocker, order.order_id) == OrderStatus.IN_PRODUCTION

    # The rest by their carriers: the last mile last.
    for leg_id, carrier_id, last_mile in order.legs:
        if leg_id not in driven:
            as_member(f"carrier:{carrier_id}")
            drive_leg_in_portal(page, base, order, leg_id, last_mile=last_mile)

    customer_sees_status(page, base, order, "Delivered")
    with in_network(demo_network, django_db_blocker):
        statuses = list(
            OrderEvent.objects.filter(order_id=order.order_id, kind="status")
            .order_by("created_at", "id")
            .values_list("to_status", flat=True)
        )
        assert statuses == ["awaiting_payment", "paid", "planned", "in_production", "shipped", "delivered"]


# --- journey 4: finance --------------------------------------------------------------------------------------


def fulfil_through_services(tenant, django_db_blocker, order: PlannedOrder) -> None:
    """What journey 3 clicks, through the same orders services the portal pages call, as the same members, in
    the same order: each job once the parts made elsewhere were delivered to it, the last mile at the end."""
    carriers = {leg_id: (carrier_id, last_mile) for leg_id, carrier_id, last_mile in order.legs}

    def drive(leg_id: int) -> None:
        carrier_id, last_mile = carriers.pop(leg_id)
        actor = User.objects.get(email=order.logins[f"carrier:{carrier_id}"].email)
        scoped = {
            "leg_id": leg_id,
            "actor": actor,
            "scope": TransportLeg.objects.filter(carrier_id=carrier_id),
        }
        transport_leg_pick_up(**scoped)
        transport_leg_deliver(**scoped, receiver_name="Journey Customer" if last_mile else "Goods-in")

    with in_network(tenant, django_db_blocker):
        for item_id, _, owner_id in order.items:
            for leg_id in order.inbound.get(item_id, []):
                drive(leg_id)
            actor = User.objects.get(email=order.logins[f"asset_owner:{owner_id}"].email)
            scoped = {
                "work_item_id": item_id,
                "actor": actor,
                "scope": WorkItem.objects.filter(asset_owner_id=owner_id),
            }
            work_item_accept(**scoped)
            work_item_start(**scoped)
            work_item_complete(**scoped)
            work_item_quality_record(**scoped, passed=True, measurements={"width_mm": 80.2})
        for leg_id in list(carriers):
            drive(leg_id)
        assert Order.objects.get(pk=order.order_id).status == OrderStatus.DELIVERED


def money_minor(text: str) -> int:
    """'€1,234.56' → 123456: the demo network's currency (EUR) always shows its two decimals."""
    return int(re.sub(r"[^0-9]", "", text))


def expect_after_reloads(page: Page, check, *, timeout_s: float = WORKER_TIMEOUT_S) -> None:
    """Work the worker does in the background shows on the next load of a page: reload until `check` passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def card(page: Page, title: str):
    return page.locator("section.card").filter(has=page.get_by_role("heading", name=title, level=2))


def test_finance_sees_the_split_the_transfers_and_a_clean_reconciliation(
    page: Page, platform_server, demo_network, django_db_blocker
):
    base = network_url(platform_server, demo_network.slug)
    order = planned_order(demo_network, django_db_blocker, "journey4")
    fulfil_through_services(demo_network, django_db_blocker, order)
    companies = set(order.names.values())
    parts = len(order.items) + len(order.legs)

    sign_in_as(page, base, Login("finance@demo.localhost", DEMO_PASSWORD))
    page.goto(f"{base}/backoffice/finance/orders/{order.order_id}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"Money of {order.reference}")
    expect(heading.locator(".badge")).to_have_text("Delivered")
    charged = card(page, "Where the money went").locator("dt:text-is('charged') + dd")
    # The charge is booked from Stripe's charge event on the webhooks queue, which the worker may take after the
    # planning queue's work: the page shows it once booked.
    expect_after_reloads(
        page, lambda: expect(charged).to_have_text(Money(order.total_minor, order.currency).format())
    )

    # The transfers: one per done job and delivered leg, released on the hooks and sent by the worker.
    transfers = (
        card(page, "Transfers, reversals, refunds, disputes")
        .get_by_role("row")
        .filter(has_text=re.compile(r"^Transfer to "))
    )

    def all_sent() -> None:
        expect(transfers).to_have_count(parts, timeout=1_000)
        for index in range(parts):
            cells = transfers.nth(index).get_by_role("cell")
            expect(cells.nth(1)).to_have_text(re.compile(r"^tr_\w+$"), timeout=1_000)
            expect(cells.nth(3)).to_have_text("Sent", timeout=1_000)

    expect_after_reloads(page, all_sent)
    shown_transfers: dict[str, int] = {}  # Stripe id → amount
    transferred_to: dict[str, int] = {}  # participant → amount
    for index in range(parts):
        cells = transfers.nth(index).get_by_role("cell")
        what, stripe_id, amount = (
            cells.nth(0).inner_text(),
            cells.nth(1).inner_text(),
            cells.nth(2).inner_text(),
        )
        shown_transfers[stripe_id] = money_minor(amount)
        name = re.match(r"Transfer to (.+) \((?:work item|transport leg) \d+\)$", what).group(1)
        transferred_to[name] = transferred_to.get(name, 0) + money_minor(amount)
    with in_network(demo_network, django_db_blocker):
        made_at_stripe = {t["id"]: t["amount"] for t in stripe_transfers(order.order_id)}
    assert made_at_stripe == shown_transfers, "the transfers shown are the ones made at Stripe"

    # The split: each participant's share, and the platform's commission and Stripe's fee, add up to the total.
    statements = card(page, "Profit-share statements")
    expect(statements).to_contain_text("revision 1, policy v1")
    rows = statements.locator("tbody tr:not(.platform-share)")
    expect(rows).to_have_count(len(companies))
    shares: dict[str, int] = {}
    for name in companies:
        row = rows.filter(has_text=name)
        expect(row).to_have_count(1)
        shares[name] = money_minor(row.get_by_role("cell").nth(4).inner_text())
    assert shares == transferred_to, "every participant was sent exactly its share"
    lines = statements.locator(":scope > ul.lines > li")
    paid = lines.filter(has_text=re.compile(r"^Customer paid "))
    expect(paid).to_have_count(1)
    assert money_minor(re.match(r"Customer paid (\S+);", paid.inner_text()).group(1)) == order.total_minor
    platform = lines.filter(has_text=re.compile(r"^Platform commission: "))
    expect(platform).to_have_count(1)
    take, fee, commission = (
        money_minor(amount)
        for amount in re.fullmatch(
            r"Platform commission: (\S+) − (\S+) fee = (\S+)\.", platform.inner_text()
        ).groups()
    )
    assert take - fee == commission and fee > 0
    assert sum(shares.values()) + commission + fee == order.total_minor
    # The platform's commission is a row of the table too, and the footer adds every share up.
    platform_row = statements.locator("tbody tr.platform-share")
    assert money_minor(platform_row.get_by_role("cell").nth(4).inner_text()) == commission
    assert money_minor(statements.locator("#shared-out").inner_text()) == order.total_minor - fee
    # The money-flow picture labels every flow in full (nothing cut off at the picture's edges).
    picture = page.locator("#money-flow")
    expect(picture.get_by_text("Customer · €")).to_be_visible()
    frame = picture.bounding_box()
    for label in picture.locator("text").all():
        box = label.bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], (
            label.text_content()
        )

    # A reconciliation from the finance page: every balance transaction at Stripe matches one journal entry.
    page.goto(f"{base}/backoffice/finance/")
    page.get_by_role("button", name="Reconcile with Stripe now").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/backoffice/finance/reconciliation/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reconciliation #")
    run = page.locator("#run-status")
    expect(run.locator(".badge").first).to_have_text("No differences", timeout=WORKER_TIMEOUT_S * 1000)
    expect(run.get_by_text("No differences: every balance transaction matches exactly one")).to_be_visible()
    facts = run.locator("dl.facts")
    balance = facts.locator("dt:has-text('Platform balance') + dd").inner_text()
    at_stripe, in_ledger = re.fullmatch(r"EUR: Stripe (\S+) · ledger (\S+)", balance).groups()
    assert money_minor(at_stripe) == money_minor(in_ledger) > 0
    matched = facts.locator("dt:has-text('Matched one to one') + dd").inner_text()
    assert int(matched) >= parts + 1, "at least this order's charge and transfers were matched"
    tour_shot(page, "reconciliation")
