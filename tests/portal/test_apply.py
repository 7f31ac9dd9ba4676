"""The public "join the network" page: a workshop or carrier applies and lands in its portal."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.status import ParticipantStatus
from tests.conftest import PASSWORD, host_of
from tests.mail import deliver_emails

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "asset_owner",
    "name": "Tilburg Textiles",
    "contact_name": "Tess Tailor",
    "contact_email": "tess@textiles.test",
    "password": PASSWORD,
    "street": "Goirkestraat 96",
    "postal_code": "5046 GN",
    "city": "Tilburg",
    "country": "nl",
}


def test_the_page_is_public(client_a):
    response = client_a.get("/portal/apply/")
    assert response.status_code == 200 and b"Join Alpha Works" in response.content


def _apply_and_confirm(client, tenant, form, capture) -> str:
    """Applies, then follows the link the e-mail carries; returns where the confirmation lands."""
    with capture(execute=True):
        response = client.post("/portal/apply/", form)
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/check-email/"
    assert client.get("/portal/").status_code == 302  # not signed in before the e-mail is confirmed
    (message,) = deliver_emails(tenant)
    link = re.search(r"http://alpha\.localhost(/accounts/signup/confirm/\S+/)", message.body).group(1)
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    return confirmed["Location"]


def test_a_workshop_applies_and_sees_its_portal_under_review(
    client_a, tenant_a, django_capture_on_commit_callbacks
):
    assert _apply_and_confirm(client_a, tenant_a, FORM, django_capture_on_commit_callbacks) == "/portal/"
    page = client_a.get("/portal/")
    assert page.status_code == 200 and b"Application under review" in page.content
    with schema_context(tenant_a.schema_name):
        owner = AssetOwner.objects.get(name="Tilburg Textiles")
        assert owner.status == ParticipantStatus.APPLIED and owner.country == "NL"
        # Located by its town (Tilburg's centre), not by coordinates the applicant typed.
        assert abs(float(owner.latitude) - 51.555) < 0.05 and abs(float(owner.longitude) - 5.091) < 0.05
        assert owner.members.get().user.email == "tess@textiles.test"


def test_a_carrier_applies_and_lands_in_the_carrier_portal(
    client_a, tenant_a, django_capture_on_commit_callbacks
):
    form = {**FORM, "kind": "carrier", "name": "Tess Transport"}
    assert (
        _apply_and_confirm(client_a, tenant_a, form, django_capture_on_commit_callbacks) == "/portal/carrier/"
    )
    assert client_a.get("/portal/carrier/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert Carrier.objects.get(name="Tess Transport").rate_card.currency == "EUR"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"city": "Atlantis"}, "city", "We could not find “Atlantis” in Netherlands".encode()),
        ({"country": "N1"}, "country", b"two-letter ISO 3166"),
        ({"country": "ÄÖ"}, "country", b"two-letter ISO 3166"),
        ({"country": "XX"}, "country", b"two-letter ISO 3166"),
        ({"password": "short"}, "password", b"too short"),
        ({"kind": "pirate"}, "kind", b"valid choice"),
    ],
)
def test_bad_applications_keep_the_input_and_create_nothing(client_a, tenant_a, change, field, message):
    response = client_a.post("/portal/apply/", {**FORM, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors and message in response.content
    assert b'value="Tilburg Textiles"' in response.content
    with schema_context(tenant_a.schema_name):
        assert not AssetOwner.objects.filter(name="Tilburg Textiles").exists()
        assert not User.objects.filter(email="tess@textiles.test").exists()


def test_an_existing_login_cannot_apply_again_and_a_stranger_is_not_told_so(
    client_a, tenant_a, make_user, django_capture_on_commit_callbacks
):
    make_user(tenant_a, email="tess@textiles.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post("/portal/apply/", FORM)
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/check-email/"
    with schema_context(tenant_a.schema_name):
        assert not AssetOwner.objects.filter(name="Tilburg Textiles").exists()
    (note,) = deliver_emails(tenant_a)
    assert note.to == ["tess@textiles.test"] and "sign in" in note.body


def test_a_used_and_a_new_email_get_the_same_answer_even_with_bad_company_data(
    tenant_a, make_user, django_capture_on_commit_callbacks
):
    """A new address used to be signed in to its portal and a used one told "check your e-mail"; and bad company
    data was a field error for a new address but "check your e-mail" for a used one."""
    make_user(tenant_a, email="used@textiles.test")
    for change in ({}, {"country": "XX"}):
        answers = []
        for email in ("used@textiles.test", "new@textiles.test"):
            client = Client(HTTP_HOST=host_of(tenant_a))
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post("/portal/apply/", {**FORM, **change, "contact_email": email})
            answers.append(
                (
                    response.status_code,
                    response.get("Location"),
                    "sessionid" in response.cookies,
                    response.context["form"].errors if response.status_code == 400 else None,
                )
            )
        assert answers[0] == answers[1]
    assert answers[0][0] == 400 and "country" in answers[0][3]
    note, link = deliver_emails(tenant_a)
    assert note.to == ["used@textiles.test"] and "/accounts/signup/confirm/" not in note.body
    assert link.to == ["new@textiles.test"] and "/accounts/signup/confirm/" in link.body


def test_the_same_email_may_apply_in_another_network(client_a, client_b, tenant_b):
    assert client_a.post("/portal/apply/", FORM).status_code == 302
    assert client_b.post("/portal/apply/", FORM).status_code == 302
    with schema_context(tenant_b.schema_name):
        assert AssetOwner.objects.filter(name="Tilburg Textiles").count() == 1
