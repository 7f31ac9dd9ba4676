"""The SaaS operator's admin on the public site manages networks and operators, never a network's own data:
no tenant model is registered there, tenant admin URLs do not exist on the public host, and a network's users
are not the operator's users."""

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.tenants.admin import operator_admin_site
from apps.tenants.models import Domain, Tenant
from tests.conftest import PASSWORD

TENANT_ADMIN_PATHS = [
    "/admin/orders/order/",
    "/admin/catalog/producttemplate/",
    "/admin/suppliers/assetowner/",
    "/admin/payouts/ledgerentry/",
    "/admin/accounts/apitoken/",
    "/admin/auth/group/",
]


@pytest.fixture
def operator(db):
    operator = User.objects.create_superuser(email="op-exposure@cloudfactory.test", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)  # the public schema is the operator's own
    return client


def test_only_networks_and_operators_are_registered():
    assert set(operator_admin_site._registry) == {Tenant, User}
    inlines = operator_admin_site._registry[Tenant].inlines
    assert [inline.model for inline in inlines] == [Domain]


def test_the_operator_sees_no_network_data(operator, tenant_a, make_user):
    member = make_user(tenant_a, Role.STAFF, email="network-staff@alpha.test")
    users = operator.get("/admin/accounts/user/")
    assert users.status_code == 200
    assert b"op-exposure@cloudfactory.test" in users.content
    assert member.email.encode() not in users.content
    assert b"owner@alpha.test" not in users.content
    index = operator.get("/admin/")
    for app_label in (b"/admin/orders/", b"/admin/catalog/", b"/admin/suppliers/", b"/admin/payouts/"):
        assert app_label not in index.content
    for path in TENANT_ADMIN_PATHS:
        assert operator.get(path).status_code == 404, path


def test_the_operator_cannot_open_a_network_admin_with_the_operator_session(operator, tenant_a):
    """Cookies are host-only; and even a replayed operator session cookie means nothing to the network, whose
    sessions live in its own schema: alpha's admin asks to sign in."""
    assert operator.get("/admin/").status_code == 200
    replayed = Client(HTTP_HOST="alpha.localhost")
    replayed.cookies = operator.cookies
    response = replayed.get("/admin/orders/order/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
