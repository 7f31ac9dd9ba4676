"""Storefront fixtures: the demo catalog in network alpha and signed-in customers."""

import pytest

from apps.accounts.roles import Role
from tests.catalog.conftest import demo_catalog_a, demo_specs  # noqa: F401 - fixtures shared with the catalog tests
from tests.conftest import sign_in
from tests.orders.conftest import (  # noqa: F401 - fixtures of the order pages (an order at each stage)
    awaiting,
    network_a,
    other_customer,
    paid,
    planned,
    table,
)


@pytest.fixture
def customer_a(tenant_a, make_user):
    return make_user(tenant_a, Role.CUSTOMER)


@pytest.fixture
def signed_in_a(client_a, tenant_a, customer_a):
    """Alpha's client, signed in as a customer of alpha."""
    return sign_in(client_a, tenant_a, customer_a)
