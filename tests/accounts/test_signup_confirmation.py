"""Sign-up answers the same for a used and a new e-mail; a new account works once its e-mail is confirmed."""

import re
import time

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.confirmation import CONFIRMATION_MAX_AGE, CONFIRMATION_SALT, confirmation_token_make
from apps.accounts.models import User
from apps.accounts.roles import Role
from tests.conftest import host_of, login_with_password
from tests.mail import deliver_emails

pytestmark = pytest.mark.django_db

PASSWORD = "lovelace-1815-x"


def _sign_up(tenant, email: str, capture) -> tuple[Client, object]:
    client = Client(HTTP_HOST=host_of(tenant))
    with capture(execute=True):
        response = client.post(
            "/accounts/signup/", {"full_name": "Ada", "email": email, "password": PASSWORD}
        )
    return client, response


def _without_per_request_secrets(html: bytes) -> bytes:
    """Every page carries its own CSP nonce and CSRF token; the rest must be the same."""
    html = re.sub(rb'nonce="[^"]*"', b"", html)
    return re.sub(rb'"X-CSRFToken": *"[^"]*"', b"", html)


def _link(message) -> str:
    return re.search(r"http://alpha\.localhost(/accounts/signup/confirm/\S+/)", message.body).group(1)


def test_a_used_and_a_new_email_get_the_same_answer(tenant_a, make_user, django_capture_on_commit_callbacks):
    """A new address used to be signed in at once and a used one told "check your e-mail": anyone could tell."""
    make_user(tenant_a, Role.CUSTOMER, email="used@example.test")
    answers = []
    for email in ("used@example.test", "new@example.test"):
        client, response = _sign_up(tenant_a, email, django_capture_on_commit_callbacks)
        page = client.get(response["Location"])
        answers.append(
            (
                response.status_code,
                response["Location"],
                "sessionid" in response.cookies,
                page.status_code,
                [template.name for template in page.templates],
                _without_per_request_secrets(page.content),
                b"Sign out" in client.get("/").content,
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][:4] == (302, "/accounts/signup/check-email/", False, 200)
    note, link = deliver_emails(tenant_a)
    assert note.to == ["used@example.test"] and "already has one" in note.body
    assert link.to == ["new@example.test"] and "/accounts/signup/confirm/" in link.body


def test_an_unconfirmed_account_cannot_sign_in_and_hears_what_a_wrong_password_hears(
    tenant_a, client_a, make_user, django_capture_on_commit_callbacks
):
    _sign_up(tenant_a, "ada@example.test", django_capture_on_commit_callbacks)
    other = make_user(tenant_a, Role.CUSTOMER)
    unconfirmed = client_a.post("/accounts/login/", {"username": "ada@example.test", "password": PASSWORD})
    wrong = client_a.post("/accounts/login/", {"username": other.email, "password": "not-the-password"})
    assert unconfirmed.status_code == wrong.status_code == 200
    assert unconfirmed.context["form"].errors == wrong.context["form"].errors
    assert b"Sign out" not in client_a.get("/").content


def test_the_link_activates_once(tenant_a, django_capture_on_commit_callbacks):
    client, _ = _sign_up(tenant_a, "ada@example.test", django_capture_on_commit_callbacks)
    link = _link(deliver_emails(tenant_a)[0])
    assert client.get(link).status_code == 200  # opening it (as a mail scanner does) changes nothing
    with schema_context(tenant_a.schema_name):
        assert not User.objects.get(email="ada@example.test").is_active
    assert client.post(link).status_code == 302
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email="ada@example.test")
        assert user.is_active and not user.email_confirmation_pending
    client.post("/accounts/logout/")
    for again in (client.get(link), client.post(link)):
        assert again.status_code == 400 and b"already been used" in again.content
    assert b"Sign out" not in client.get("/").content


def _statements(client: Client, url: str) -> list[str]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_confirmed_sign_up_is_served_like_a_password_sign_in(tenant_a, django_capture_on_commit_callbacks):
    """The confirmation signs the person in without a password; that session's pages read the user with the roles
    in one statement, as a password sign-in's do (it used to name the plain ModelBackend: one statement more and an
    ORM compile on every request of the session)."""
    confirmed, _ = _sign_up(tenant_a, "ada@example.test", django_capture_on_commit_callbacks)
    assert confirmed.post(_link(deliver_emails(tenant_a)[0])).status_code == 302
    by_password = Client(HTTP_HOST=host_of(tenant_a))
    assert login_with_password(by_password, "ada@example.test", PASSWORD)
    assert len(_statements(confirmed, "/orders/")) == len(_statements(by_password, "/orders/"))


def test_an_expired_or_tampered_link_is_refused(tenant_a, client_a, django_capture_on_commit_callbacks):
    _sign_up(tenant_a, "ada@example.test", django_capture_on_commit_callbacks)
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email="ada@example.test")
        fresh = confirmation_token_make(user)

        class SignedLongAgo(signing.TimestampSigner):
            def timestamp(self):
                return signing.b62_encode(int(time.time() - CONFIRMATION_MAX_AGE.total_seconds() - 60))

        expired = SignedLongAgo(salt=CONFIRMATION_SALT).sign_object(
            {"schema": tenant_a.schema_name, "user": user.pk, "email": user.email}
        )
    for token in (expired, fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")):
        response = client_a.post(f"/accounts/signup/confirm/{token}/")
        assert response.status_code == 400 and b"has expired" in response.content
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(email="ada@example.test").email_confirmation_pending


def test_another_networks_host_cannot_use_the_link(
    tenant_a, tenant_b, client_b, django_capture_on_commit_callbacks
):
    _sign_up(tenant_a, "ada@example.test", django_capture_on_commit_callbacks)
    link = _link(deliver_emails(tenant_a)[0])
    with schema_context(tenant_a.schema_name):
        user_pk = User.objects.get(email="ada@example.test").pk
    with schema_context(
        tenant_b.schema_name
    ):  # the other network has a pending account with the same pk and e-mail
        User.objects.filter(pk=user_pk).delete()
        User.objects.create_user(email="ada@example.test", password=PASSWORD, is_active=False, pk=user_pk)
        User.objects.filter(pk=user_pk).update(email_confirmation_pending=True)
    response = client_b.post(link)
    assert response.status_code == 400
    assert b"Sign out" not in client_b.get("/").content
    with schema_context(tenant_b.schema_name):
        assert User.objects.get(pk=user_pk).email_confirmation_pending


def test_signing_up_again_before_confirming_sends_a_new_link_not_a_note(
    tenant_a, django_capture_on_commit_callbacks
):
    _sign_up(tenant_a, "ada@example.test", django_capture_on_commit_callbacks)
    _, again = _sign_up(tenant_a, "Ada@Example.test", django_capture_on_commit_callbacks)
    assert again["Location"] == "/accounts/signup/check-email/"
    _first, second = deliver_emails(tenant_a)
    assert second.to == ["ada@example.test"] and "/accounts/signup/confirm/" in second.body
    assert Client(HTTP_HOST=host_of(tenant_a)).post(_link(second)).status_code == 302


def test_signing_up_does_not_wake_an_account_staff_deactivated(
    tenant_a, make_user, django_capture_on_commit_callbacks
):
    user = make_user(tenant_a, Role.CUSTOMER, email="gone@example.test")
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=user.pk).update(is_active=False)
    _sign_up(tenant_a, "gone@example.test", django_capture_on_commit_callbacks)
    (note,) = deliver_emails(tenant_a)
    assert "/accounts/signup/confirm/" not in note.body
    with schema_context(tenant_a.schema_name):
        assert not User.objects.get(pk=user.pk).is_active
