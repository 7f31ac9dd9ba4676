"""A NUL character in a URL is a 400, not a database error: PostgreSQL refuses NUL in text, and views pass
query parameters (search terms, filters) to queries. The API fuzzer found the 500 on the catalog search."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/catalog/templates/?q=%00",
        "/api/v1/catalog/templates/?category=chairs%00",
        "/api/v1/catalog/templates/?%00=1",
        "/catalog/?q=a%00b",
        "/catalog/%00/",
    ],
)
def test_nul_in_the_url_is_a_bad_request(client_a, path):
    response = client_a.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_ordinary_searches_still_work(client_a):
    assert client_a.get("/api/v1/catalog/templates/?q=table").status_code == 200
    assert client_a.get("/catalog/?q=table").status_code == 200
