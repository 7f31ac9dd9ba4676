"""The public sign-up page provisions a network or explains, field by field, why it cannot."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import User
from apps.tenants.models import Tenant
from tests.conftest import login_with_password

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Nordic Makers",
    "subdomain": "nordic-makers",
    "currency": "SEK",
    "admin_name": "Astrid Berg",
    "admin_email": "boss@nordic.test",
    "admin_password": "a-Very-good-passphrase-7",
}


def test_signup_provisions_a_working_network(public_client, tenant_a):
    response = public_client.post("/", GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/networks/nordic-makers/ready/"
    tenant = Tenant.objects.get(slug="nordic-makers")
    assert tenant.currency == "SEK"
    assert schema_exists("t_nordic_makers")

    ready = public_client.get(response["Location"])
    assert b"http://nordic-makers.localhost:8000/" in ready.content

    network = Client(HTTP_HOST="nordic-makers.localhost")
    home = network.get("/")
    assert home.status_code == 200
    assert b"Nordic Makers" in home.content
    assert login_with_password(network, "boss@nordic.test", GOOD["admin_password"])
    assert network.get("/admin/").status_code == 200
    with schema_context("t_nordic_makers"):
        owner = User.objects.get(email="boss@nordic.test")
        assert owner.is_superuser and owner.full_name == "Astrid Berg"  # the header shows the person's name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subdomain", "alpha", "already taken"),
        ("subdomain", "www", "reserved"),
        ("subdomain", "bad_name!", "hyphens"),
        ("admin_password", "password", "too common"),
        ("admin_password", "12345678901", "entirely numeric"),
        ("admin_email", "not-an-email", "valid email"),
        # 255–320 characters pass Django's EmailField and overflowed the 254-character column (DataError).
        ("admin_email", "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".test", "at most 254 characters"),
        ("name", "", "required"),
    ],
)
def test_bad_input_is_shown_inline_with_input_kept(public_client, tenant_a, field, value, message):
    before = Tenant.objects.count()
    data = {**GOOD, "subdomain": "fresh-net", field: value}
    response = public_client.post("/", data)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert Tenant.objects.count() == before
    kept = data["name"] if field != "name" else data["admin_email"]
    assert kept.encode() in response.content
