"""'Set up payouts': the Connect onboarding round trip through the local Stripe server's hosted page."""

import pytest
import requests
from django_tenants.utils import schema_context

from apps.payouts.models import StripeWrite
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.selectors import asset_owner_list_eligible
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def finish_hosted_onboarding(link: str) -> str:
    """Presses "Complete onboarding" on the local server's hosted page; returns where Stripe sends us."""
    response = requests.post(link, data={"action": "complete"}, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    return response.headers["Location"]


def test_owner_onboards_through_stripe_and_comes_back_ready(stripe_server, client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    page = client_a.get("/portal/payouts/")
    assert b"Set up payouts with Stripe" in page.content
    start = client_a.post("/portal/payouts/")
    assert start.status_code == 302 and start["Location"].startswith(f"{stripe_server}/connect/onboarding/")
    back = finish_hosted_onboarding(start["Location"])
    assert back == "http://alpha.localhost/portal/payouts/return/"
    ready = client_a.get("/portal/payouts/return/")
    assert ready.status_code == 200 and b"Payouts are set up" in ready.content
    with schema_context(tenant_a.schema_name):
        owner = AssetOwner.objects.get(pk=supplier_a.company.pk)
        assert owner.onboarded and owner in asset_owner_list_eligible()


def test_starting_twice_reuses_the_account(stripe_server, client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    first = client_a.post("/portal/payouts/")["Location"]
    second = client_a.post("/portal/payouts/")["Location"]
    assert first != second
    with schema_context(tenant_a.schema_name):
        owner = AssetOwner.objects.get(pk=supplier_a.company.pk)
        assert StripeWrite.objects.filter(idempotency_key=f"account:asset_owner:{owner.pk}").count() == 1
        assert (
            StripeWrite.objects.filter(
                operation="account_link.create", idempotency_key__contains=owner.stripe_account_id
            ).count()
            == 2
        )
    page = client_a.get("/portal/payouts/return/")
    assert b"still needs" in page.content and b"Continue with Stripe" in page.content


def test_an_expired_link_leads_to_a_fresh_one(stripe_server, client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    client_a.post("/portal/payouts/")
    refreshed = client_a.get("/portal/payouts/refresh/")
    assert refreshed.status_code == 302 and "/connect/onboarding/" in refreshed["Location"]


def test_applicants_cannot_set_up_payouts_yet(stripe_server, client_a, tenant_a, applicant_a):
    sign_in(client_a, tenant_a, applicant_a.user)
    response = client_a.post("/portal/payouts/")
    assert response.status_code == 409 and b"once staff have approved" in response.content
    with schema_context(tenant_a.schema_name):
        assert AssetOwner.objects.get(pk=applicant_a.company.pk).stripe_account_id == ""


def test_a_carrier_onboards_too(stripe_server, client_a, tenant_a, carrier_a):
    sign_in(client_a, tenant_a, carrier_a.user)
    start = client_a.post("/portal/carrier/payouts/")
    back = finish_hosted_onboarding(start["Location"])
    assert back == "http://alpha.localhost/portal/carrier/payouts/return/"
    assert b"Payouts are set up" in client_a.get("/portal/carrier/payouts/return/").content
    with schema_context(tenant_a.schema_name):
        assert Carrier.objects.get(pk=carrier_a.company.pk).onboarded


def test_another_company_cannot_reach_my_onboarding(
    stripe_server, client_a, tenant_a, supplier_a, other_supplier_a
):
    """Each member only ever starts or refreshes its own company's account."""
    sign_in(client_a, tenant_a, supplier_a.user)
    client_a.post("/portal/payouts/")
    sign_in(client_a, tenant_a, other_supplier_a.user)
    client_a.get("/portal/payouts/return/")
    with schema_context(tenant_a.schema_name):
        mine = AssetOwner.objects.get(pk=supplier_a.company.pk)
        theirs = AssetOwner.objects.get(pk=other_supplier_a.company.pk)
        assert (
            mine.stripe_account_id and theirs.stripe_account_id == "" and mine.connect_updated_at is not None
        )


def test_overdue_requirements_are_shown_with_what_to_give(client_a, tenant_a, supplier_a):
    """Stripe paused the account (requirements past due): the page names what is overdue, not only what is due."""
    with schema_context(tenant_a.schema_name):
        AssetOwner.objects.filter(pk=supplier_a.company.pk).update(
            stripe_account_id="acct_overdue", requirements_past_due=["company.tax_id"]
        )
    sign_in(client_a, tenant_a, supplier_a.user)
    page = client_a.get("/portal/payouts/").content.decode()
    overdue = page[page.index("Overdue at Stripe") :]
    assert "company.tax_id" in overdue[: overdue.index("</dd>")]
    assert "Payouts are set up" not in page
