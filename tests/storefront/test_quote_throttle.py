"""Quotes are rate-limited per client address (anonymous) or per customer, per network, on the pages and the API.

Each test quotes from an address of its own (REMOTE_ADDR) so the suite's other quotes never count against it.
"""

import socket
import uuid

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.catalog.selectors import template_spec_for
from apps.demo.catalog import catalog_demo_seed
from tests.conftest import host_of, sign_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def three_per_minute(settings):
    settings.QUOTE_THROTTLE_RATE = "3/min"


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def _client(tenant, address: str) -> Client:
    return Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR=address)


@pytest.fixture
def shelf(demo_catalog_a) -> dict:
    """A bookshelf configuration (the demo catalog is the same in every network)."""
    return {**template_spec_for(demo_catalog_a["bookshelf"]).defaults(), "shelves": 5}


def _api_quote(client, values: dict):
    body = {"template": "bookshelf", "values": values}
    return client.post("/api/v1/quotes/", body, content_type="application/json")


def test_api_answers_429_with_retry_after_past_the_limit(shelf, tenant_a, three_per_minute):
    client = _client(tenant_a, _address())
    assert [_api_quote(client, shelf).status_code for _ in range(3)] == [200, 200, 200]
    refused = _api_quote(client, shelf)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_the_limit_is_per_address(shelf, tenant_a, three_per_minute):
    busy, other = _client(tenant_a, _address()), _client(tenant_a, _address())
    for _ in range(3):
        _api_quote(busy, shelf)
    assert _api_quote(busy, shelf).status_code == 429
    assert _api_quote(other, shelf).status_code == 200


def test_the_limit_is_per_network(shelf, tenant_a, tenant_b, three_per_minute):
    """The counters live in each network's own cache keys: a busy address in alpha still quotes in beta."""
    with schema_context(tenant_b.schema_name):
        catalog_demo_seed()
    connection.set_tenant(tenant_a)
    address = _address()
    in_alpha, in_beta = _client(tenant_a, address), _client(tenant_b, address)
    for _ in range(3):
        _api_quote(in_alpha, shelf)
    assert _api_quote(in_alpha, shelf).status_code == 429
    assert _api_quote(in_beta, shelf).status_code == 200


def test_signed_in_customers_are_counted_each_on_their_own(shelf, tenant_a, make_user, three_per_minute):
    """Two customers behind one office address do not share a budget."""
    address = _address()
    first = sign_in(_client(tenant_a, address), tenant_a, make_user(tenant_a, Role.CUSTOMER))
    second = sign_in(_client(tenant_a, address), tenant_a, make_user(tenant_a, Role.CUSTOMER))
    for _ in range(3):
        assert _api_quote(first, shelf).status_code == 200
    assert _api_quote(first, shelf).status_code == 429
    assert _api_quote(second, shelf).status_code == 200


def test_configurator_past_the_limit_keeps_the_input_and_says_when_prices_return(
    shelf, tenant_a, three_per_minute
):
    client = _client(tenant_a, _address())
    values = {**shelf, "shelves": 6}
    for _ in range(3):
        page = client.post("/catalog/bookshelf/validate/", values, **HX)
        assert page.status_code == 200 and 'class="price"' in page.content.decode()
    page = client.post("/catalog/bookshelf/validate/", values, **HX)
    content = page.content.decode()
    assert page.status_code == 200  # htmx swaps the panel with the message
    assert 'class="price"' not in content
    assert "The price and delivery date update again in" in content
    assert 'name="shelves"' in content and 'value="6"' in content


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_quotes_stay_available_when_the_cache_is_down(shelf, tenant_a, settings):
    """Nothing listens on the cache's port: the limit is skipped (and logged), the quote is still served."""
    settings.QUOTE_THROTTLE_RATE = "1/min"
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    client = _client(tenant_a, _address())
    assert [_api_quote(client, shelf).status_code for _ in range(2)] == [200, 200]
