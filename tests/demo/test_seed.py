"""`make run` seeds the whole demo network: every domain's seed runs together, and a second run changes nothing."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.catalog.models import ProductTemplate
from apps.demo.seed import DEMO_USERS, demo_seed
from apps.orders.models import Order
from apps.suppliers.models import AssetOwner, Resource

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "templates": ProductTemplate.objects.count(),
        "asset_owners": AssetOwner.objects.count(),
        "resources": Resource.objects.count(),
        "orders": Order.objects.count(),
    }


def test_demo_seed_builds_the_whole_network_once(stripe_server):
    # Another test of this session may have seeded (and rolled back) a demo network with the same schema and order
    # numbers; its Stripe keys named that network's row, which this one does not reuse (stripe_client.network_key),
    # so the session's Stripe server is not wiped here (journeys seeded on it may still run after this test).
    tenant = demo_seed()
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        first = _counts()
        assert first["templates"] >= 3
        assert first["asset_owners"] >= 15
        assert first["resources"] >= 40
        statuses = set(Order.objects.values_list("status", flat=True))
        assert {"awaiting_payment", "paid", "in_production", "delivered"} <= statuses
        assert User.objects.filter(email__in=[login.email for login in DEMO_USERS]).count() == len(DEMO_USERS)
    assert demo_seed().pk == tenant.pk
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        assert _counts() == first
