"""Designers in networks alpha and beta, with their logins, and a customer with a delivered order line."""

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from apps.suppliers.status import ParticipantStatus
from tests.designers.factories import make_designer, make_designer_member, make_designer_template


@dataclass
class DesignerLogin:
    tenant: object
    designer: object
    user: object
    template: object


def _designer(tenant, name: str, **kwargs) -> DesignerLogin:
    with schema_context(tenant.schema_name):
        designer = make_designer(name, **kwargs)
        return DesignerLogin(
            tenant, designer, make_designer_member(designer), make_designer_template(designer)
        )


@pytest.fixture
def designer_a(db, tenant_a) -> DesignerLogin:
    """An approved designer of alpha (not onboarded at Stripe) with an owner login and one product."""
    return _designer(tenant_a, "Ada Studio", bio="Lamps for small rooms.")


@pytest.fixture
def other_designer_a(db, tenant_a) -> DesignerLogin:
    return _designer(tenant_a, "Rival Studio")


@pytest.fixture
def designer_b(db, tenant_b) -> DesignerLogin:
    return _designer(tenant_b, "Beta Studio")


@pytest.fixture
def applicant_designer_a(db, tenant_a) -> DesignerLogin:
    return _designer(tenant_a, "Fresh Studio", status=ParticipantStatus.APPLIED)
