"""What every signed-in page reads before its own content — the user with their roles, the header's workspaces and
navigation, the cart's count — is read for each request: a change made between two requests shows on the second,
whoever made it and however (services or queryset updates), and nothing read for one network answers for another."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.backends import ThrottledModelBackend
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_grant_role, user_revoke_role
from apps.orders.models import CartLine
from apps.orders.selectors import cart_item_count
from apps.orders.services.cart import cart_get_or_create
from apps.suppliers.access import asset_owner_membership_get
from apps.suppliers.services.invitations import member_remove
from apps.suppliers.status import MemberRole
from tests.conftest import host_of, sign_in
from tests.core.test_page_query_counts import a_design
from tests.suppliers.factories import make_member

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def _workspaces(client: Client, url: str = "/") -> list[str]:
    header = _header(client.get(url).content.decode())
    switcher = re.search(r'<nav class="workspaces" aria-label="Workspaces">(.*?)</nav>', header, re.S)
    return re.findall(r">([^<>]+)</a>", switcher.group(1)) if switcher else []


def _cart_count(client: Client) -> str:
    found = re.search(
        r'>Cart <span class="count" aria-label="[^"]+">(\d+)</span>',
        _header(client.get("/").content.decode()),
    )
    assert found, "no cart link"
    return found.group(1)


def test_a_granted_and_a_removed_role_show_at_the_next_request(tenant_a, make_user):
    person = make_user(tenant_a, Role.CUSTOMER)
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, person)
    assert _workspaces(client) == []  # the shop alone
    assert client.get("/backoffice/finance/").status_code == 404
    with schema_context(tenant_a.schema_name):
        user_grant_role(user=person, role=Role.FINANCE)
    assert "Finance" in _workspaces(client)
    assert client.get("/backoffice/finance/").status_code == 200
    with schema_context(tenant_a.schema_name):
        user_revoke_role(user=person, role=Role.FINANCE)
    assert "Finance" not in _workspaces(client)
    assert client.get("/backoffice/finance/").status_code == 404


def test_a_member_removed_from_the_company_loses_the_portal_at_the_next_request(tenant_a, supplier_a):
    with schema_context(tenant_a.schema_name):
        operator = make_member(supplier_a.company, role=MemberRole.OPERATOR)
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, operator)
    jobs = client.get("/portal/jobs/").content.decode()
    assert "Supplier portal" in _workspaces(client)
    assert ">Jobs<" in _header(jobs)
    assert ">Payouts<" not in _header(jobs)  # only the company's owner sets up payouts
    with schema_context(tenant_a.schema_name):
        owner = asset_owner_membership_get(user=supplier_a.user)
        member_remove(member=owner, member_id=asset_owner_membership_get(user=operator).pk)
    assert _workspaces(client) == []  # the shop alone: nothing to switch between
    assert client.get("/portal/jobs/").status_code == 404


def test_a_new_cart_item_shows_in_the_header_at_the_next_request(signed_in, customer, tenant_a):
    assert _cart_count(signed_in) == "0"
    with schema_context(tenant_a.schema_name):
        line = CartLine.objects.create(
            cart=cart_get_or_create(customer=customer), design_version=a_design(customer).current_version
        )
    assert _cart_count(signed_in) == "1"
    with schema_context(tenant_a.schema_name):
        CartLine.objects.filter(pk=line.pk).update(
            quantity=4
        )  # no service, no signal: still the next request
    assert _cart_count(signed_in) == "4"
    with schema_context(tenant_a.schema_name):
        line.delete()
    assert _cart_count(signed_in) == "0"


def test_a_renamed_person_shows_at_the_next_request(signed_in, customer, tenant_a):
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=customer.pk).update(full_name="Renamed Person")
    assert 'title="Your account and API tokens">Renamed Person</a>' in _header(
        signed_in.get("/").content.decode()
    )


def test_the_user_and_the_cart_are_read_from_the_connections_network(tenant_a, tenant_b, make_user):
    """The statements name no schema: they read the network the request's connection is on, never another's row
    with the same id."""
    in_a = make_user(tenant_a, Role.STAFF)
    in_b = make_user(tenant_b, Role.CUSTOMER)
    with schema_context(tenant_a.schema_name):
        CartLine.objects.create(
            cart=cart_get_or_create(customer=in_a), design_version=a_design(in_a).current_version, quantity=5
        )
    backend = ThrottledModelBackend()
    with schema_context(tenant_b.schema_name):
        same_id_in_b = User.objects.filter(pk=in_a.pk).first()
        loaded = backend.get_user(in_a.pk)
        assert (loaded.email if loaded else None) == (same_id_in_b.email if same_id_in_b else None)
        assert loaded is None or loaded.email != in_a.email
        assert loaded is None or Role.STAFF not in loaded.role_names
        assert cart_item_count(customer=in_a) == 0  # A's cart row is not B's
        assert backend.get_user(in_b.pk).email == in_b.email
    with schema_context(tenant_a.schema_name):
        assert backend.get_user(in_a.pk).role_names == frozenset({Role.STAFF.value})
        assert cart_item_count(customer=in_a) == 5
    connection.set_schema_to_public()
