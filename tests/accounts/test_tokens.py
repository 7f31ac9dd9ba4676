"""Personal access tokens: issued, listed and revoked by their user on the account page and over the API;
hashed at rest; refused (401) once expired, revoked, their user deactivated, or on another network's host."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import Role
from apps.accounts.tokens import MAX_ACTIVE_TOKENS_PER_USER, token_create, token_hash
from tests.conftest import host_of, sign_in

pytestmark = pytest.mark.django_db

TOKENS_URL = "/api/v1/account/tokens/"


def issue(user, tenant, **kwargs):
    with schema_context(tenant.schema_name):
        return token_create(user=user, name=kwargs.pop("name", "script"), expires_in_days=None, **kwargs)


def with_token(tenant, secret: str, keyword: str = "Token") -> Client:
    return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"{keyword} {secret}")


def row_of(tenant, token_id) -> ApiToken:
    with schema_context(tenant.schema_name):
        return ApiToken.objects.get(pk=token_id)


# --- the token and its storage --------------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(customer, tenant_a):
    issued = issue(customer, tenant_a)
    _, prefix, secret_part = issued.secret.split("_", 2)
    assert issued.secret.startswith("cf_") and prefix == issued.token.prefix and len(secret_part) >= 43
    with schema_context(tenant_a.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(t)::text FROM accounts_apitoken t WHERE id = %s", [issued.token.pk]
        )
        (stored,) = cursor.fetchone()
    assert secret_part not in stored and issued.secret not in stored
    assert row_of(tenant_a, issued.token.pk).secret_hash == token_hash(issued.secret)
    listed = with_token(tenant_a, issued.secret).get(TOKENS_URL)
    assert listed.status_code == 200
    assert secret_part not in listed.content.decode()
    assert listed.json()["results"][0]["prefix"] == prefix


def test_token_and_bearer_keywords_both_work(customer, tenant_a):
    issued = issue(customer, tenant_a)
    assert with_token(tenant_a, issued.secret).get(TOKENS_URL).status_code == 200
    assert with_token(tenant_a, issued.secret, keyword="Bearer").get(TOKENS_URL).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token cf_",
        "Token cf_0123456789_",
        "Token cf_zzzzzzzzzz_secret",
        "Token " + "a" * 39,
        "Token " + "cf_0123456789_" + "x" * 500,
        "Bearer \u00e9t\u00e9",
    ],
)
def test_malformed_tokens_are_401_not_500(client_a, header):
    response = client_a.get(TOKENS_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_secret_with_a_real_prefix_is_401(customer, tenant_a):
    issued = issue(customer, tenant_a)
    forged = f"cf_{issued.token.prefix}_{'A' * 43}"
    assert with_token(tenant_a, forged).get(TOKENS_URL).status_code == 401


def test_an_expired_token_is_401(customer, tenant_a):
    issued = issue(customer, tenant_a)
    with schema_context(tenant_a.schema_name):
        ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_token(tenant_a, issued.secret).get(TOKENS_URL)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_is_401(customer, tenant_a):
    issued = issue(customer, tenant_a)
    client = with_token(tenant_a, issued.secret)
    assert client.delete(f"{TOKENS_URL}{issued.token.pk}/").status_code == 204
    response = client.get(TOKENS_URL)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_deactivated_users_tokens_stop_working(customer, tenant_a):
    issued = issue(customer, tenant_a)
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=customer.pk).update(is_active=False)
    assert with_token(tenant_a, issued.secret).get(TOKENS_URL).status_code == 401


def test_a_token_is_useless_on_another_networks_host(customer, tenant_a, tenant_b):
    issued = issue(customer, tenant_a)
    assert with_token(tenant_b, issued.secret).get(TOKENS_URL).status_code == 401
    assert with_token(tenant_b, issued.secret).get("/api/v1/cart/").status_code == 401


def test_a_token_can_do_no_more_than_its_user(customer, tenant_a):
    """A customer's token meets the supplier API as the customer does: not a member, 404."""
    issued = issue(customer, tenant_a)
    assert with_token(tenant_a, issued.secret).get("/api/v1/supplier/profile/").status_code == 404


def test_last_use_is_written_at_most_once_a_minute(customer, tenant_a):
    issued = issue(customer, tenant_a)
    client = with_token(tenant_a, issued.secret)
    assert client.get(TOKENS_URL).status_code == 200
    first_use = row_of(tenant_a, issued.token.pk).last_used_at
    assert first_use is not None
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TOKENS_URL).status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]]
    assert row_of(tenant_a, issued.token.pk).last_used_at == first_use
    with schema_context(tenant_a.schema_name):
        ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=first_use - timedelta(seconds=61))
    assert client.get(TOKENS_URL).status_code == 200
    assert row_of(tenant_a, issued.token.pk).last_used_at > first_use


# --- the API -------------------------------------------------------------------------------------------------


def test_create_list_and_revoke_over_the_api_with_a_session(client_a, customer, tenant_a):
    sign_in(client_a, tenant_a, customer)
    created = client_a.post(TOKENS_URL, {"name": "MES line 2", "expires_in_days": 30}, "application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(f"cf_{body['prefix']}_") and body["active"] is True
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=29) < expires - timezone.now() <= timedelta(days=30)
    assert with_token(tenant_a, body["token"]).get(TOKENS_URL).status_code == 200
    listed = client_a.get(TOKENS_URL).json()["results"]
    assert [t["name"] for t in listed] == ["MES line 2"]
    assert "token" not in listed[0] and listed[0]["last_used_at"] is not None
    assert client_a.get(f"{TOKENS_URL}{body['id']}/").json()["name"] == "MES line 2"
    assert client_a.delete(f"{TOKENS_URL}{body['id']}/").status_code == 204
    assert client_a.get(f"{TOKENS_URL}{body['id']}/").json()["active"] is False
    assert with_token(tenant_a, body["token"]).get(TOKENS_URL).status_code == 401


def test_a_token_can_issue_a_token_that_never_outlives_it(customer, tenant_a):
    with schema_context(tenant_a.schema_name):
        parent = token_create(user=customer, name="parent", expires_in_days=7)
    response = with_token(tenant_a, parent.secret).post(
        TOKENS_URL, {"name": "child", "expires_in_days": None}, "application/json"
    )
    assert response.status_code == 201
    child = row_of(tenant_a, response.json()["id"])
    assert child.expires_at == parent.token.expires_at


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": 99999999999999999999}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": "soon"}, "expires_in_days"),
    ],
)
def test_bad_input_is_400_with_the_field_and_writes_nothing(client_a, customer, tenant_a, payload, field):
    sign_in(client_a, tenant_a, customer)
    response = client_a.post(TOKENS_URL, payload, "application/json")
    assert response.status_code == 400
    assert field in response.json()
    with schema_context(tenant_a.schema_name):
        assert not ApiToken.objects.filter(user=customer).exists()


def test_active_tokens_are_capped_per_user(client_a, customer, tenant_a):
    for n in range(MAX_ACTIVE_TOKENS_PER_USER):
        issue(customer, tenant_a, name=f"t{n}")
    sign_in(client_a, tenant_a, customer)
    response = client_a.post(TOKENS_URL, {"name": "one more"}, "application/json")
    assert response.status_code == 400
    assert "revoke one" in response.json()["non_field_errors"][0]


def test_another_users_token_cannot_be_seen_or_revoked(client_a, customer, make_user, tenant_a):
    other = make_user(tenant_a, Role.CUSTOMER)
    theirs = issue(other, tenant_a)
    sign_in(client_a, tenant_a, customer)
    assert client_a.get(f"{TOKENS_URL}{theirs.token.pk}/").status_code == 404
    assert client_a.delete(f"{TOKENS_URL}{theirs.token.pk}/").status_code == 404
    assert client_a.get(TOKENS_URL).json()["results"] == []
    assert row_of(tenant_a, theirs.token.pk).revoked_at is None
    assert with_token(tenant_a, theirs.secret).get(TOKENS_URL).status_code == 200


def test_anonymous_cannot_use_the_token_api(client_a):
    assert client_a.get(TOKENS_URL).status_code == 401
    assert client_a.post(TOKENS_URL, {"name": "x"}, "application/json").status_code == 401


# --- the account page ----------------------------------------------------------------------------------------


def test_the_account_page_asks_strangers_to_sign_in(client_a):
    response = client_a.get("/accounts/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_a_token_on_the_page_shows_its_secret_once(client_a, customer, tenant_a):
    sign_in(client_a, tenant_a, customer)
    page = client_a.get("/accounts/me/")
    assert page.status_code == 200 and b"No tokens yet" in page.content
    assert "no-store" in page["Cache-Control"]
    created = client_a.post("/accounts/me/", {"name": "Nightly export", "expires_in_days": "90"})
    assert created.status_code == 200
    with schema_context(tenant_a.schema_name):
        token = ApiToken.objects.get(user=customer)
    secret = created.context["issued"].secret
    assert secret.encode() in created.content and b"will not be shown again" in created.content
    assert token.name == "Nightly export" and token.expires_at is not None
    assert "no-store" in created["Cache-Control"]
    again = client_a.get("/accounts/me/")
    assert secret.encode() not in again.content
    assert b"Nightly export" in again.content and f"cf_{token.prefix}".encode() in again.content


def test_the_page_form_keeps_input_on_errors(client_a, customer, tenant_a):
    sign_in(client_a, tenant_a, customer)
    response = client_a.post("/accounts/me/", {"name": "", "expires_in_days": "365"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert b'<option value="365" selected>' in response.content
    bad_choice = client_a.post("/accounts/me/", {"name": "kept name", "expires_in_days": "7000"})
    assert bad_choice.status_code == 400 and b'value="kept name"' in bad_choice.content


def test_htmx_create_and_revoke_swap_the_token_panel(client_a, customer, tenant_a):
    sign_in(client_a, tenant_a, customer)
    created = client_a.post(
        "/accounts/me/", {"name": "htmx one", "expires_in_days": ""}, HTTP_HX_REQUEST="true"
    )
    assert created.status_code == 200
    assert created.content.lstrip().startswith(b'<section id="tokens"') and b"<html" not in created.content
    with schema_context(tenant_a.schema_name):
        token = ApiToken.objects.get(user=customer)
    assert token.expires_at is None
    revoked = client_a.post(f"/accounts/me/tokens/{token.pk}/revoke/", HTTP_HX_REQUEST="true")
    assert revoked.status_code == 200 and b"revoked" in revoked.content
    assert row_of(tenant_a, token.pk).revoked_at is not None


def test_revoke_on_the_page(client_a, customer, tenant_a):
    issued = issue(customer, tenant_a, name="old laptop")
    sign_in(client_a, tenant_a, customer)
    response = client_a.post(f"/accounts/me/tokens/{issued.token.pk}/revoke/", follow=True)
    assert response.status_code == 200 and "old laptop" in response.content.decode()
    assert row_of(tenant_a, issued.token.pk).revoked_at is not None
    assert client_a.get(f"/accounts/me/tokens/{issued.token.pk}/revoke/").status_code == 405


def test_another_users_token_cannot_be_revoked_on_the_page(client_a, customer, make_user, tenant_a):
    theirs = issue(make_user(tenant_a, Role.CUSTOMER), tenant_a)
    sign_in(client_a, tenant_a, customer)
    assert client_a.post(f"/accounts/me/tokens/{theirs.token.pk}/revoke/").status_code == 404
    assert client_a.post("/accounts/me/tokens/999999999/revoke/").status_code == 404
    assert row_of(tenant_a, theirs.token.pk).revoked_at is None


def test_another_networks_host_does_not_know_the_token(client_b, customer, tenant_a, tenant_b, make_user):
    """The same id on beta's host names beta's row (or none), never alpha's."""
    issued = issue(customer, tenant_a)
    stranger = make_user(tenant_b, Role.CUSTOMER)
    sign_in(client_b, tenant_b, stranger)
    assert client_b.post(f"/accounts/me/tokens/{issued.token.pk}/revoke/").status_code == 404
    assert client_b.delete(f"{TOKENS_URL}{issued.token.pk}/").status_code == 404
    assert row_of(tenant_a, issued.token.pk).revoked_at is None


# --- staff and the admin ---------------------------------------------------------------------------------------


def test_the_admin_lists_tokens_without_their_secret_and_revokes(client_a, customer, tenant_a):
    issued = issue(customer, tenant_a, name="warehouse scanner")
    with schema_context(tenant_a.schema_name):
        owner = User.objects.get(email="owner@alpha.test")
    sign_in(client_a, tenant_a, owner)
    listing = client_a.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert issued.token.prefix in text and customer.email in text and "warehouse scanner" in text
    assert issued.secret.split("_", 2)[2] not in text and issued.token.secret_hash not in text
    detail = client_a.get(f"/admin/accounts/apitoken/{issued.token.pk}/change/").content.decode()
    assert issued.token.secret_hash not in detail
    assert client_a.get("/admin/accounts/apitoken/add/").status_code == 403
    client_a.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [issued.token.pk]}, follow=True
    )
    assert row_of(tenant_a, issued.token.pk).revoked_at is not None


def test_customers_cannot_open_the_token_admin(client_a, customer, tenant_a):
    sign_in(client_a, tenant_a, customer)
    assert client_a.get("/admin/accounts/apitoken/").status_code == 302


# --- the former plain-text tokens ------------------------------------------------------------------------------


def test_plain_text_tokens_are_hashed_by_the_migration_and_keep_working(customer, in_tenant_a, tenant_a):
    """A network migrated from DRF's authtoken: its keys become hashed ApiTokens, the plain table is dropped."""
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [legacy_key, timezone.now() - timedelta(days=400), customer.pk],
        )
    migration = importlib.import_module("apps.accounts.migrations.0004_hash_plain_text_tokens")
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.hash_plain_text_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=customer)
    assert token.secret_hash == token_hash(legacy_key) and legacy_key not in token.prefix + token.name
    assert token.created_at < timezone.now() - timedelta(days=399)
    assert Group.objects.exists()  # the schema is intact
    response = with_token(tenant_a, legacy_key).get(TOKENS_URL)
    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "API token issued by staff (migrated)"


# --- the admin's "Recent actions" -------------------------------------------------------------------------------


def test_admin_recent_actions_never_show_a_token_key(tenant_a, make_user, customer):
    """Log entries keep an object's name as it was: entries about the former plain-text tokens (whose name was the
    key) and about tokens named with their key's prefix are rewritten by migration 0006, and a token's name
    today holds no part of its key."""
    from django.apps import apps
    from django.contrib.admin.models import CHANGE, DELETION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    legacy_key = "fedcba9876543210fedcba9876543210fedcba98"
    staff = make_user(tenant_a, Role.STAFF)
    with schema_context(tenant_a.schema_name):
        issued = token_create(user=customer, name="nightly export", expires_in_days=None)
        legacy_type, _ = ContentType.objects.get_or_create(app_label="authtoken", model="token")
        token_type = ContentType.objects.get_for_model(ApiToken)
        LogEntry.objects.create(
            user=staff,
            content_type=legacy_type,
            object_id=legacy_key,
            object_repr=legacy_key,
            action_flag=DELETION,
        )
        LogEntry.objects.create(
            user=staff,
            content_type=token_type,
            object_id=str(issued.token.pk),
            object_repr=f"nightly export ({issued.token.prefix}…)",  # the name the token had before
            action_flag=CHANGE,
        )
        migration = importlib.import_module("apps.accounts.migrations.0006_admin_log_without_token_keys")
        with connection.schema_editor() as editor:
            migration.scrub_token_keys(apps, editor)
        assert issued.token.prefix not in str(issued.token)
    page = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, staff).get("/admin/").content.decode()
    assert "Recent actions" in page and "nightly export (token #" in page
    assert legacy_key not in page and legacy_key[:10] not in page
    assert issued.token.prefix not in page
