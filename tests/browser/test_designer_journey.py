"""Journey: a designer's product, from the application to the royalty in their Stripe account (issue 19).

In the demo network: a designer applies on the public page, confirms the address (the link of the e-mail, made by
the same service that mails it: the live server's mailbox is another process), staff approve the application in
the network's admin, the designer sets up payouts at the session's local Stripe server, builds a one-step product
in the studio (a parameter and a routing step, typed row by row: the editor saves each change), sets a royalty and
submits it; staff approve it in the back office's review queue and a customer configures, adds to the cart and
pays for it. Those steps are clicks. The worker plans the order; the workshops and carriers then make and deliver
it through the orders services their portal pages call (journey 3 clicks those pages), and the order is completed
through the service the refund-window sweep calls. The worker settles the order, which releases and sends the
royalty; the designer's earnings page shows the transfer with the amount the local Stripe server holds for the
designer's account.

Every designer page is also read at phone width (375 px) and saved in test-artifacts/designers/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.confirmation import confirmation_token_make
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.core.money import Money
from apps.demo.seed import DEMO_OWNER, DEMO_PASSWORD
from apps.designers.models import Designer
from apps.orders.models import Order
from apps.orders.scope import Scope
from apps.orders.services import order_complete
from apps.orders.status import OrderStatus
from tests.browser.conftest import network_url
from tests.browser.test_journey_fulfilment import (
    PLANNING_TIMEOUT_S,
    WORKER_TIMEOUT_S,
    Login,
    expect_after_reloads,
    fulfil_through_services,
    in_network,
    money_minor,
    order_status,
    planned_order_read,
    sign_in_as,
)
from tests.conftest import ARTIFACTS, PASSWORD, wait_for
from tests.payouts.money_checks import stripe_transfers

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "designers"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}
LIVE_TIMEOUT = 15_000  # ms: an htmx round trip that saves the draft or quotes through the matcher
# A save waits behind the preview and coverage requests the previous save triggered (the coverage panel tries every
# option against the network): with the suite's other process on the second core one swap took over 15 s.
SAVE_TIMEOUT = 60_000
PRICE = re.compile(r"^€[\d,]+\.\d\d$")
ROYALTY_BP = 500  # 5 % of the network's price


def at_phone_width(page: Page, name: str) -> int:
    """Reads the page at 375 px, saves a full-page screenshot, and returns how wide the page is there."""
    page.set_viewport_size(PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    return width


class Editor:
    """The studio's editor form: every change is saved at once (htmx) and the form is swapped for the saved one,
    so each input waits for its own swap before the next is typed (a value typed meanwhile would be swapped away).

    A swapped-in form listens for changes only once htmx has processed it, which htmx does when the swap settles
    (20 ms later, longer on a loaded machine) and then announces with `htmx:load` on the form. A change made
    before that sends nothing, so each input also waits for the new form's `htmx:load`.
    """

    def __init__(self, page: Page):
        self.page = page
        page.evaluate(
            """() => document.body.addEventListener('htmx:load', (event) => {
                if (event.detail.elt.id === 'studio-editor') event.detail.elt.dataset.journeyLive = '1';
            })"""
        )

    def _swapped_after(self, act) -> None:
        self.page.evaluate("document.getElementById('studio-editor').dataset.journeyStale = '1'")
        act()
        self.page.wait_for_function(
            """() => {
                const form = document.getElementById('studio-editor');
                return form && !form.dataset.journeyStale && form.dataset.journeyLive;
            }""",
            timeout=SAVE_TIMEOUT,
        )

    def type(self, field_id: str, value: str) -> None:
        field = self.page.locator(f"#{field_id}")

        def act():
            field.fill(value)
            field.press("Tab")  # "change": saved at once

        self._swapped_after(act)

    def choose(self, field_id: str, value: str) -> None:
        self._swapped_after(lambda: self.page.locator(f"#{field_id}").select_option(value))


def test_a_designer_applies_builds_a_product_and_is_paid_their_royalty(
    page: Page, platform_server, demo_network, django_db_blocker
):
    base = network_url(platform_server, demo_network.slug)
    tag = uuid.uuid4().hex[:6]
    studio_name = f"Journey Studio {tag}"
    designer_email = f"designer-{tag}@designers.test"
    product_name = f"Cable tidy {tag}"
    widths: dict[str, int] = {}

    # 1. The public application (UI).
    page.goto(f"{base}/designers/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Design for "))
    widths["apply"] = at_phone_width(page, "01-apply")
    page.get_by_label("Your name or studio name").fill(studio_name)
    page.get_by_label("About you").fill("Small things that keep a desk tidy.")
    page.get_by_label("Street").fill("Oudegracht 10")
    page.get_by_label("Postal code").fill("3511 AB")
    page.get_by_label("City").fill("Utrecht")
    page.get_by_label("Country").fill("NL")
    page.get_by_label("Your name", exact=True).fill("Jet Journey")
    page.get_by_label("E-mail (your portal login)").fill(designer_email)
    page.get_by_label("Password for the portal").fill(PASSWORD)
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(f"{base}/accounts/signup/check-email/")

    # The e-mail's confirmation link (service: the same function makes the link the e-mail carries), opened (UI).
    with in_network(demo_network, django_db_blocker):
        designer = Designer.objects.get(name=studio_name)
        token = confirmation_token_make(User.objects.get(email=designer_email))
    page.goto(f"{base}/accounts/signup/confirm/{token}/")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_load_state()

    # 2. Staff approve the application in the network's admin (UI).
    sign_in_as(page, base, Login(DEMO_OWNER.email, DEMO_PASSWORD))
    page.goto(f"{base}/admin/designers/designer/?q={tag}")
    row = page.get_by_role("row").filter(has_text=studio_name)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    with in_network(demo_network, django_db_blocker):
        designer.refresh_from_db()
        assert designer.status == "approved", designer.status

    # 3. The designer signs in and sets up payouts at the local Stripe server (UI, both sides).
    sign_in_as(page, base, Login(designer_email, PASSWORD))
    expect(page).to_have_url(f"{base}/designer/")
    widths["home"] = at_phone_width(page, "02-home")
    page.goto(f"{base}/designer/payouts/")
    widths["payouts"] = at_phone_width(page, "03-payouts")
    page.get_by_role("button", name="Set up payouts with Stripe").click()
    page.get_by_role("button", name="Complete onboarding").click()
    expect(page).to_have_url(f"{base}/designer/payouts/return/")
    expect(page.get_by_text("Payouts are set up.")).to_be_visible()

    # 4. The studio: a draft, one parameter, one routing step, the royalty; the checks pass; submitted (UI).
    page.goto(f"{base}/designer/studio/")
    widths["studio"] = at_phone_width(page, "04-studio")
    page.get_by_role("textbox", name="New product").fill(product_name)
    page.get_by_role("textbox", name="Category").fill("Accessories")
    page.get_by_role("button", name="Start a draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(product_name)
    expect(page.locator("#studio-issues")).to_contain_text("A template needs at least one parameter.")
    editor = Editor(page)
    editor.type("id_parameters-0-key", "width")
    editor.type("id_parameters-0-label", "Width")
    editor.choose("id_parameters-0-kind", "number")
    editor.type("id_parameters-0-unit", "mm")
    editor.type("id_parameters-0-min", "60")
    editor.type("id_parameters-0-max", "120")
    editor.type("id_parameters-0-step", "1")
    editor.type("id_parameters-0-default", "80")
    editor.type("id_steps-0-key", "print")
    editor.type("id_steps-0-name", "Print")
    editor.choose("id_steps-0-process", "fdm_printing")
    editor.type("id_steps-0-duration", "20 + width / 4")
    editor.type("id_steps-0-length", "width")
    editor.type("id_steps-0-width", "40")
    editor.type("id_steps-0-height", "30")
    editor.type("id_steps-0-cost_drivers", "filament = width * 0.02\nmachine = duration_min / 60 * 4")
    editor.type("id_steps-0-material_drivers", "filament")
    editor.choose("id_royalty_kind", "percent")
    editor.type("id_royalty_bp", str(ROYALTY_BP))
    expect(page.locator("#studio-checks-pass")).to_have_text("All checks pass")
    # The live preview is the storefront's configurator, quoted by the network.
    preview = page.locator("#studio-preview")
    expect(preview.get_by_label("Width")).to_have_value("80", timeout=LIVE_TIMEOUT)
    expect(preview.get_by_text("Delivery by")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(page.locator("#coverage")).not_to_contain_text("cannot be made", timeout=LIVE_TIMEOUT)
    widths["editor"] = at_phone_width(page, "05-studio-editor")
    page.get_by_label("What changed (for the reviewer)").fill("A first version.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#template-status")).to_have_text("In review")
    template_path = page.url.removeprefix(base)
    template_id = int(re.search(r"/designer/studio/(\d+)/", template_path).group(1))

    # 5. Staff approve it in the back office's review queue (UI).
    sign_in_as(page, base, Login(DEMO_OWNER.email, DEMO_PASSWORD))
    page.goto(f"{base}/backoffice/reviews/")
    page.get_by_role("link", name=product_name).first.click()
    expect(page).to_have_url(f"{base}/backoffice/reviews/{template_id}/")
    page.get_by_label("Notes for the designer").fill("Looks good.")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text(f"{product_name} v1 is published.")).to_be_visible()

    # The designer's public page lists it, and the shop says who designed it (UI).
    page.goto(f"{base}/designers/{designer.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(studio_name)
    expect(page.get_by_role("main")).to_contain_text(product_name)
    widths["public"] = at_phone_width(page, "06-designer-page")

    # 6. A customer configures it, adds it to the cart and pays at the local Stripe server (UI).
    customer_email = f"buyer-{tag}@customers.test"
    with in_network(demo_network, django_db_blocker):
        user_create(email=customer_email, password=PASSWORD, role=Role.CUSTOMER, full_name="Journey Buyer")
    sign_in_as(page, base, Login(customer_email, PASSWORD))
    page.goto(f"{base}/catalog/")
    page.get_by_role("link", name=f"Configure {product_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(product_name)
    expect(page.get_by_role("main")).to_contain_text(studio_name)  # designed by
    quote = page.locator("#quote-panel")
    expect(quote.locator(".price")).to_have_text(PRICE, timeout=LIVE_TIMEOUT)
    page.get_by_label("Design name").fill("My cable tidy")
    page.get_by_role("button", name="Save design").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cable tidy")
    expect(page.locator("#quote-panel .price")).to_have_text(PRICE, timeout=LIVE_TIMEOUT)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible(timeout=LIVE_TIMEOUT)
    page.get_by_label("Recipient").fill("Journey Buyer")
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

    # 7. Planned by the worker; made and delivered through the orders services the portals call (journey 3 clicks
    # them); completed through the service the refund-window sweep calls. The worker settles it and sends the
    # royalty.
    with in_network(demo_network, django_db_blocker):
        order_id = Order.objects.get(customer__email=customer_email).pk
    wait_for(
        lambda: order_status(demo_network, django_db_blocker, order_id) == OrderStatus.PLANNED,
        timeout=PLANNING_TIMEOUT_S,
    )
    planned = planned_order_read(demo_network, django_db_blocker, order_id, Login(customer_email, PASSWORD))
    fulfil_through_services(demo_network, django_db_blocker, planned)
    with in_network(demo_network, django_db_blocker):
        order_complete(order_id=order_id, scope=Scope.SYSTEM, reason="The refund window passed")

    # 8. The earnings page: the royalty transferred, the amount Stripe holds for the designer's account (UI).
    sign_in_as(page, base, Login(designer_email, PASSWORD))
    page.goto(f"{base}/designer/earnings/")
    transfer_row = page.locator("#transfers tbody tr").filter(has_text=planned.reference)

    def sent() -> None:
        expect(transfer_row).to_have_count(1, timeout=1_000)
        expect(transfer_row.locator(".badge")).to_have_text("Sent", timeout=1_000)

    expect_after_reloads(page, sent, timeout_s=WORKER_TIMEOUT_S)
    shown = money_minor(transfer_row.locator("td[data-label=Amount]").inner_text())
    with in_network(demo_network, django_db_blocker):
        designer.refresh_from_db()
        at_stripe = [t for t in stripe_transfers(order_id) if t["destination"] == designer.stripe_account_id]
        order = Order.objects.get(pk=order_id)
    assert len(at_stripe) == 1, at_stripe
    assert shown == at_stripe[0]["amount"] > 0, (shown, at_stripe)
    expect(page.locator("#statements")).to_contain_text(Money(shown, order.currency).format())
    widths["earnings"] = at_phone_width(page, "07-earnings")
    page.locator("#statements").get_by_role("link", name=planned.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(planned.reference)
    widths["statement"] = at_phone_width(page, "08-earnings-statement")
    page.goto(f"{base}{template_path}")
    expect(page.locator("#template-status")).to_have_text("Published")
    widths["published"] = at_phone_width(page, "09-studio-published")

    # At phone width no designer page scrolls sideways.
    assert all(width <= PHONE["width"] for width in widths.values()), widths
