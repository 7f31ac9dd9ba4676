"""The designers' pages: applying, the designer portal (home, payouts through the local Stripe server), the
public designer page, "designed by" and the catalogue's designer filter — each as every kind of visitor, and
another designer's or another network's rows are 404."""

from __future__ import annotations

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.catalog.versions import template_version_create
from apps.designers.models import Designer
from apps.payouts.webhooks.handlers.accounts import account_updated
from apps.suppliers.status import MemberRole, ParticipantStatus
from tests.conftest import PASSWORD, sign_in
from tests.designers.factories import make_designer_member, make_designer_template

pytestmark = pytest.mark.django_db

APPLICATION = {
    "name": "Nova Objects",
    "bio": "Small furniture.",
    "street": "Oudegracht 1",
    "postal_code": "3511 AB",
    "city": "Utrecht",
    "country": "nl",
    "contact_name": "Nova Jansen",
    "contact_email": "nova@objects.test",
    "password": PASSWORD,
}


# --- applying ------------------------------------------------------------------------------------------------


def test_a_designer_applies_located_by_their_town(client_a, tenant_a):
    page = client_a.get("/designers/apply/")
    assert page.status_code == 200 and b"Design for" in page.content and b"We are" not in page.content

    response = client_a.post("/designers/apply/", APPLICATION)

    assert response.status_code == 302 and response["Location"] == "/accounts/signup/check-email/"
    with schema_context(tenant_a.schema_name):
        designer = Designer.objects.get(name="Nova Objects")
        assert designer.status == ParticipantStatus.APPLIED and designer.bio == "Small furniture."
        assert designer.slug == "nova-objects" and designer.country == "NL"
        assert (round(float(designer.latitude), 2), round(float(designer.longitude), 2)) == (52.09, 5.12)
        assert not User.objects.get(email="nova@objects.test").is_active  # until the e-mail is confirmed


def test_an_unknown_town_is_a_field_error_and_nothing_is_written(client_a, tenant_a):
    response = client_a.post("/designers/apply/", {**APPLICATION, "city": "Nowhereville"})

    assert response.status_code == 400
    assert "city" in response.context["form"].errors
    with schema_context(tenant_a.schema_name):
        assert not Designer.objects.exists()


def test_the_partner_application_offers_no_designer_kind(client_a):
    body = client_a.get("/portal/apply/").content.decode()
    assert 'value="asset_owner"' in body and 'value="carrier"' in body and 'value="designer"' not in body


# --- the designer portal -------------------------------------------------------------------------------------


def test_home_shows_the_products_and_the_next_step(client_a, tenant_a, designer_a):
    sign_in(client_a, tenant_a, designer_a.user)

    response = client_a.get("/designer/")

    body = response.content.decode()
    assert response.status_code == 200
    assert designer_a.template.name in body and "Published" in body
    assert "Finish Stripe onboarding" in body and 'href="/designer/payouts/"' in body
    assert 'aria-current="true">Designer portal</a>' in body  # the header's workspace switcher
    assert '<a href="/designer/" aria-current="page">Home</a>' in body


def test_an_operator_is_told_the_owner_onboards(client_a, tenant_a, designer_a):
    with schema_context(tenant_a.schema_name):
        operator = make_designer_member(designer_a.designer, role=MemberRole.OPERATOR)
    sign_in(client_a, tenant_a, operator)

    body = client_a.get("/designer/").content.decode()

    assert "owner must finish Stripe onboarding" in body and 'href="/designer/payouts/"' not in body
    assert client_a.get("/designer/payouts/").status_code == 403


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.SUPPLIER_MEMBER, Role.STAFF, Role.FINANCE])
def test_nobody_but_a_designer_enters_the_portal(client_a, tenant_a, make_user, role):
    sign_in(client_a, tenant_a, make_user(tenant_a, role))
    assert client_a.get("/designer/").status_code == 404
    assert client_a.get("/designer/payouts/").status_code == 404


def test_visitors_are_sent_to_sign_in(client_a):
    response = client_a.get("/designer/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_rejected_designer_has_no_portal(client_a, tenant_a, designer_a):
    with schema_context(tenant_a.schema_name):
        Designer.objects.filter(pk=designer_a.designer.pk).update(status=ParticipantStatus.REJECTED)
    sign_in(client_a, tenant_a, designer_a.user)
    assert client_a.get("/designer/").status_code == 404


def test_the_home_lists_only_the_designers_own_products(client_a, tenant_a, designer_a, other_designer_a):
    sign_in(client_a, tenant_a, designer_a.user)
    body = client_a.get("/designer/").content.decode()
    assert designer_a.template.name in body and other_designer_a.template.name not in body


def test_another_networks_designer_is_a_stranger_here(client_a, designer_b):
    """Logins are per network: beta's designer signed in on beta is a visitor on alpha."""
    sign_in(client_a, designer_b.tenant, designer_b.user)  # the session lives in beta's schema
    assert client_a.get("/designer/").status_code == 302
    assert client_a.get(f"/designers/{designer_b.designer.slug}/").status_code == 404


def test_a_designer_lands_on_their_portal_after_signing_in(client_a, tenant_a, designer_a):
    with schema_context(tenant_a.schema_name):
        email = designer_a.user.email
    response = client_a.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/designer/"


def test_onboarding_through_stripe_and_the_account_updated_event(
    stripe_server, client_a, tenant_a, designer_a
):
    sign_in(client_a, tenant_a, designer_a.user)
    start = client_a.post("/designer/payouts/")
    assert start.status_code == 302 and start["Location"].startswith(f"{stripe_server}/connect/onboarding/")
    back = requests.post(start["Location"], data={"action": "complete"}, allow_redirects=False, timeout=5)
    assert back.headers["Location"] == "http://alpha.localhost/designer/payouts/return/"
    with schema_context(tenant_a.schema_name):
        account_id = Designer.objects.get(pk=designer_a.designer.pk).stripe_account_id
        assert not Designer.objects.get(pk=designer_a.designer.pk).onboarded  # not read back yet

        account_updated({"type": "account.updated", "account": account_id, "data": {"object": {}}})

        assert Designer.objects.get(pk=designer_a.designer.pk).onboarded
    page = client_a.get("/designer/payouts/return/")
    assert page.status_code == 200 and b"Payouts are set up" in page.content
    assert b"Finish Stripe onboarding" not in client_a.get("/designer/").content


def test_an_applicant_cannot_onboard_yet(stripe_server, client_a, tenant_a, applicant_designer_a):
    sign_in(client_a, tenant_a, applicant_designer_a.user)
    response = client_a.post("/designer/payouts/")
    assert response.status_code == 409
    assert b"Staff are reviewing your application" in client_a.get("/designer/").content


# --- the public designer page, "designed by" and the catalogue filter ------------------------------------------


def test_the_designer_page_shows_their_products_in_the_shop(client_a, tenant_a, designer_a, other_designer_a):
    with schema_context(tenant_a.schema_name):
        hidden = make_designer_template(designer_a.designer, "Draft chair", active=False)

    response = client_a.get(f"/designers/{designer_a.designer.slug}/")

    body = response.content.decode()
    assert response.status_code == 200 and "Ada Studio" in body and "Lamps for small rooms." in body
    assert designer_a.template.name in body
    assert hidden.name not in body and other_designer_a.template.name not in body


def test_applicants_have_no_public_page(client_a, applicant_designer_a):
    assert client_a.get(f"/designers/{applicant_designer_a.designer.slug}/").status_code == 404
    assert client_a.get("/designers/nobody/").status_code == 404


def test_products_say_who_designed_them(client_a, designer_a):
    slug = designer_a.designer.slug
    catalogue = client_a.get("/catalog/").content.decode()
    assert f'href="/designers/{slug}/">{designer_a.designer.name}</a>' in catalogue

    configurator = client_a.get(f"/catalog/{designer_a.template.slug}/")
    assert configurator.status_code == 200
    assert f'href="/designers/{slug}/">{designer_a.designer.name}</a>' in configurator.content.decode()


def test_the_catalogue_filters_by_designer(client_a, tenant_a, designer_a, other_designer_a):
    with schema_context(tenant_a.schema_name):
        own = make_designer_template(None, "Network shelf")

    body = client_a.get(f"/catalog/?designer={designer_a.designer.slug}").content.decode()

    assert designer_a.template.name in body
    assert other_designer_a.template.name not in body and own.name not in body
    assert f'<option value="{designer_a.designer.slug}" selected>' in body
    everything = client_a.get("/catalog/").content.decode()
    assert own.name in everything and other_designer_a.template.name in everything
    assert b"No products match" in client_a.get("/catalog/?designer=nobody").content


def test_the_catalogue_reads_designers_in_a_fixed_number_of_queries(client_a, tenant_a, designer_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_a.get("/catalog/").status_code == 200
        return len(captured)

    queries()  # a first request fills what the process and the cache keep
    few = queries()
    with schema_context(tenant_a.schema_name):
        for n in range(4):
            make_designer_template(designer_a.designer, f"Lamp {n}")
            make_designer_template(None, f"Shelf {n}")
    queries()  # schema_context left the connection on another path: the next request SETs it once
    assert queries() == few


def test_the_catalogue_api_names_the_designer_and_filters_by_them(
    client_a, tenant_a, designer_a, other_designer_a
):
    with schema_context(tenant_a.schema_name):
        own = make_designer_template(None, "Network shelf")

    rows = client_a.get(f"/api/v1/catalog/templates/?designer={designer_a.designer.slug}").json()["results"]

    assert [row["slug"] for row in rows] == [designer_a.template.slug]
    assert rows[0]["designer"] == {"slug": designer_a.designer.slug, "name": designer_a.designer.name}
    everything = {
        row["slug"]: row for row in client_a.get("/api/v1/catalog/templates/?limit=200").json()["results"]
    }
    assert everything[own.slug]["designer"] is None and other_designer_a.template.slug in everything
    detail = client_a.get(f"/api/v1/catalog/templates/{designer_a.template.slug}/").json()
    assert detail["designer"]["slug"] == designer_a.designer.slug


def test_home_lists_each_product_once_with_its_newest_version(client_a, tenant_a, designer_a):
    with schema_context(tenant_a.schema_name):
        draft = template_version_create(
            actor=designer_a.user, designer=designer_a.designer, template=designer_a.template
        )
    sign_in(client_a, tenant_a, designer_a.user)

    response = client_a.get("/designer/")

    products = response.context["products"]
    assert [(p.latest.pk, p.in_shop.pk) for p in products] == [(draft.pk, designer_a.template.pk)]
    body = response.content.decode()
    assert "Draft (version 2)" in body and f'href="/catalog/{designer_a.template.slug}/"' in body


def test_a_suspended_designer_loses_the_public_page_not_the_credit(client_a, tenant_a, designer_a):
    with schema_context(tenant_a.schema_name):
        Designer.objects.filter(pk=designer_a.designer.pk).update(status=ParticipantStatus.SUSPENDED)

    assert client_a.get(f"/designers/{designer_a.designer.slug}/").status_code == 404
    body = client_a.get(f"/catalog/{designer_a.template.slug}/").content.decode()
    assert (
        f"Designed by {designer_a.designer.name}" in body
        and f"/designers/{designer_a.designer.slug}/" not in body
    )


def test_applying_with_an_address_in_use_answers_as_for_a_new_one(client_a, tenant_a, designer_a):
    with schema_context(tenant_a.schema_name):
        taken = designer_a.user.email
    fresh = client_a.post("/designers/apply/", APPLICATION)
    in_use = client_a.post("/designers/apply/", {**APPLICATION, "name": "Copycat", "contact_email": taken})

    assert fresh.status_code == in_use.status_code == 302
    assert fresh["Location"] == in_use["Location"] == "/accounts/signup/check-email/"
    with schema_context(tenant_a.schema_name):
        assert not Designer.objects.filter(name="Copycat").exists()
