"""The public "join the network" page: a workshop or carrier applies and lands in its portal."""

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.status import ParticipantStatus
from tests.conftest import PASSWORD
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
    "latitude": "51.555100",
    "longitude": "5.091300",
}


def test_the_page_is_public(client_a):
    response = client_a.get("/portal/apply/")
    assert response.status_code == 200 and b"Join Alpha Works" in response.content


def test_a_workshop_applies_and_sees_its_portal_under_review(client_a, tenant_a):
    response = client_a.post("/portal/apply/", FORM)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    page = client_a.get("/portal/")
    assert page.status_code == 200 and b"Application under review" in page.content
    with schema_context(tenant_a.schema_name):
        owner = AssetOwner.objects.get(name="Tilburg Textiles")
        assert owner.status == ParticipantStatus.APPLIED and owner.country == "NL"
        assert owner.members.get().user.email == "tess@textiles.test"


def test_a_carrier_applies_and_lands_in_the_carrier_portal(client_a, tenant_a):
    response = client_a.post("/portal/apply/", {**FORM, "kind": "carrier", "name": "Tess Transport"})
    assert response.status_code == 302 and response["Location"] == "/portal/carrier/"
    assert client_a.get("/portal/carrier/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert Carrier.objects.get(name="Tess Transport").rate_card.currency == "EUR"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"latitude": "123.5"}, "latitude", b"between -90 and 90"),
        ({"longitude": "200"}, "longitude", b"between -180 and 180"),
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


def test_the_same_email_may_apply_in_another_network(client_a, client_b, tenant_b):
    assert client_a.post("/portal/apply/", FORM).status_code == 302
    assert client_b.post("/portal/apply/", FORM).status_code == 302
    with schema_context(tenant_b.schema_name):
        assert AssetOwner.objects.filter(name="Tilburg Textiles").count() == 1
