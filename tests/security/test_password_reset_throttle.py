"""Password-reset requests are throttled: an inbox gets at most N reset messages per window (the page answers the
same either way), and an address asking too often is told to wait; other networks are unaffected."""

import uuid

import pytest
from django.test import Client

from apps.accounts.roles import Role
from tests.mail import deliver_emails

WINDOW_S = 60


def new_address() -> str:
    """An address no earlier test or run has used: the counters live in Redis, beyond the test's transaction."""
    octets = uuid.uuid4().bytes[:3]
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}"


@pytest.fixture
def tight_limits(settings):
    settings.PASSWORD_RESET_THROTTLE = {"PER_EMAIL": 2, "PER_ADDRESS": 3, "WINDOW_S": WINDOW_S}


def request_reset(client: Client, email: str):
    return client.post("/accounts/password-reset/", {"email": email})


def test_an_inbox_gets_at_most_the_limit_of_messages_and_the_page_never_tells(
    tight_limits, tenant_a, make_user, db, django_capture_on_commit_callbacks
):
    user = make_user(tenant_a, Role.CUSTOMER)
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            request_reset(Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=new_address()), user.email)
            for _ in range(4)
        ]
    assert [response.status_code for response in responses] == [302, 302, 302, 302]
    assert {response["Location"] for response in responses} == {"/accounts/password-reset/sent/"}
    assert len(deliver_emails(tenant_a)) == 2
    assert all(message.to == [user.email] for message in deliver_emails(tenant_a))


def test_an_address_asking_too_often_is_told_to_wait_and_keeps_its_input(
    tight_limits, tenant_a, tenant_b, db
):
    address = new_address()
    client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address)
    for n in range(3):
        assert request_reset(client, f"someone{n}-{uuid.uuid4().hex[:6]}@example.test").status_code == 302
    refused = request_reset(client, "yet-another@example.test")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Too many password-reset requests from your connection" in page
    assert 'value="yet-another@example.test"' in page

    # Another address, and the same address on another network, are not affected.
    assert (
        request_reset(
            Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=new_address()), "x@example.test"
        ).status_code
        == 302
    )
    other_network = Client(HTTP_HOST="beta.localhost", REMOTE_ADDR=address)
    assert request_reset(other_network, "x@example.test").status_code == 302
