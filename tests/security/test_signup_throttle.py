"""Sign-up doors are throttled like sign-in: per client address and per e-mail, with the form kept and a 429 with
Retry-After. A network sign-up clones a whole schema; customer sign-ups and applications create accounts."""

import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.models import Tenant
from tests.portal.test_apply import FORM as APPLICATION

pytestmark = pytest.mark.django_db

WINDOW_S = 3600
WAIT = "Too many sign-ups from your connection or for this e-mail"


@pytest.fixture
def tight_limits(settings):
    settings.SIGNUP_THROTTLE = {"PER_EMAIL": 1, "PER_ADDRESS": 2, "WINDOW_S": WINDOW_S}


def new_address() -> str:
    """An address no earlier test or run has used: the counters live in Redis, beyond the test's transaction."""
    octets = uuid.uuid4().bytes[:3]
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}"


def unique_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.test"


def customer_signup(client: Client, email: str):
    return client.post(
        "/accounts/signup/", {"full_name": "Ada", "email": email, "password": "lovelace-1815-x"}
    )


def test_customer_signups_from_one_address_are_limited(tight_limits, clock, tenant_a, tenant_b):
    address = new_address()
    for _ in range(2):
        client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address)
        assert customer_signup(client, unique_email("ada")).status_code == 302
    email = unique_email("third")
    refused = customer_signup(Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address), email)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= WINDOW_S
    page = refused.content.decode()
    assert WAIT in page and f'value="{email}"' in page
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email=email).exists()
    # Another network has counters of its own; the window closing lets the address in again.
    assert customer_signup(Client(HTTP_HOST="beta.localhost", REMOTE_ADDR=address), email).status_code == 302
    clock.advance(WINDOW_S)
    assert customer_signup(Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address), email).status_code == 302


def test_one_email_cannot_be_used_to_sign_up_over_and_over(tight_limits, clock, tenant_a):
    email = unique_email("repeat")
    assert APPLICATION["contact_email"] != email
    first = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=new_address())
    assert first.post("/portal/apply/", {**APPLICATION, "contact_email": email}).status_code == 302
    again = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=new_address())
    refused = again.post("/portal/apply/", {**APPLICATION, "name": "Second Try", "contact_email": email})
    assert refused.status_code == 429 and WAIT in refused.content.decode()
    assert 'value="Second Try"' in refused.content.decode()


def test_network_signups_from_one_address_are_limited(tight_limits, clock, public_client):
    address = new_address()
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR=address)
    good = {
        "name": "Throttle Works",
        "currency": "EUR",
        "admin_password": "a-Very-good-passphrase-7",
    }
    for n in range(2):
        data = {
            **good,
            "subdomain": f"throttle-{n}-{uuid.uuid4().hex[:6]}",
            "admin_email": unique_email("boss"),
        }
        assert client.post("/", data).status_code == 302
    before = Tenant.objects.count()
    refused = client.post("/", {**good, "subdomain": "throttle-three", "admin_email": unique_email("boss")})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert WAIT in refused.content.decode() and 'value="throttle-three"' in refused.content.decode()
    assert Tenant.objects.count() == before
