"""Login, logout, sign-up and password reset pages of a network."""

import re

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from tests.conftest import PASSWORD, login_with_password
from tests.mail import deliver_emails

pytestmark = pytest.mark.django_db


def test_storefront_home_is_branded(client_a, tenant_a):
    response = client_a.get("/")
    assert response.status_code == 200
    assert b"Alpha Works" in response.content
    assert tenant_a.accent_color.encode() in response.content
    assert b'hx-headers=\'{"X-CSRFToken"' in response.content


def test_customer_signs_up_confirms_the_email_and_is_signed_in(
    client_a, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/accounts/signup/",
            {"full_name": "Ada", "email": "Ada@Example.test", "password": "lovelace-1815-x"},
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/check-email/"
    assert b"Sign out" not in client_a.get("/").content  # not signed in until the e-mail is confirmed
    (message,) = deliver_emails(tenant_a)
    assert message.to == ["ada@example.test"]
    link = re.search(r"http://alpha\.localhost(/accounts/signup/confirm/\S+/)", message.body).group(1)
    assert client_a.get(link).status_code == 200
    confirmed = client_a.post(link)
    assert confirmed.status_code == 302 and confirmed["Location"] == "/"
    assert b"Sign out" in client_a.get("/").content
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email="ada@example.test")
        assert user.has_role(Role.CUSTOMER)
        assert not user.is_staff


def test_signup_errors_keep_input(client_a, make_user, tenant_a):
    make_user(tenant_a, Role.CUSTOMER, email="taken@example.test")
    response = client_a.post(
        "/accounts/signup/", {"full_name": "Grace", "email": "taken@example.test", "password": "abc"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "email" not in form.errors  # whether an account exists is not the stranger's business
    assert "too short" in " ".join(form.errors["password"])
    assert b'value="Grace"' in response.content


def test_an_overlong_email_is_a_field_error_not_a_database_error(client_a, tenant_a):
    """261 characters is a valid address for Django's EmailField (up to 320) but not for the 254-wide column."""
    long_email = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".test"
    response = client_a.post(
        "/accounts/signup/", {"full_name": "Ada", "email": long_email, "password": "lovelace-1815-x"}
    )
    assert response.status_code == 400
    assert "at most 254 characters" in response.context["form"].errors["email"][0]
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(full_name="Ada").exists()


def test_signing_up_with_a_used_email_says_check_your_email_and_tells_the_owner(
    client_a, make_user, tenant_a, django_capture_on_commit_callbacks
):
    """Sign-up used to answer "an account with this e-mail already exists" to anyone who asked."""
    owner = make_user(tenant_a, Role.CUSTOMER, email="taken@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/accounts/signup/",
            {"full_name": "Eve", "email": "Taken@Example.test", "password": "lovelace-1815-x"},
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/check-email/"
    page = client_a.get(response["Location"]).content.decode()
    assert "Check your e-mail" in page and "already" not in page
    assert b"Sign out" not in client_a.get("/").content
    (note,) = deliver_emails(tenant_a)
    assert note.to == [owner.email] and "http://alpha.localhost/accounts/password-reset/" in note.body
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(email="taken@example.test").full_name != "Eve"


def test_login_and_logout(client_a, make_user, tenant_a):
    user = make_user(tenant_a, Role.CUSTOMER)
    bad = client_a.post("/accounts/login/", {"username": user.email, "password": "wrong"})
    assert bad.status_code == 200
    assert b"correct" in bad.content
    good = client_a.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert good.status_code == 302
    assert client_a.post("/accounts/logout/").status_code == 302
    assert b"Sign out" not in client_a.get("/").content


def test_password_reset_round_trip(client_a, make_user, tenant_a, django_capture_on_commit_callbacks):
    user = make_user(tenant_a, Role.CUSTOMER)
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post("/accounts/password-reset/", {"email": user.email})
    (message,) = deliver_emails(tenant_a)
    link = re.search(r"http://alpha\.localhost(/accounts/reset/\S+)", message.body).group(1)
    form_page = client_a.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client_a.post(
        set_url, {"new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"}
    )
    assert done.status_code == 302
    assert login_with_password(client_a, user.email, "brand-new-pass-42")


def test_a_field_error_is_announced_by_the_input_it_belongs_to(client_a, tenant_a):
    """Screen readers follow the input's aria-describedby (Django names `<id>_error`) to the error list."""
    response = client_a.post(
        "/accounts/signup/", {"full_name": "Ada", "email": "not-an-address", "password": "x"}
    )
    page = response.content.decode()
    described_by = re.search(r'<input[^>]*name="email"[^>]*aria-describedby="([^"]+)"', page).group(1).split()
    error_ids = set(re.findall(r'<ul class="errors" id="([^"]+)"', page))
    assert "id_email_error" in described_by and "id_email_error" in error_ids
