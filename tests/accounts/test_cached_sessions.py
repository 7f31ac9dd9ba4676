"""Sessions are read from the cache (settings.SESSION_ENGINE: cached_db) and written through to the network's
table. A signed-in page reads no session row, and nothing that ends a session leaves it alive in the cache: sign-out,
a changed password, a deactivated account. A session of one network is no session on another, even with the same
key, and a cached entry never outlives its row."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from tests.conftest import host_of, login_with_password

pytestmark = pytest.mark.django_db

PAGE = "/orders/"  # the customer's order list: signed-in only


def _signed_in(tenant, user) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    assert login_with_password(client, user.email)
    return client


def _is_signed_in(client: Client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _same_cookie(tenant, client: Client) -> Client:
    """Another client presenting `client`'s session cookie (a second tab, or a copied cookie)."""
    other = Client(HTTP_HOST=host_of(tenant))
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def test_a_signed_in_page_reads_no_session_row(tenant_a, make_user):
    client = _signed_in(tenant_a, make_user(tenant_a, Role.CUSTOMER))
    client.get(PAGE)
    with CaptureQueriesContext(connection) as captured:
        assert _is_signed_in(client)
    assert not [query for query in captured.captured_queries if "django_session" in query["sql"]]


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(tenant_a, make_user):
    client = _signed_in(tenant_a, make_user(tenant_a, Role.CUSTOMER))
    copy = _same_cookie(tenant_a, client)
    assert _is_signed_in(copy)  # the session is in the cache now
    assert client.post("/accounts/logout/").status_code == 302
    assert not _is_signed_in(copy)


def test_a_changed_password_ends_the_other_sessions(tenant_a, make_user):
    user = make_user(tenant_a, Role.CUSTOMER)
    client = _signed_in(tenant_a, user)
    assert _is_signed_in(client)
    with schema_context(tenant_a.schema_name):
        user.set_password("a-brand-new-secret-42")
        user.save()
    assert not _is_signed_in(client)


def test_a_deactivated_account_is_signed_out_at_its_next_request(tenant_a, make_user):
    user = make_user(tenant_a, Role.CUSTOMER)
    client = _signed_in(tenant_a, user)
    assert _is_signed_in(client)
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=user.pk).update(is_active=False)
    assert not _is_signed_in(client)


def test_a_session_of_one_network_is_no_session_on_another(tenant_a, tenant_b, make_user):
    """A's cookie sent to B's host finds nothing: the cache key carries the schema, as the table does."""
    user = make_user(tenant_a, Role.CUSTOMER)
    client = _signed_in(tenant_a, user)
    assert _is_signed_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    on_b = Client(HTTP_HOST=host_of(tenant_b))
    on_b.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not _is_signed_in(on_b)
    # not only because B has no such user: B's cache has no entry under A's session key
    session_key = f"django.contrib.sessions.cached_db{key}"
    with schema_context(tenant_a.schema_name):
        assert cache.get(session_key) is not None
    with schema_context(tenant_b.schema_name):
        assert cache.get(session_key) is None


def test_a_cached_session_expires_no_later_than_its_row(tenant_a, make_user):
    """The expired-session sweep deletes rows only: the cache entry must be gone by then on its own."""
    client = _signed_in(tenant_a, make_user(tenant_a, Role.CUSTOMER))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    with schema_context(tenant_a.schema_name):
        row = Session.objects.get(session_key=key)
        cache_key = cache.make_key(f"django.contrib.sessions.cached_db{key}")
    left = (row.expire_date - timezone.now()).total_seconds()
    ttl = cache._cache.get_client().ttl(cache_key)
    assert 0 < ttl <= left + 1, (ttl, left)
