"""The demo designer: approved, onboarded on the local Stripe server, owner of one demo product, with a login."""

import pytest

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import ProductTemplate
from apps.demo.catalog import catalog_demo_seed
from apps.demo.designers import DESIGNED_PRODUCT, DESIGNER_LOGIN, designers_demo_seed
from apps.demo.payouts import connect_demo_onboard
from apps.designers.models import Designer, DesignerMember
from apps.suppliers.status import ParticipantStatus
from tests.conftest import PASSWORD


@pytest.fixture
def demo_catalog_and_login(in_tenant_a):
    catalog_demo_seed()
    user_create(email=DESIGNER_LOGIN, password=PASSWORD, role=Role.DESIGNER_MEMBER)


def test_the_demo_designer_is_onboarded_and_owns_a_product_once(stripe_server, demo_catalog_and_login):
    designer = designers_demo_seed(connect_onboard=connect_demo_onboard)

    designer.refresh_from_db()
    assert designer.status == ParticipantStatus.APPROVED and designer.onboarded
    assert designer.stripe_account_id.startswith("acct_") and not designer.stripe_account_id.startswith(
        "acct_demo"
    )
    assert DesignerMember.objects.get(user__email=DESIGNER_LOGIN).designer == designer
    assert list(ProductTemplate.objects.filter(designer=designer).values_list("slug", flat=True)) == [
        DESIGNED_PRODUCT
    ]

    again = designers_demo_seed(connect_onboard=connect_demo_onboard)
    assert again.pk == designer.pk and Designer.objects.count() == 1
    assert Designer.objects.get().stripe_account_id == designer.stripe_account_id
