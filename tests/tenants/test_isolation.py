"""Tenants are walls: logins, sessions, admin, cache and hosts never cross from one network to another."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from apps.accounts.roles import Role
from apps.tenants.models import Tenant, TenantStatus
from tests.conftest import PASSWORD, login_with_password, sign_in

pytestmark = pytest.mark.django_db


def test_a_user_of_a_cannot_log_in_on_b(client_a, client_b, make_user, tenant_a):
    user = make_user(tenant_a, Role.CUSTOMER, email="only-alpha@example.test")
    assert login_with_password(client_a, user.email)
    response = client_b.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert b"correct e-mail" in response.content or b"Please enter a correct" in response.content
    assert b"Sign out" not in client_b.get("/").content
    assert b"Sign out" in client_a.get("/").content


def test_session_cookie_of_a_is_anonymous_on_b(client_a, make_user, tenant_a, tenant_b):
    user = make_user(tenant_a, Role.STAFF)
    sign_in(client_a, tenant_a, user)
    assert client_a.get("/admin/").status_code == 200
    stolen = client_a.cookies["sessionid"].value
    other = Client(HTTP_HOST="beta.localhost")
    other.cookies["sessionid"] = stolen
    response = other.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_of_a_cannot_open_b_admin(client_b, make_user, tenant_a):
    staff = make_user(tenant_a, Role.STAFF, email="staff-alpha@example.test")
    response = client_b.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert client_b.get("/admin/").status_code == 302


def test_cache_key_set_in_a_is_absent_in_b(tenant_a, tenant_b):
    connection.set_tenant(tenant_a)
    cache.set("quote:42", "alpha's price", 30)
    assert cache.get("quote:42") == "alpha's price"
    connection.set_tenant(tenant_b)
    assert cache.get("quote:42") is None
    connection.set_tenant(tenant_a)
    cache.delete("quote:42")


def test_unknown_host_is_404_not_the_public_site():
    response = Client(HTTP_HOST="nobody.localhost").get("/")
    assert response.status_code == 404
    # Host routing (apps/tenants/middleware.py) answers any host that is neither the platform nor a network
    # with 404, a foreign domain included, before anything reads the host for a URL.
    assert Client(HTTP_HOST="evil.example.com").get("/").status_code == 404


def test_template_schema_is_never_served():
    assert not Tenant.objects.get(schema_name="tenant_base").domains.exists()
    assert Client(HTTP_HOST="tenant-base.localhost").get("/").status_code == 404


def test_suspended_network_answers_503(client_a, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(status=TenantStatus.SUSPENDED)
    response = client_a.get("/")
    assert response.status_code == 503
    assert b"suspended" in response.content


def test_public_site_has_no_network_admin(public_client, make_user, tenant_a):
    """The operator admin on the public host lists networks, never a network's own users or data."""
    staff = make_user(tenant_a, Role.STAFF, email="staff-pub@example.test")
    response = public_client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 200  # not a redirect: alpha's staff is unknown in the public schema
