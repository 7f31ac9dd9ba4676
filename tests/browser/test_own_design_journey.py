"""Journey: a customer brings their own design.

In the demo network, as a customer of its own: upload an STL and a DXF in one go (the DXF's drawing with its
markers, the STL in the 3D viewer: a canvas, no console errors, also at phone width), fix what the check found
(the open box is repaired automatically and the page says what changed), choose the options, see the quote, add the
part to the cart and pay as any order is paid. The session's worker analyses the files (queue "uploads") and plans
the order; then a member of the workshop that got the printing job opens the job and downloads the customer's file.
"""

import re
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.orders.models import Order, WorkItem
from apps.orders.status import OrderStatus
from apps.suppliers.services import participant_member_add
from apps.suppliers.status import MemberRole
from apps.uploads.models import PartUpload
from tests.browser.conftest import browser_sign_in, network_url
from tests.conftest import PASSWORD, wait_for
from tests.uploads import samples

pytestmark = pytest.mark.browser

ANALYSIS_TIMEOUT = 30_000  # ms: the worker's sandboxed analysis, polled by the page every second
LIVE_TIMEOUT = 15_000  # ms: an htmx round trip that quotes through the matcher
PLANNING_TIMEOUT_S = 90
PRICE = re.compile(r"^€[\d,]+\.\d\d$")
PHONE = {"width": 390, "height": 844}


@contextmanager
def _in_network(tenant, django_db_blocker):
    """ORM access to the network's schema (autocommit: the live server and the worker see it at once)."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        with schema_context(tenant.schema_name):
            yield


def _no_sideways_scroll(page: Page) -> None:
    """At phone width the page never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width} px wide at {page.viewport_size['width']} px"


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message):
        # The browser's own favicon request is not the page's doing.
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_customer_uploads_fixes_quotes_pays_and_the_supplier_downloads_the_file(
    page: Page, platform_server, demo_network, django_db_blocker, tmp_path
):
    base = network_url(platform_server, demo_network.slug)
    errors = _console_errors(page)
    email = f"maker-{uuid.uuid4().hex[:8]}@demo.test"
    with _in_network(demo_network, django_db_blocker):
        user_create(email=email, password=PASSWORD, role=Role.CUSTOMER, full_name="Journey Maker")
    stl, dxf = samples.open_box_stl(tmp_path), samples.plate_dxf(tmp_path)

    # The storefront leads to the upload page; two files at once make two parts.
    browser_sign_in(page, base, email, PASSWORD)
    page.goto(f"{base}/")
    page.get_by_role("main").get_by_role("link", name="Upload your design").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload your design")
    expect(page.get_by_text("MB per upload")).to_be_visible()
    page.get_by_label("Choose files, or drop them here").set_input_files([stl, dxf])
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My parts")
    expect(page.get_by_text("2 parts uploaded: each is being checked.")).to_be_visible()

    # The DXF: drawn by the server, with nothing to fix.
    page.get_by_role("link", name="plate", exact=True).click()
    drawing = page.locator(".part-drawing img")
    expect(drawing).to_be_visible(timeout=ANALYSIS_TIMEOUT)
    assert page.evaluate("document.querySelector('.part-drawing img').naturalWidth") > 0
    expect(page.locator("#part-live")).to_contain_text("200 × 100 mm")

    # The STL: the 3D viewer, and the report: its top is missing, marked in the view.
    page.goto(f"{base}/parts/")
    page.get_by_role("link", name="open_box", exact=True).click()
    viewer = page.locator(".part-viewer")
    expect(viewer.locator("canvas")).to_be_visible(timeout=ANALYSIS_TIMEOUT)
    expect(viewer).to_have_class(re.compile(r"\bis-ready\b"))
    report = page.get_by_role("region", name="Can it be made?")
    expect(report).to_contain_text("does not enclose a volume")
    expect(page.locator(".part-marker-label").first).to_be_visible()
    report.get_by_role("link", name="show 1a in the view").click()
    expect(viewer.locator(".part-viewer-status")).to_contain_text("Showing finding 1a")
    expect(page.locator("#options-blocked")).to_be_visible()

    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 860})

    # Repaired automatically: the page polls the new analysis and says what changed; the options open up.
    report.get_by_role("button", name="Repair automatically").click()
    repairs = page.locator("#repairs")
    expect(repairs).to_contain_text("Watertight: no → yes.", timeout=ANALYSIS_TIMEOUT)
    expect(page.locator("#no-findings")).to_be_visible()
    expect(viewer.locator("canvas")).to_be_visible()

    # The options and the network's quote; then into the cart.
    quote = page.get_by_role("region", name="Price and delivery")
    expect(quote.locator(".price")).to_have_text(PRICE, timeout=LIVE_TIMEOUT)
    quantity = page.get_by_role("spinbutton", name="Quantity")
    quantity.fill("2")
    quantity.blur()
    expect(quote.locator(".price")).to_have_text(PRICE, timeout=LIVE_TIMEOUT)
    assert errors == [], (
        errors
    )  # the part pages: viewer, drawing, polling, repair and quote, without a console error
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(page.get_by_text("open_box is in your cart.")).to_be_visible()

    # Paid like any order.
    page.get_by_label("Recipient").fill("Journey Maker")
    page.get_by_label("Street and number").fill("Oudegracht 1")
    page.get_by_label("Postcode").fill("3511 AA")
    page.get_by_label("Town or city").fill("Utrecht")
    page.get_by_role("button", name="Save shipping details").click()
    expect(page.get_by_text("Shipping details saved.")).to_be_visible(timeout=LIVE_TIMEOUT)
    page.get_by_role("button", name="Place order and pay").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Pay for "))).to_be_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay €")).click()
    expect(page.get_by_text("Thank you: your payment went through.")).to_be_visible()

    # The worker plans the order; the printing job's workshop gets the file with the job.
    with _in_network(demo_network, django_db_blocker):
        upload = PartUpload.objects.get(owner__email=email, original_name="open_box.stl")
        order = Order.objects.get(customer__email=email)

    def planned() -> bool:
        with _in_network(demo_network, django_db_blocker):
            return Order.objects.filter(pk=order.pk, status=OrderStatus.PLANNED).exists()

    wait_for(planned, timeout=PLANNING_TIMEOUT_S)
    member_email = f"printer-{uuid.uuid4().hex[:8]}@members.test"
    with _in_network(demo_network, django_db_blocker):
        job = (
            WorkItem.objects.filter(order=order)
            .select_related("asset_owner")
            .order_by("planned_start")
            .first()
        )
        member = user_create(
            email=member_email, password=PASSWORD, role=Role.SUPPLIER_MEMBER, full_name="Printer"
        )
        participant_member_add(participant=job.asset_owner, user=member, role=MemberRole.OPERATOR)
        original = upload.file.stored_name

    page.context.clear_cookies()
    browser_sign_in(page, base, member_email, PASSWORD)
    errors.clear()  # other pages' polls cut short by navigating away are theirs, not the viewer's
    page.goto(f"{base}/portal/jobs/{job.pk}/")
    section = page.get_by_role("region", name="The customer's file")
    expect(section.locator(".part-viewer canvas")).to_be_visible()
    expect(section).to_contain_text("40 × 30 × 10 mm")
    link = section.get_by_role("link", name="Download the original (open_box.stl)")
    assert link.get_attribute("href").endswith(original)
    with page.expect_download() as download:
        link.click()
    assert download.value.path().read_bytes() == stl.read_bytes()
    assert errors == [], errors
