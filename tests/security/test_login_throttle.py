"""Failed sign-in throttling on a network's login page, its admin login and the operator admin.

An address that fails too often is refused for the window; one account failing from one address slows that
address down (a doubling delay), never locking the account: the right password from an address that has not
been failing always signs in. Time is a hand-moved clock, never a sleep."""

import itertools

import pytest
from django.test import Client, RequestFactory

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.throttle import client_address
from tests.conftest import PASSWORD

WINDOW_S = 900
LOCKED = b"Too many failed sign-in attempts"
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def tight_limits(settings):
    """Small limits; every test signs in from addresses of its own (the cache outlives the test's database
    transaction)."""
    settings.LOGIN_THROTTLE = {
        "PER_ADDRESS": 8,
        "PER_EMAIL": 6,
        "PAIR_FREE": 3,
        "DELAY_BASE_S": 2,
        "DELAY_MAX_S": 60,
        "WINDOW_S": WINDOW_S,
    }


def client_on(host: str, address: str | None = None) -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=address or next(_addresses))


def login(client: Client, email: str, password: str, path: str = "/accounts/login/"):
    return client.post(path, {"username": email, "password": password})


def test_failures_from_one_address_slow_it_down_with_a_doubling_delay(
    tight_limits, clock, tenant_a, tenant_b, make_user, db
):
    email = "slowed-down@example.test"
    make_user(tenant_a, Role.CUSTOMER, email=email)
    make_user(tenant_b, Role.CUSTOMER, email=email)
    client = client_on("alpha.localhost")
    for _ in range(2):
        wrong = login(client, email, "wrong-password")
        assert wrong.status_code == 200 and LOCKED not in wrong.content
        assert b"correct" in wrong.content  # the ordinary "enter a correct e-mail and password"
    third = login(client, email, "wrong-password")
    assert third.status_code == 429 and LOCKED in third.content and third["Retry-After"] == "2"

    right_too_soon = login(client, email, PASSWORD)
    assert right_too_soon.status_code == 429 and b"Sign out" not in client.get("/").content
    # The same address on another network is somebody else's account.
    assert (
        login(client_on("beta.localhost", client.defaults["REMOTE_ADDR"]), email, PASSWORD).status_code == 302
    )

    clock.advance(2)
    assert login(client, email, "wrong-password")["Retry-After"] == "4"  # checked, wrong: twice the wait
    clock.advance(3)
    assert login(client, email, PASSWORD).status_code == 429
    clock.advance(1)
    assert login(client, email, PASSWORD).status_code == 302
    assert b"Sign out" in client.get("/").content


def test_a_stranger_failing_cannot_lock_the_owner_out(tight_limits, clock, tenant_a, make_user, db):
    """Five wrong passwords used to lock the right one out for 15 minutes, from everywhere."""
    staff = make_user(tenant_a, Role.STAFF)
    stranger = client_on("alpha.localhost")
    for _ in range(7):
        login(stranger, staff.email, "guess")
        clock.advance(61)  # the stranger waits out every delay
    assert login(stranger, staff.email, "guess").status_code == 429
    owner = client_on("alpha.localhost")
    assert login(owner, staff.email, PASSWORD, "/admin/login/").status_code == 302
    assert owner.get("/admin/").status_code == 200


def test_an_account_attacked_from_many_addresses_gives_each_new_one_a_single_try(
    tight_limits, clock, tenant_a, make_user, db
):
    victim = make_user(tenant_a, Role.CUSTOMER)
    for _ in range(5):
        assert login(client_on("alpha.localhost"), victim.email, "guess").status_code == 200
    # The sixth address's failure puts the account under attack (PER_EMAIL): from now on every address is
    # slowed down after its first failure.
    newcomer = client_on("alpha.localhost")
    first = login(newcomer, victim.email, "guess")
    assert first.status_code == 429 and first["Retry-After"] == "2"  # checked, then slowed at once
    assert login(client_on("alpha.localhost"), victim.email, PASSWORD).status_code == 302


def test_an_address_guessing_at_many_accounts_is_refused_for_the_window(
    tight_limits, clock, tenant_a, tenant_b, make_user, db
):
    address = next(_addresses)
    victims = [make_user(tenant_a, Role.CUSTOMER) for _ in range(8)]
    client = client_on("alpha.localhost", address)
    for victim in victims:  # one failure each: no account slows down, the address reaches its limit
        login(client, victim.email, "guess")
    owner = make_user(tenant_a, Role.CUSTOMER)
    refused = login(client, owner.email, PASSWORD)
    assert refused.status_code == 429 and LOCKED in refused.content
    assert 0 < int(refused["Retry-After"]) <= WINDOW_S
    assert login(client_on("alpha.localhost"), owner.email, PASSWORD).status_code == 302
    beta_user = make_user(tenant_b, Role.CUSTOMER)
    assert login(client_on("beta.localhost", address), beta_user.email, PASSWORD).status_code == 302
    clock.advance(WINDOW_S)
    assert login(client, owner.email, PASSWORD).status_code == 302


def test_a_success_forgives_its_own_failures(tight_limits, clock, tenant_a, make_user, db):
    user = make_user(tenant_a, Role.CUSTOMER)
    client = client_on("alpha.localhost")
    for _ in range(2):
        login(client, user.email, "typo")
    assert login(client, user.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        assert login(client, user.email, "typo").status_code == 200
    assert login(client, user.email, PASSWORD).status_code == 302


def test_the_network_admin_login_is_throttled(tight_limits, clock, tenant_a, make_user, db):
    staff = make_user(tenant_a, Role.STAFF)
    client = client_on("alpha.localhost")
    for _ in range(3):
        failed = login(client, staff.email, "nope", "/admin/login/")
        assert failed.status_code == 200
    assert LOCKED in failed.content
    refused = login(client, staff.email, PASSWORD, "/admin/login/")
    assert refused.status_code == 200 and LOCKED in refused.content
    assert client.get("/admin/").status_code == 302  # still signed out


def test_the_operator_admin_login_is_throttled(tight_limits, clock, db):
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
