"""CSRF: every state-changing form and htmx request needs the token (base.html sends it as X-CSRFToken through
hx-headers), the API's session authentication enforces it too, and nothing is exempt but Stripe's webhook,
which is authenticated by its signature instead."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context
from rest_framework.views import APIView

from apps.accounts.roles import Role
from tests.conftest import PASSWORD, api_token_for, sign_in

ROOT = Path(__file__).resolve().parents[2]


def strict_client(host: str = "alpha.localhost") -> Client:
    return Client(HTTP_HOST=host, enforce_csrf_checks=True)


@pytest.fixture
def as_customer(db, tenant_a, customer):
    return sign_in(strict_client(), tenant_a, customer)


def test_form_posts_without_the_token_are_refused(
    db, tenant_a, make_user, customer, table, awaiting, supplier_a, as_customer
):
    """A representative POST of every area answers 403 without the token, and nothing happens."""
    staff = sign_in(strict_client(), tenant_a, make_user(tenant_a, Role.STAFF))
    supplier = sign_in(strict_client(), tenant_a, supplier_a.user)
    anonymous = strict_client()
    posts = [
        (anonymous, "/accounts/login/", {"username": customer.email, "password": PASSWORD}),
        (
            anonymous,
            "/accounts/signup/",
            {"full_name": "Eve", "email": "eve@example.test", "password": "x" * 12},
        ),
        (anonymous, "/accounts/password-reset/", {"email": customer.email}),
        (anonymous, "/admin/login/", {"username": customer.email, "password": PASSWORD}),
        (as_customer, "/accounts/logout/", {}),
        (as_customer, "/cart/add/", {"design_version": table.current_version.pk, "quantity": 1}),
        (as_customer, f"/orders/{awaiting.pk}/cancel/", {}),
        (as_customer, f"/orders/{awaiting.pk}/pay/", {"card_number": "4242424242424242"}),
        (as_customer, f"/catalog/{table.template.slug}/", {"name": "x"}),
        (supplier, "/portal/profile/", {"name": "Renamed"}),
        (staff, f"/backoffice/matching/orders/{awaiting.pk}/replan/", {"reason": "csrf"}),
        (strict_client("localhost"), "/", {"name": "Evil Works", "subdomain": "evil"}),
    ]
    for client, path, data in posts:
        response = client.post(path, data)
        assert response.status_code == 403, (path, response.status_code)
        assert b"CSRF" in response.content, path
    connection.set_tenant(tenant_a)  # the last request went to the public site
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_payment"


def test_htmx_requests_carry_the_token_from_hx_headers(as_customer, table):
    """The token base.html puts in hx-headers is accepted as X-CSRFToken; a wrong one is not."""
    page = as_customer.get("/cart/")
    token = re.search(rb'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page.content).group(1).decode()
    data = {"design_version": table.current_version.pk, "quantity": 1}
    refused = as_customer.post("/cart/add/", data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN="forged")
    assert refused.status_code == 403
    accepted = as_customer.post("/cart/add/", data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 302 and accepted.url == "/cart/"


def test_the_api_enforces_csrf_for_session_auth_but_not_for_tokens(
    db, tenant_a, customer, as_customer, table
):
    # Valid values: with a token the request must get past CSRF and create the design.
    with schema_context(tenant_a.schema_name):
        values = table.current_version.values
    body = {"template": table.template.slug, "name": "Via API", "values": values}
    with_session = as_customer.post("/api/v1/designs/", body, content_type="application/json")
    assert with_session.status_code == 403 and b"CSRF" in with_session.content
    with schema_context(tenant_a.schema_name):
        token = api_token_for(customer)
    with_token = strict_client().post(
        "/api/v1/designs/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert with_token.status_code == 201, with_token.content


def _callbacks(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _is_drf_view(callback) -> bool:
    # DRF marks its views csrf_exempt and enforces CSRF itself in SessionAuthentication (tested above).
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


@pytest.mark.parametrize("urlconf", ["config.urls_tenants", "config.urls_public"])
def test_nothing_is_csrf_exempt_but_the_stripe_webhooks(urlconf):
    exempt = sorted(
        route
        for route, callback in _callbacks(get_resolver(urlconf))
        if getattr(callback, "csrf_exempt", False) and not _is_drf_view(callback)
    )
    # Stripe signs the body instead (account endpoint and Connect endpoint).
    expected = ["stripe/webhook/", "stripe/webhook/connect/"] if urlconf == "config.urls_tenants" else []
    assert exempt == expected


def test_no_source_file_but_the_webhook_uses_csrf_exempt():
    users = sorted(
        str(path.relative_to(ROOT))
        for folder in ("apps", "config")
        for path in (ROOT / folder).rglob("*.py")
        if "csrf_exempt" in path.read_text()
    )
    assert users == ["apps/payouts/webhooks/views.py"]
