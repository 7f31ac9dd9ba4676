"""Cross-border participants: an account in another country than the network's Stripe account gets the recipient
service agreement (transfers only), or — where Stripe cannot pay out from this platform — is refused at
onboarding with the reason shown to the participant, and nothing is created. The old code created every account
under the `full` agreement, which Stripe refuses for cross-border accounts outside US/CA/UK/EEA/CH."""

import pytest
from django_tenants.utils import schema_context

from apps.payouts import stripe_client
from apps.payouts.connect.cross_border import CrossBorderRefused
from apps.payouts.connect.onboarding import connect_onboarding_start
from apps.payouts.models import StripeWrite
from apps.suppliers.models import AssetOwner
from tests.conftest import sign_in
from tests.suppliers.factories import make_asset_owner

pytestmark = pytest.mark.django_db

RETURN = "http://alpha.localhost/portal/payouts/return/"
REFRESH = "http://alpha.localhost/portal/payouts/refresh/"


def _in(country: str) -> AssetOwner:
    owner = make_asset_owner()
    AssetOwner.objects.filter(pk=owner.pk).update(country=country)
    owner.refresh_from_db()
    return owner


def test_a_participant_abroad_gets_the_recipient_agreement(stripe_server, in_tenant_a):
    owner = _in("JP")  # the local platform is in the US: Japan is cross-border, outside the `full` region
    connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    account = stripe_client.account_retrieve(account_id=owner.stripe_account_id)
    assert (account["country"], account["tos_acceptance"]["service_agreement"]) == ("JP", "recipient")
    assert set(account["capabilities"]) == {"transfers"}


def test_a_participant_in_the_full_agreement_region_keeps_the_full_agreement(stripe_server, in_tenant_a):
    owner = _in("NL")
    connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    account = stripe_client.account_retrieve(account_id=owner.stripe_account_id)
    assert account["tos_acceptance"]["service_agreement"] == "full"


def test_a_country_stripe_cannot_pay_out_to_is_refused_before_anything_is_created(stripe_server, in_tenant_a):
    owner = _in("JM")
    with pytest.raises(CrossBorderRefused, match="Payouts to accounts in JM are not available"):
        connect_onboarding_start(participant=owner, return_url=RETURN, refresh_url=REFRESH)
    owner.refresh_from_db()
    assert owner.stripe_account_id == ""
    assert not StripeWrite.objects.filter(operation="account.create").exists()


def test_the_participant_sees_why_on_the_payouts_page(stripe_server, client_a, tenant_a, supplier_a):
    with schema_context(tenant_a.schema_name):
        AssetOwner.objects.filter(pk=supplier_a.company.pk).update(country="JM")
    sign_in(client_a, tenant_a, supplier_a.user)
    response = client_a.post("/portal/payouts/")
    assert response.status_code == 409
    assert "Payouts to accounts in JM are not available" in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert AssetOwner.objects.get(pk=supplier_a.company.pk).stripe_account_id == ""
