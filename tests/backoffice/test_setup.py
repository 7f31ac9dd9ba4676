"""A new network's owner starts on a setup checklist whose ticks come from what the network really holds."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.orders.models import Order
from apps.payouts.models import StripeMode
from apps.payouts.stripe_settings import stripe_settings_update
from apps.suppliers.models import AssetOwner, Carrier
from apps.tenants.models import DEFAULT_ACCENT_COLOR, Tenant
from tests.conftest import PASSWORD, host_of, sign_in
from tests.core.test_page_query_counts import a_design
from tests.portal.jobs.builders import paid_order
from tests.suppliers.factories import make_asset_owner, make_carrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(tenant_a) -> Client:
    with schema_context(tenant_a.schema_name):
        user = user_create(
            email=f"owner-{uuid.uuid4().hex[:8]}@alpha.test",
            password=PASSWORD,
            role=Role.STAFF,
            is_superuser=True,
        )
    return sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, user)


def _ticked(client) -> set[str]:
    html = client.get("/backoffice/setup/").content.decode()
    return set(re.findall(r'<li class="step done" id="step-([a-z]+)">', html))


def test_each_step_is_ticked_when_the_network_holds_it(owner, tenant_a, make_user):
    Tenant.objects.filter(pk=tenant_a.pk).update(accent_color=DEFAULT_ACCENT_COLOR)
    with schema_context(tenant_a.schema_name):
        ProductTemplate.objects.update(active=False)
        AssetOwner.objects.all().delete()
        Carrier.objects.all().delete()
        Order.objects.all().delete()
    assert _ticked(owner) == {"currency"}  # chosen at sign-up
    with schema_context(tenant_a.schema_name):
        ProductTemplate.objects.create(
            name="Stool",
            slug=f"stool-{uuid.uuid4().hex[:6]}",
            category="Seating",
            status=TemplateStatus.DRAFT,
        )
    assert "template" not in _ticked(owner)  # a draft is no product in the storefront yet
    assert owner.get("/backoffice/start/")["Location"] == "/backoffice/setup/"

    response = owner.post("/backoffice/setup/brand/", {"name": tenant_a.name, "accent_color": "#0A7D5A"})
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).accent_color == "#0a7d5a"
    assert "brand" in _ticked(owner)

    with schema_context(tenant_a.schema_name):
        stripe_settings_update(
            mode=StripeMode.STRIPE,
            publishable_key="pk_test_x",
            secret_key="sk_test_x",
            secret_key_verified=True,
        )
        ProductTemplate.objects.create(name="Stool", slug=f"stool-{uuid.uuid4().hex[:6]}", category="Seating")
        make_asset_owner("First Works")
        make_carrier("First Haulage")
    assert _ticked(owner) == {"brand", "currency", "stripe", "template", "suppliers", "carriers"}

    with schema_context(tenant_a.schema_name):
        customer = make_user(tenant_a, Role.CUSTOMER)
        paid_order(customer, a_design(customer).current_version)
    connection.set_schema_to_public()
    assert len(_ticked(owner)) == 7
    assert owner.get("/backoffice/start/")["Location"] == "/backoffice/"  # set up: the dashboard from now on


def test_only_the_owner_sees_the_checklist(staff_a):
    assert staff_a.get("/backoffice/setup/").status_code == 404
    assert (
        staff_a.post("/backoffice/setup/brand/", {"name": "Mine", "accent_color": "#000000"}).status_code
        == 404
    )


def test_a_bad_colour_is_a_field_error(owner, tenant_a):
    response = owner.post("/backoffice/setup/brand/", {"name": "", "accent_color": "red; }"})
    assert response.status_code == 400
    assert Tenant.objects.get(pk=tenant_a.pk).name == tenant_a.name
