"""Fixtures of the supplier network: companies with portal members in networks alpha and beta."""

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from apps.suppliers.status import ParticipantStatus
from tests.conftest import sign_in
from tests.suppliers.factories import make_asset_owner, make_carrier, make_member, make_resource


@dataclass
class Member:
    tenant: object
    company: object
    user: object
    resource: object = None


def _supplier(tenant, name: str, **kwargs) -> Member:
    with schema_context(tenant.schema_name):
        owner = make_asset_owner(name, **kwargs)
        return Member(tenant, owner, make_member(owner), make_resource(owner))


def _carrier(tenant, name: str, **kwargs) -> Member:
    with schema_context(tenant.schema_name):
        carrier = make_carrier(name, **kwargs)
        return Member(tenant, carrier, make_member(carrier))


@pytest.fixture
def supplier_a(db, tenant_a) -> Member:
    """An approved asset owner of network alpha with one resource and an owner login."""
    return _supplier(tenant_a, "Alpha Milling")


@pytest.fixture
def other_supplier_a(db, tenant_a) -> Member:
    """Another asset owner in the same network."""
    return _supplier(tenant_a, "Rival Milling")


@pytest.fixture
def supplier_b(db, tenant_b) -> Member:
    """An asset owner of network beta."""
    return _supplier(tenant_b, "Beta Milling")


@pytest.fixture
def applicant_a(db, tenant_a) -> Member:
    return _supplier(tenant_a, "Fresh Applicant", status=ParticipantStatus.APPLIED)


@pytest.fixture
def carrier_a(db, tenant_a) -> Member:
    return _carrier(tenant_a, "Alpha Haulage")


@pytest.fixture
def other_carrier_a(db, tenant_a) -> Member:
    return _carrier(tenant_a, "Rival Haulage")


@pytest.fixture
def carrier_b(db, tenant_b) -> Member:
    return _carrier(tenant_b, "Beta Haulage")


@pytest.fixture
def supplier_portal(client_a, tenant_a, supplier_a):
    """Alpha Milling's owner signed in on network alpha (the supplier portal)."""
    return sign_in(client_a, tenant_a, supplier_a.user)


@pytest.fixture
def carrier_portal(client_a, tenant_a, carrier_a):
    """The carrier's member signed in on network alpha (the carrier portal)."""
    return sign_in(client_a, tenant_a, carrier_a.user)
