"""What surrounds every page of a network: its error pages and favicon, and on the public site the way to one's
network, the currencies a new network may choose and a sign-up form that says why the password is empty."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from apps.core.currencies import chargeable_currencies
from apps.tenants.error_pages import server_error
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


# --- error pages ------------------------------------------------------------------------------------------------


def test_a_missing_page_is_the_networks_own_404_with_a_way_home(client_a, tenant_a, settings):
    assert settings.DEBUG is False
    response = client_a.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and f"Back to {tenant_a.name}" in html
    assert f'<a class="brand" href="/">{tenant_a.name}</a>' in html
    assert "--accent: #" in html  # the network's colour


def test_a_page_staff_may_not_open_is_the_networks_403(client_a, tenant_a, staff_a):
    """The Stripe settings are the owner's: the admin refuses staff with PermissionDenied."""
    response = staff_a.get("/admin/payouts/stripesettings/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not open this page" in html and tenant_a.name in html


def test_the_500_page_names_the_network_and_reads_no_database(tenant_a):
    request = RequestFactory().get("/", HTTP_HOST=host_of(tenant_a))
    request.tenant = tenant_a
    request.csp_nonce = "abc"
    with CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    assert response.status_code == 500 and queries.captured_queries == []
    html = response.content.decode()
    assert tenant_a.name in html and "Back to" in html and 'nonce="abc"' in html


def test_the_public_sites_404_is_cloud_factorys(public_client):
    response = public_client.get("/no-such-page/")
    assert response.status_code == 404 and b"Back to Cloud Factory" in response.content


# --- favicon ----------------------------------------------------------------------------------------------------


def test_each_network_has_its_own_favicon(client_a, client_b, tenant_a, tenant_b):
    a, b = client_a.get("/favicon.svg"), client_b.get("/favicon.svg")
    assert a.status_code == b.status_code == 200
    assert a["Content-Type"] == "image/svg+xml"
    assert f">{tenant_a.name[0].upper()}</text>" in a.content.decode()
    assert f'fill="{tenant_a.accent_color}"' in a.content.decode()
    assert f">{tenant_b.name[0].upper()}</text>" in b.content.decode()
    assert client_a.get("/favicon.ico")["Location"] == "/favicon.svg"
    assert b'rel="icon" href="/favicon.svg"' in client_a.get("/").content


# --- sign in to your network --------------------------------------------------------------------------------------


def test_the_public_site_sends_a_person_to_their_networks_sign_in(public_client, tenant_a):
    assert b'href="/sign-in/"' in public_client.get("/").content
    for typed in (
        tenant_a.slug,
        tenant_a.slug.upper(),
        f" {tenant_a.name.lower()} ",
        f"{tenant_a.slug}.localhost",
    ):
        response = public_client.get("/sign-in/", {"network": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == f"http://{tenant_a.slug}.localhost:8000/accounts/login/"


def test_an_unknown_network_is_a_field_error(public_client):
    response = public_client.get("/sign-in/", {"network": "no-such-network"})
    assert response.status_code == 400
    assert b"No network has that name or subdomain" in response.content
    assert (
        public_client.get("/sign-in/", {"network": "tenant-base"}).status_code == 400
    )  # the template is no one's


# --- the sign-up form ---------------------------------------------------------------------------------------------


def test_the_currency_list_offers_current_currencies_stripe_charges(public_client):
    html = public_client.get("/").content.decode()
    offered = re.findall(r'<option value="([A-Z]{3})"', html)
    assert offered[:3] == ["EUR", "USD", "GBP"]
    assert len(offered) == len(set(offered)) == len(chargeable_currencies())
    for gone in ("DEM", "XAU", "ANG", "STD", "XTS"):
        assert gone not in offered
    assert 130 < len(offered) < 160
    assert "EUR — Euro" in html


def test_the_password_is_asked_again_after_an_error_elsewhere(public_client, tenant_a):
    data = {
        "name": "Taken Makers",
        "subdomain": tenant_a.slug,  # taken
        "currency": "EUR",
        "admin_email": "boss@taken.test",
        "admin_password": "a-Very-good-passphrase-7",
    }
    html = public_client.post("/", data).content.decode()
    assert "This subdomain is already taken." in html
    assert "a-Very-good-passphrase-7" not in html  # never sent back
    assert "Type your password again" in html


def test_the_customer_sign_up_asks_for_the_password_again_too(client_a, tenant_a):
    data = {"full_name": "Kim", "email": "not-an-email", "password": "a-Very-good-passphrase-7"}
    html = client_a.post("/accounts/signup/", data).content.decode()
    assert "Type your password again" in html and "a-Very-good-passphrase-7" not in html
    # A password that is itself refused says so, not "type again".
    data = {"full_name": "Kim", "email": "kim@example.test", "password": "short"}
    assert (
        "Type your password again"
        not in Client(HTTP_HOST=host_of(tenant_a)).post("/accounts/signup/", data).content.decode()
    )


def test_a_host_that_is_no_networks_gets_a_plain_404(db):
    response = Client(HTTP_HOST="nobody.localhost").get("/")
    assert response.status_code == 404 and b"Page not found" in response.content
