"""Journey 1: a platform owner signs up on the public site and the new network works — storefront, login, admin."""

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import browser_sign_in, network_url

pytestmark = pytest.mark.browser


def test_platform_owner_signs_up_and_the_new_network_works(page: Page, platform_server):
    slug = f"oak{uuid.uuid4().hex[:6]}"
    page.goto(f"{platform_server}/")
    expect(page.get_by_role("heading", name="Create your network")).to_be_visible()

    # A taken subdomain is refused inline and what was typed stays in the form.
    page.get_by_label("Network name").fill("Oak & Iron Furniture")
    page.get_by_label("Subdomain").fill("alpha")
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Your name").fill("Olive Oak")
    page.get_by_label("Admin e-mail").fill(f"owner@{slug}.test")
    page.get_by_label("Admin password").fill("a-long-enough-password-42")
    page.get_by_role("button", name="Create network").click()
    expect(page.locator("#id_subdomain_error")).to_be_visible()
    expect(page.get_by_label("Network name")).to_have_value("Oak & Iron Furniture")
    expect(page.get_by_label("Currency")).to_have_value("GBP")
    expect(page.get_by_text("Type your password again")).to_be_visible()  # never sent back, so asked again

    page.get_by_label("Subdomain").fill(slug)
    page.get_by_label("Admin password").fill("a-long-enough-password-42")
    page.get_by_role("button", name="Create network").click()
    expect(page.get_by_role("heading", name="Oak & Iron Furniture is ready")).to_be_visible(timeout=30_000)

    page.get_by_role("link", name="Sign in to Oak & Iron Furniture").click()
    expect(page).to_have_url(f"{network_url(platform_server, slug)}/accounts/login/")
    browser_sign_in(
        page, network_url(platform_server, slug), f"owner@{slug}.test", "a-long-enough-password-42"
    )
    # The owner lands on the setup checklist, named in the header.
    expect(page).to_have_url(f"{network_url(platform_server, slug)}/backoffice/setup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Oak & Iron Furniture")
    expect(page.get_by_role("link", name="Olive Oak")).to_be_visible()

    # The storefront is branded with the network's own name, on its own host.
    page.goto(f"{network_url(platform_server, slug)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oak & Iron Furniture")

    # The owner runs the network from its own admin; the other networks' data is not there.
    page.goto(f"{network_url(platform_server, slug)}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{network_url(platform_server, slug)}/admin/orders/order/")
    expect(page.get_by_text("0 orders")).to_be_visible()

    # The new network's session is its own: the same browser is a stranger on another network.
    page.goto(f"{network_url(platform_server, 'alpha')}/admin/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
