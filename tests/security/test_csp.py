"""Every page carries a strict Content-Security-Policy (per-request nonce, no inline code without it) and the
other security headers; the pages themselves respect it (no inline handlers, style attributes or un-nonced
<script>/<style>), so the policy never breaks them. The Django admin and Swagger UI get a looser policy of their
own; the pay page alone may load Stripe.js."""

import pytest
from django.test import Client

from apps.accounts.roles import Role
from apps.payouts import crypto
from apps.payouts.models import StripeMode, StripeSettings
from apps.payouts.stripe_client import stripe_settings_get
from tests.conftest import sign_in
from tests.orders.conftest import place_order
from tests.security.csp_audit import csp_violations, nonce_of, policy_of

HOST = "alpha.localhost"


def _client(tenant, user=None) -> Client:
    client = Client(HTTP_HOST=HOST)
    return sign_in(client, tenant, user) if user is not None else client


@pytest.fixture
def pages(db, tenant_a, make_user, customer, table, planned, supplier_a, carrier_a):
    """(client, path) of the main pages of every area, each with real content in it."""
    awaiting = place_order(customer, (table.current_version, 1))
    staff = make_user(tenant_a, Role.STAFF)
    finance = make_user(tenant_a, Role.FINANCE)
    return {
        "storefront home": (_client(tenant_a), "/"),
        "catalog": (_client(tenant_a), "/catalog/"),
        "configurator": (_client(tenant_a), f"/catalog/{table.template.slug}/"),
        "login": (_client(tenant_a), "/accounts/login/"),
        "signup": (_client(tenant_a), "/accounts/signup/"),
        "design page": (_client(tenant_a, customer), f"/designs/{table.pk}/"),
        "cart": (_client(tenant_a, customer), "/cart/"),
        "order page": (_client(tenant_a, customer), f"/orders/{planned.pk}/"),
        "order list": (_client(tenant_a, customer), "/orders/"),
        "pay page": (_client(tenant_a, customer), f"/orders/{awaiting.pk}/pay/"),
        "portal dashboard": (_client(tenant_a, supplier_a.user), "/portal/"),
        "portal resources": (_client(tenant_a, supplier_a.user), "/portal/resources/"),
        "carrier dashboard": (_client(tenant_a, carrier_a.user), "/portal/carrier/"),
        "backoffice dashboard": (_client(tenant_a, staff), "/backoffice/"),
        "matching runs": (_client(tenant_a, staff), "/backoffice/matching/"),
        "finance home": (_client(tenant_a, finance), "/backoffice/finance/"),
    }


PAGE_NAMES = [
    "storefront home",
    "catalog",
    "configurator",
    "login",
    "signup",
    "design page",
    "cart",
    "order page",
    "order list",
    "pay page",
    "portal dashboard",
    "portal resources",
    "carrier dashboard",
    "backoffice dashboard",
    "matching runs",
    "finance home",
]


def test_every_main_page_has_a_strict_policy_and_respects_it(pages):
    """Each page: 200, the strict policy with this response's nonce, and nothing inline that it would block."""
    assert sorted(pages) == sorted(PAGE_NAMES)
    report = {}
    for name in PAGE_NAMES:
        client, path = pages[name]
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        policy = policy_of(response)
        nonce = nonce_of(response)
        assert len(nonce) >= 16, name
        assert policy["default-src"] == ["'self'"], name
        assert policy["script-src"][:2] == ["'self'", f"'nonce-{nonce}'"], name
        assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"], name
        assert policy["img-src"] == ["'self'", "data:"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["connect-src"][0] == "'self'", name
        assert policy["form-action"][0] == "'self'", name
        assert policy["object-src"] == ["'none'"], name
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert "camera=()" in response["Permissions-Policy"], name
        body = response.content.decode()
        # The one inline <style> (the network's accent colour) carries the nonce; htmx is told to add none.
        assert f'<style nonce="{nonce}">' in body, name
        assert '"includeIndicatorStyles": false' in body, name
        problems = csp_violations(response)
        if problems:
            report[name] = problems
    assert report == {}


def test_the_nonce_is_new_for_every_response(client_a):
    first, second = client_a.get("/accounts/login/"), client_a.get("/accounts/login/")
    assert nonce_of(first) != nonce_of(second)
    assert f'nonce="{nonce_of(second)}"' in second.content.decode()


def test_only_the_pay_page_may_load_stripe_js(pages):
    client, path = pages["pay page"]
    pay = policy_of(client.get(path))
    assert "https://js.stripe.com" in pay["script-src"]
    assert "https://js.stripe.com" in pay["frame-src"]
    assert "https://api.stripe.com" in pay["connect-src"]
    client, path = pages["order page"]
    order = client.get(path)
    assert "stripe.com" not in order["Content-Security-Policy"].replace("https://connect.stripe.com", "")


def test_the_payment_element_page_respects_its_policy(pages):
    """With real Stripe keys the pay page loads Stripe.js (allowed there) and runs no inline script."""
    stripe_settings_get()
    StripeSettings.objects.filter(pk=1).update(
        mode=StripeMode.STRIPE,
        publishable_key="pk_test_csp",
        secret_key_encrypted=crypto.encrypt("sk_test_csp"),
    )
    client, path = pages["pay page"]
    response = client.get(path)
    assert response.status_code == 200
    assert (
        b"https://js.stripe.com/v3/" in response.content
        and b'data-publishable-key="pk_test_csp"' in response.content
    )
    assert csp_violations(response) == []


def test_the_audit_catches_what_the_policy_would_block(client_a):
    """The checker itself: a page with a handler, a style attribute and un-nonced inline code fails it."""
    response = client_a.get("/accounts/login/")
    nonce = nonce_of(response)
    response.content = (
        f'<script nonce="{nonce}">ok()</script><style nonce="{nonce}"></style>'
        '<script>bad()</script><style>p{}</style><p style="color:red" onclick="x()">'
        '<a href="javascript:alert(1)">x</a><script src="https://cdn.example.org/x.js"></script>'
    ).encode()
    problems = csp_violations(response)
    assert len(problems) == 6, problems


def test_admin_and_api_docs_get_the_looser_policy(client_a, tenant_a, make_user):
    """Their own templates use inline scripts and styles; still no framing, no plugins, nothing foreign."""
    for path in ("/admin/login/", "/api/docs/"):
        response = client_a.get(path)
        assert response.status_code == 200, path
        policy = policy_of(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["default-src"] == ["'self'"], path


def test_the_public_site_has_the_strict_policy_too(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert csp_violations(response) == []
    operator_login = public_client.get("/admin/login/")
    assert policy_of(operator_login)["script-src"] == ["'self'", "'unsafe-inline'"]


def test_the_standalone_preview_svg_keeps_its_own_policy(client_a, table):
    response = client_a.get(f"/catalog/{table.template.slug}/preview.svg")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
