"""Journey: a designer publishes an uploaded CAD part as a product with options (issue 19).

In the demo network: the demo designer starts "New product from a CAD file" in the studio and uploads an STL; the
session's worker analyses it (queue "uploads") and the page shows the part and its checks as customers see theirs;
the designer keeps PLA and PETG only, sets a royalty and sees the customers' panel priced by the network; submits;
staff see the part in the back-office review and approve it; a customer opens the product, sees the part, a price
and only the designer's materials, and adds it to the cart.
"""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import ProductTemplate
from apps.demo.designers import DESIGNER_LOGIN
from apps.demo.seed import DEMO_OWNER, DEMO_PASSWORD
from tests.browser.conftest import network_url
from tests.browser.test_journey_fulfilment import Login, in_network, sign_in_as
from tests.conftest import PASSWORD
from tests.uploads import samples

pytestmark = pytest.mark.browser

ANALYSIS_TIMEOUT = 30_000  # ms: the worker's sandboxed analysis, polled by the page every second
LIVE_TIMEOUT = 15_000  # ms: a round trip that quotes through the matcher
PRICE = re.compile(r"€[\d,]+\.\d\d")


def test_a_designer_publishes_a_cad_part_and_a_customer_puts_it_in_the_cart(
    page: Page, platform_server, demo_network, django_db_blocker, tmp_path
):
    base = network_url(platform_server, demo_network.slug)
    name = f"Desk clip {uuid.uuid4().hex[:6]}"

    # 1. The designer uploads the part from the studio and watches the analysis.
    sign_in_as(page, base, Login(DESIGNER_LOGIN, DEMO_PASSWORD))
    page.goto(f"{base}/designer/studio/")
    page.get_by_role("link", name="New product from a CAD file").click()
    page.get_by_label("Product name").fill(name)
    page.locator("input[name=files]").set_input_files(str(samples.box_stl(tmp_path)))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#cad-checks-pass")).to_be_visible(timeout=ANALYSIS_TIMEOUT)
    edit_url = page.url
    template_id = int(re.search(r"/designer/studio/cad/(\d+)/", edit_url).group(1))

    # 2. Options, royalty, save: the customers' panel is priced by the network.
    page.goto(edit_url)
    expect(page.locator("#view-title")).to_have_text("Your part")
    materials = page.locator("input[name=option_material]")
    for index in range(materials.count()):
        box = materials.nth(index)
        box.set_checked(box.get_attribute("value") in ("pla", "petg"))
    page.get_by_label("Royalty", exact=True).select_option("percent")
    page.get_by_label("Royalty (basis points)").fill("500")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(edit_url)
    expect(page.locator("#cad-preview .price").first).to_have_text(PRICE, timeout=LIVE_TIMEOUT)
    expect(page.locator("#cad-preview button[value=cart]")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#template-status")).to_have_text("In review")

    # 3. Staff see the part itself in the review and approve it.
    sign_in_as(page, base, Login(DEMO_OWNER.email, DEMO_PASSWORD))
    page.goto(f"{base}/backoffice/reviews/{template_id}/")
    expect(page.locator("#cad-part")).to_contain_text("40 × 30 × 10")
    expect(page.locator("#cad-options")).to_contain_text("petg, pla")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text(f"{name} v1 is published.")).to_be_visible()

    # 4. A customer opens the product, sees the part, a price and the designer's materials only, and buys it.
    email = f"clip-buyer-{uuid.uuid4().hex[:8]}@customers.test"
    with in_network(demo_network, django_db_blocker):
        user_create(email=email, password=PASSWORD, role=Role.CUSTOMER, full_name="Clip Buyer")
        slug = ProductTemplate.objects.get(pk=template_id).slug
    sign_in_as(page, base, Login(email, PASSWORD))
    page.goto(f"{base}/catalog/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".part-viewer canvas")).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(page.locator("#quote-panel .price").first).to_have_text(PRICE, timeout=LIVE_TIMEOUT)
    offered = page.locator("select[name=material] option").all_inner_texts()
    assert sorted(offered) == ["PETG", "PLA"], offered
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(f"{base}/cart/", timeout=2 * LIVE_TIMEOUT)  # saved, then quoted in the cart
    expect(page.get_by_role("main")).to_contain_text(name)
    expect(page.get_by_role("main")).to_contain_text("designer's royalty")
