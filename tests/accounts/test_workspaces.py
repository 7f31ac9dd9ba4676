"""Every role at home: where each person lands after signing in, the workspaces the header offers, and one
navigation per workspace, the same on every page of it."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.accounts.workspaces import WORKSPACES, workspace_of_page
from apps.orders.models import CartLine
from apps.orders.services.cart import cart_get_or_create
from tests.conftest import PASSWORD, host_of, sign_in
from tests.core.test_page_query_counts import a_design
from tests.portal.jobs.builders import plan_order

pytestmark = pytest.mark.django_db


def _login(tenant, email: str, *, next_url: str = "") -> str:
    client = Client(HTTP_HOST=host_of(tenant))
    data = {"username": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def _owner(tenant):
    email = f"owner-{uuid.uuid4().hex[:8]}@alpha.test"
    with schema_context(tenant.schema_name):
        return user_create(
            email=email, password=PASSWORD, role=Role.STAFF, is_superuser=True, full_name="Olga Owner"
        )


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.CUSTOMER, "/"),
        (Role.STAFF, "/backoffice/"),
        (Role.FINANCE, "/backoffice/finance/"),
    ],
)
def test_each_role_lands_in_its_own_workspace(tenant_a, make_user, role, landing):
    """A customer lands in the storefront, staff in the back office, finance on the finance pages."""
    user = make_user(tenant_a, role)
    assert _login(tenant_a, user.email) == landing


def test_supplier_and_carrier_members_land_on_their_portals(tenant_a, supplier_a, carrier_a):
    assert _login(tenant_a, supplier_a.user.email) == "/portal/"
    assert _login(tenant_a, carrier_a.user.email) == "/portal/carrier/"


def test_the_owner_lands_on_the_setup_checklist_until_the_network_is_set_up(tenant_a):
    owner = _owner(tenant_a)
    assert _login(tenant_a, owner.email) == "/backoffice/start/"
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, owner)
    assert client.get("/backoffice/start/")["Location"] == "/backoffice/setup/"


def test_a_page_that_asked_for_the_sign_in_wins_over_the_workspace(tenant_a, supplier_a):
    assert _login(tenant_a, supplier_a.user.email, next_url="/orders/") == "/orders/"
    # Never somewhere else: an unsafe next falls back to the person's workspace.
    assert _login(tenant_a, supplier_a.user.email, next_url="https://evil.test/") == "/portal/"


def _header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def _workspace_links(html: str) -> list[str]:
    switcher = re.search(r'<nav class="workspaces" aria-label="Workspaces">(.*?)</nav>', _header(html), re.S)
    return re.findall(r">([^<>]+)</a>", switcher.group(1)) if switcher else []


def _workspace_nav(html: str) -> str:
    """The workspace navigation with the current-page marks blanked: what must be equal on every page."""
    bar = re.search(r'<div class="workspace-bar">(.*?)</div>', _header(html), re.S)
    assert bar, "no workspace navigation"
    return re.sub(r' aria-current="[a-z]+"', "", bar.group(1))


def _current(html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)<', _header(html))


def test_the_header_names_the_person_and_offers_only_the_workspaces_they_may_enter(tenant_a, make_user):
    with schema_context(tenant_a.schema_name):
        staff = user_create(
            email=f"sam-{uuid.uuid4().hex[:8]}@alpha.test",
            password=PASSWORD,
            role=Role.STAFF,
            full_name="Sam Staff",
        )
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, staff)
    html = client.get("/backoffice/").content.decode()
    assert "Sam Staff" in _header(html)
    assert "Platform staff" not in _header(html) and ">staff<" not in _header(html).lower()
    assert _workspace_links(html) == ["Shop", "Back office", "Finance", "Admin"]

    customer = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert _workspace_links(customer.get("/").content.decode()) == []  # one workspace: nothing to switch


def test_back_office_navigation_is_the_same_on_every_page_and_marks_the_current_one(staff_a):
    pages = {"/backoffice/": "Dashboard", "/backoffice/matching/": "Matching runs"}
    navs = set()
    for url, current in pages.items():
        html = staff_a.get(url).content.decode()
        navs.add(_workspace_nav(html))
        assert _current(html) == [current]
    assert len(navs) == 1
    nav = navs.pop()
    for label in ("Dashboard", "Matching runs", "Orders"):
        assert f">{label}<" in nav
    assert ">Finance<" not in nav  # Finance is a workspace of its own, in the header's list once


def test_finance_pages_share_one_navigation_and_have_a_way_back(finance_a, staff_a):
    navs = {
        _workspace_nav(finance_a.get(url).content.decode())
        for url in ("/backoffice/finance/", "/backoffice/finance/statements/")
    }
    assert len(navs) == 1
    html = staff_a.get("/backoffice/finance/").content.decode()
    assert "Back office" in _workspace_links(html)  # staff go back the way they came
    assert _header(html).count(">Finance<") == 1


def test_portal_navigation_is_the_same_on_every_supplier_page(
    supplier_portal, supplier_a, other_supplier_a, carrier_a, other_carrier_a, tenant_a
):
    with schema_context(tenant_a.schema_name):
        plan = plan_order(
            supplier=supplier_a,
            other_supplier=other_supplier_a,
            carrier=carrier_a,
            other_carrier=other_carrier_a,
        )
    urls = [
        "/portal/",
        "/portal/jobs/",
        f"/portal/jobs/{plan.mine.pk}/",
        "/portal/resources/",
        "/portal/earnings/",
        "/portal/members/",
    ]
    navs = {_workspace_nav(supplier_portal.get(url).content.decode()) for url in urls}
    assert len(navs) == 1
    job_page = supplier_portal.get(f"/portal/jobs/{plan.mine.pk}/").content.decode()
    assert 'aria-current="true">Jobs<' in _header(job_page)  # the job is a page under Jobs
    assert ">Payouts<" in navs.pop()  # the company's owner sets up payouts


def test_carrier_navigation_is_the_same_on_every_carrier_page(carrier_portal):
    urls = [
        "/portal/carrier/",
        "/portal/carrier/legs/",
        "/portal/carrier/rate-card/",
        "/portal/carrier/earnings/",
    ]
    navs = {_workspace_nav(carrier_portal.get(url).content.decode()) for url in urls}
    assert len(navs) == 1
    assert ">Legs<" in navs.pop()


def test_storefront_header_shows_the_cart_count_and_my_orders_on_every_page(signed_in, customer, in_tenant_a):
    design = a_design(customer)
    # Rows as the cart service leaves them (what the network can make is not this test's subject).
    CartLine.objects.create(
        cart=cart_get_or_create(customer=customer), design_version=design.current_version, quantity=2
    )
    other = a_design(customer, "Desk")
    CartLine.objects.create(
        cart=cart_get_or_create(customer=customer), design_version=other.current_version, quantity=1
    )
    connection.set_schema_to_public()
    for url in ("/", "/catalog/", "/designs/", "/orders/", "/cart/"):
        header = _header(signed_in.get(url).content.decode())
        assert re.search(r'>Cart <span class="count" aria-label="3 items">3</span></a>', header), url
        assert ">My orders<" in header, url


def test_every_page_of_a_workspace_resolves_to_it():
    """The registry's lookup: the most specific workspace of a namespace first; sign-up pages belong to none."""
    assert workspace_of_page("portal", "carrier_legs").key == "carrier"
    assert workspace_of_page("portal", "job").key == "supplier"
    assert workspace_of_page("portal", "apply") is None
    assert workspace_of_page("backoffice", "finance_run").key == "finance"
    assert workspace_of_page("backoffice", "matching_run").key == "backoffice"
    assert workspace_of_page("accounts", "account") is None
    assert WORKSPACES[0].key == "storefront"


def test_a_page_of_no_workspace_shows_the_persons_own_navigation(signed_in, tenant_a, make_user):
    """The account page and a missing page belong to no workspace: the way on is the person's own navigation."""
    account = signed_in.get("/accounts/me/").content.decode()
    assert ">My orders<" in _workspace_nav(account) and _current(account) == []
    staff = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, make_user(tenant_a, Role.STAFF))
    missing = staff.get("/no-such-page/")
    assert missing.status_code == 404
    assert ">Matching runs<" in _workspace_nav(missing.content.decode())
    assert _current(missing.content.decode()) == []  # not even the admin links


def test_the_public_site_has_no_workspace_navigation(public_client):
    html = public_client.get("/").content.decode()
    assert 'class="workspace-bar"' not in html and "Sign in to your network" in _header(html)
