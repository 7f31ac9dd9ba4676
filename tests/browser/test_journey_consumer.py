"""Journey 2: a consumer configures the table, watches the quote update, pays and follows the order.

In the demo network, as a customer of its own (committed here, so the journey depends on no other test): the
configurator's live quote follows every change and refuses impossible tables inline; the saved design goes
through cart, shipping, quote and checkout; a declined card is told plainly and charges nothing; the good card
pays; and the session's Celery worker plans the order (`matching.commit_order`) while the order page, polling
on its own, turns to "Planned" with the Gantt chart and an expected arrival.
"""

import re
import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from tests.browser.conftest import network_url, tour_shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PLANNING_TIMEOUT = 90_000  # ms: solve (seconds) + the order page's 10 s poll, on a busy shared CPU
PRICE = re.compile(r"^€[\d,]+\.\d\d$")
LIVE_TIMEOUT = 15_000  # ms: one htmx round trip of the configurator, which quotes through the matcher


@pytest.fixture
def customer_email(demo_network, django_db_blocker) -> str:
    """A new customer in the demo network, committed for the live server to see."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@demo.test"
    with django_db_blocker.unblock(), schema_context(demo_network.schema_name):
        user_create(email=email, password=PASSWORD, role=Role.CUSTOMER, full_name="Journey Buyer")
    return email


def _quote_panel(page: Page):
    return page.get_by_role("region", name="Price and delivery")


def _scroll_to_top_of(page: Page, selector: str) -> None:
    """Frames a tour screenshot: `selector` at the top of the viewport, nothing focused."""
    page.evaluate(
        """selector => {
            document.activeElement?.blur();
            const top = document.querySelector(selector).getBoundingClientRect().top;
            window.scrollTo(0, window.scrollY + top - 16);
        }""",
        selector,
    )


def _pay(page: Page, card_number: str) -> None:
    page.get_by_label("Card number").fill(card_number)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay €")).click()


def test_consumer_configures_pays_and_follows_the_order(
    page: Page, platform_server, demo_network, customer_email
):
    base = network_url(platform_server, demo_network.slug)

    # The catalog leads to the configurable table; a stranger already sees a live quote.
    page.goto(f"{base}/catalog/")
    page.get_by_role("link", name="Configure Dining table").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dining table")
    quote = _quote_panel(page)
    price = quote.locator(".price")
    expect(price).to_have_text(PRICE)
    expect(quote.get_by_text("Delivery by")).to_be_visible()
    default_price = price.inner_text()

    # Every change re-quotes in place (htmx), without a page load; the preview follows along.
    page.get_by_label("Width").fill("2000")
    expect(price).not_to_have_text(default_price, timeout=LIVE_TIMEOUT)
    expect(page.locator("#preview")).to_contain_text("2000 mm")
    wider_price = price.inner_text()
    page.get_by_label("Leg style").select_option(label="Angled (splayed)")
    expect(price).not_to_have_text(wider_price, timeout=LIVE_TIMEOUT)  # longer laser cutting
    page.get_by_label("Top", exact=True).select_option("walnut")
    expect(page.locator("#preview rect[fill='#5b3a29']").first).to_be_attached(timeout=LIVE_TIMEOUT)
    page.get_by_label("Moss green (RAL 6005)").check()
    expect(page.locator("#preview [fill='#2f4538']").first).to_be_attached(timeout=LIVE_TIMEOUT)

    # Out of range: the error is inline, what was typed stays, and no price is shown for it.
    page.get_by_label("Width").fill("9999")
    expect(page.locator("#id_width_error")).to_contain_text("Must be at most 2400 mm.", timeout=LIVE_TIMEOUT)
    expect(page.get_by_label("Width")).to_have_value("9999")
    expect(quote).to_contain_text("Fix the highlighted values to see a price and delivery date.")
    expect(price).to_have_count(0)

    # A rule between parameters (at most 2.2 m² of top) is shown on both fields involved.
    page.get_by_label("Width").fill("2400")
    expect(price).to_be_visible(timeout=LIVE_TIMEOUT)
    page.get_by_label("Depth").fill("1000")
    expect(page.locator("#id_depth_error")).to_contain_text("at most 2.2 m²", timeout=LIVE_TIMEOUT)
    expect(page.locator("#id_width_error")).to_contain_text("at most 2.2 m²")
    expect(page.get_by_label("Depth")).to_have_value("1000")
    expect(price).to_have_count(0)

    page.get_by_label("Depth").fill("900")
    expect(price).to_be_visible(timeout=LIVE_TIMEOUT)
    page.get_by_label("Width").fill("2000")
    expect(page.locator("#preview")).to_contain_text("2000 mm", timeout=LIVE_TIMEOUT)
    expect(page.locator("#config-fields [role=alert]")).to_have_count(0)
    expect(price).to_have_text(PRICE)
    expect(quote).to_contain_text("Matched to the network's workshops")
    _scroll_to_top_of(page, ".configurator")
    tour_shot(page, "storefront-configurator")

    # Saving needs an account: signing in brings the customer back to the same configuration.
    page.get_by_role("button", name="Sign in to save").click()
    expect(page.get_by_role("heading", name=re.compile("^Sign in to"))).to_be_visible()
    page.get_by_label("E-mail").fill(customer_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dining table")
    expect(page.get_by_label("Width")).to_have_value("2000")
    expect(page.get_by_label("Top", exact=True)).to_have_value("walnut")
    expect(page.get_by_label("Leg style")).to_have_value("angled")
    expect(page.get_by_label("Moss green (RAL 6005)")).to_be_checked()
    expect(price).to_have_text(PRICE)

    page.get_by_label("Design name").fill("Walnut dinner table")
    page.get_by_role("button", name="Save design").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walnut dinner table")
    expect(page.get_by_text("Saved “Walnut dinner table”.")).to_be_visible()
    expect(_quote_panel(page).locator(".price")).to_have_text(PRICE)

    # Cart → shipping to a typed address (the town is looked up) → a locked quote → the order.
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(page.get_by_text("Walnut dinner table is in your cart.")).to_be_visible()
    # Priced at once, to the middle of the network until there is an address; not orderable yet.
    expect(page.locator("#quote .total")).to_be_visible()
    expect(page.locator("#default-destination")).to_be_visible()
    expect(page.get_by_role("button", name="Place order and pay")).to_have_count(0)
    page.get_by_label("Recipient").fill("Journey Buyer")
    page.get_by_label("Street and number").fill("Oudegracht 1")
    page.get_by_label("Postcode").fill("3511 AA")
    page.get_by_label("Town or city").fill("Utrecht")
    page.get_by_role("button", name="Save shipping details").click()
    # Saved, the town looked up and the cart re-quoted in place (htmx).
    expect(page.get_by_text("Shipping details saved.")).to_be_visible(timeout=LIVE_TIMEOUT)
    cart_quote = page.locator("#quote")
    expect(cart_quote).to_contain_text("For delivery to Utrecht.")
    expect(cart_quote.locator(".total")).to_have_text(PRICE)
    total = cart_quote.locator(".total").inner_text()
    promised = cart_quote.locator("time").first.inner_text()  # then the other lead times
    page.get_by_role("button", name="Place order and pay").click()

    # The local-mode pay page: the declining test card is refused plainly and nothing is charged.
    expect(page.get_by_role("heading", name=re.compile(r"^Pay for "))).to_be_visible()
    expect(page.get_by_text("Test mode: no real money moves.")).to_be_visible()
    expect(page.locator(".total")).to_have_text(total)
    expect(page.get_by_text(f"Delivered by {promised}")).to_be_visible()
    _pay(page, "4000 0000 0000 0002")
    declined = page.locator("#payment-declined")
    expect(declined).to_contain_text("Your payment was declined")
    expect(declined).to_contain_text("Nothing was charged. Try another card.")
    expect(page.get_by_role("heading", name=re.compile(r"^Pay for "))).to_be_visible()

    _pay(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name=re.compile(r"^Order "))).to_be_visible()
    expect(page.get_by_text("Thank you: your payment went through.")).to_be_visible()
    status = page.locator("#order-status")
    # The worker may already have planned it by the time the page renders; either way it is paid.
    expect(status).to_have_text(re.compile(r"^(Paid|Planned)$"))
    expect(page.locator("#order-timeline")).to_contain_text("Paid")
    expect(page.get_by_role("link", name="Pay now")).to_have_count(0)
    order_facts = page.locator("#order-live .quote-facts")
    expect(order_facts).to_contain_text(total)
    expect(order_facts).to_contain_text(promised)

    # The worker plans the order; the page polls by itself (no reload) until the plan shows.
    expect(status).to_have_text("Planned", timeout=PLANNING_TIMEOUT)
    gantt = page.get_by_role("img", name="Production and transport plan")
    expect(gantt).to_be_visible()
    expect(gantt.locator("rect[class^='bar-']").first).to_be_attached()
    expect(page.locator("#order-eta time")).to_be_visible()
    expect(page.locator("#order-eta .badge")).to_have_text(re.compile(r"^(on time|later than promised)$"))
    expect(page.locator("#order-timeline")).to_contain_text("Planned")
    _scroll_to_top_of(page, "h1")
    tour_shot(page, "order-gantt")
