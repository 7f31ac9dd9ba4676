"""The OpenAPI schema of a network's API builds, validates and raises no warnings."""

import pytest
import yaml
from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for expected in (
        "/api/v1/catalog/templates/",
        "/api/v1/orders/",
        "/api/v1/supplier/jobs/",
        "/api/v1/carrier/legs/",
        "/api/v1/uploads/",
        "/api/v1/uploads/{upload_id}/",
    ):
        assert expected in paths


@pytest.mark.django_db
def test_schema_is_served_on_a_network_host(client_a):
    response = client_a.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/designs/" in response.content
