"""The demo network: idempotent, covering every process, onboarded on the local Stripe server when it answers."""

import pytest

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.demo.payouts import connect_demo_onboard
from apps.demo.suppliers import CARRIER_LOGIN, SUPPLIER_LOGIN, suppliers_demo_seed
from apps.processes.standard import STANDARD_PROCESS_CODES
from apps.suppliers.models import (
    AssetOwner,
    AssetOwnerMember,
    CalendarException,
    Carrier,
    CarrierMember,
    Resource,
)
from apps.suppliers.selectors import asset_owner_list_eligible, carrier_list_eligible, resource_list_eligible
from tests.conftest import PASSWORD
from tests.suppliers.net import unused_local_url


@pytest.fixture
def demo_logins(in_tenant_a):
    user_create(email=SUPPLIER_LOGIN, password=PASSWORD, role=Role.SUPPLIER_MEMBER)
    user_create(email=CARRIER_LOGIN, password=PASSWORD, role=Role.CARRIER_MEMBER)


def test_the_demo_network_is_complete_onboarded_and_idempotent(stripe_server, demo_logins):
    first = suppliers_demo_seed(connect_onboard=connect_demo_onboard)
    assert first["asset_owners"] == 15 and first["carriers"] == 3 and first["resources"] >= 40
    assert first["stripe_local"] == 18
    assert set(Resource.objects.values_list("process", flat=True)) == set(STANDARD_PROCESS_CODES)
    assert asset_owner_list_eligible().count() == 15 and carrier_list_eligible().count() == 3
    assert resource_list_eligible().count() == Resource.objects.count()
    assert all(o.stripe_account_id.startswith("acct_") for o in AssetOwner.objects.all())
    assert CalendarException.objects.filter(reason="Planned spindle maintenance").count() == 1
    saturday_shops = Resource.objects.filter(opening_hours__weekday=5).distinct().count()
    assert saturday_shops >= 1
    assert AssetOwnerMember.objects.get(user__email=SUPPLIER_LOGIN).asset_owner.name == "Brainport Precision"
    assert CarrierMember.objects.get(user__email=CARRIER_LOGIN).carrier.name == "Brabant Express"

    counts = (AssetOwner.objects.count(), Resource.objects.count(), Carrier.objects.count())
    hours = Resource.objects.filter(opening_hours__isnull=False).count()
    accounts = set(AssetOwner.objects.values_list("stripe_account_id", flat=True))
    suppliers_demo_seed(connect_onboard=connect_demo_onboard)
    assert (AssetOwner.objects.count(), Resource.objects.count(), Carrier.objects.count()) == counts
    assert Resource.objects.filter(opening_hours__isnull=False).count() == hours
    assert set(AssetOwner.objects.values_list("stripe_account_id", flat=True)) == accounts


def test_without_a_reachable_stripe_server_the_demo_seeds_its_own_state(demo_logins, settings):
    settings.STRIPE_LOCAL_URL = unused_local_url()
    stats = suppliers_demo_seed(connect_onboard=connect_demo_onboard)
    assert stats["seeded"] == 18 and stats["stripe_local"] == 0
    assert all(c.stripe_account_id.startswith("acct_demo_") for c in Carrier.objects.all())
    assert carrier_list_eligible().count() == 3
