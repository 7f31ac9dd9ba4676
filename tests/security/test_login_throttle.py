"""Failed sign-in throttling on a network's login page, its admin login and the operator admin: after N failures
per (network, e-mail) or per (network, client address) every attempt is refused with a clear message, even with
the right password, until the window passes; other networks and other addresses are unaffected."""

import itertools
import time

import pytest
from django.test import Client, RequestFactory

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.throttle import client_address
from tests.conftest import PASSWORD

WINDOW_S = 6  # long enough that a loaded machine still makes the failing attempts within one window
LOCKED = b"Too many failed sign-in attempts"
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def tight_limits(settings):
    """Small limits and a short window; every test signs in from addresses of its own (the cache outlives the
    test's database transaction)."""
    settings.LOGIN_THROTTLE = {"PER_EMAIL": 3, "PER_ADDRESS": 5, "WINDOW_S": WINDOW_S}


def client_on(host: str, address: str | None = None) -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=address or next(_addresses))


def login(client: Client, email: str, password: str, path: str = "/accounts/login/"):
    return client.post(path, {"username": email, "password": password})


def test_the_nth_failure_locks_the_email_until_the_window_passes(
    tight_limits, tenant_a, tenant_b, make_user, db
):
    email = "locked-out@example.test"
    make_user(tenant_a, Role.CUSTOMER, email=email)
    make_user(tenant_b, Role.CUSTOMER, email=email)
    client = client_on("alpha.localhost")
    for _ in range(2):
        wrong = login(client, email, "wrong-password")
        assert wrong.status_code == 200 and LOCKED not in wrong.content
        assert b"correct" in wrong.content  # the ordinary "enter a correct e-mail and password"
    third = login(client, email, "wrong-password")
    assert third.status_code == 429 and LOCKED in third.content
    assert int(third["Retry-After"]) <= WINDOW_S

    right = login(client, email, PASSWORD)
    assert right.status_code == 429 and LOCKED in right.content
    assert b"Sign out" not in client.get("/").content
    # The e-mail is locked from every address of that network...
    assert login(client_on("alpha.localhost"), email, PASSWORD).status_code == 429
    # ...but not on another network, where the same address is somebody else's account.
    assert login(client_on("beta.localhost"), email, PASSWORD).status_code == 302

    time.sleep(WINDOW_S + 0.2)
    assert login(client, email, PASSWORD).status_code == 302
    assert b"Sign out" in client.get("/").content


def test_an_address_guessing_at_many_accounts_is_locked_out(tight_limits, tenant_a, tenant_b, make_user, db):
    address = next(_addresses)
    victims = [make_user(tenant_a, Role.CUSTOMER) for _ in range(5)]
    client = client_on("alpha.localhost", address)
    for victim in victims:  # one failure each: no e-mail reaches its limit, the address reaches its own
        login(client, victim.email, "guess")
    owner = make_user(tenant_a, Role.CUSTOMER)
    refused = login(client, owner.email, PASSWORD)
    assert refused.status_code == 429 and LOCKED in refused.content
    assert login(client_on("alpha.localhost"), owner.email, PASSWORD).status_code == 302
    beta_user = make_user(tenant_b, Role.CUSTOMER)
    assert login(client_on("beta.localhost", address), beta_user.email, PASSWORD).status_code == 302


def test_a_success_forgives_the_emails_earlier_failures(tight_limits, tenant_a, make_user, db):
    user = make_user(tenant_a, Role.CUSTOMER)
    client = client_on("alpha.localhost")
    for _ in range(2):
        login(client, user.email, "typo")
    assert login(client, user.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        assert login(client, user.email, "typo").status_code == 200
    assert login(client, user.email, PASSWORD).status_code == 302


def test_the_network_admin_login_is_throttled(tight_limits, tenant_a, make_user, db):
    staff = make_user(tenant_a, Role.STAFF)
    client = client_on("alpha.localhost")
    for _ in range(3):
        failed = login(client, staff.email, "nope", "/admin/login/")
        assert failed.status_code == 200
    assert LOCKED in failed.content
    refused = login(client, staff.email, PASSWORD, "/admin/login/")
    assert refused.status_code == 200 and LOCKED in refused.content
    assert client.get("/admin/").status_code == 302  # still signed out


def test_the_operator_admin_login_is_throttled(tight_limits, db):
    User.objects.create_superuser(email="op-throttle@cloudfactory.test", password=PASSWORD)
    client = client_on("localhost")
    for _ in range(3):
        login(client, "op-throttle@cloudfactory.test", "nope", "/admin/login/")
    refused = login(client, "op-throttle@cloudfactory.test", PASSWORD, "/admin/login/")
    assert refused.status_code == 200 and LOCKED in refused.content
    assert client.get("/admin/").status_code == 302


def test_the_client_address_comes_from_trusted_proxies_only(settings):
    """Entries a client writes into X-Forwarded-For itself never decide which counter it hits."""
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: not what our proxies send, use the socket
    assert client_address(request) == "10.0.0.2"
