"""The operator removes a network for good from the command line: schema, rows, files and cache entries go, after
the address is typed again; another network's data stays."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context, schema_exists

from apps.tenants.models import Domain, Tenant
from apps.tenants.services import tenant_create, tenant_delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def doomed():
    slug = f"doomed{uuid.uuid4().hex[:6]}"
    tenant = tenant_create(
        name="Doomed Works",
        subdomain=slug,
        currency="EUR",
        admin_email=f"owner@{slug}.test",
        admin_password="doomed-password-1",
    )
    with schema_context(tenant.schema_name):
        default_storage.save("designs/part.stl", ContentFile(b"solid part\nendsolid part\n"))
        cache.set("quote:1", "doomed's")
        cache.set("throttle:1", 3)
    connection.set_schema_to_public()
    return tenant


def test_the_network_goes_with_its_files_and_cache_but_not_another_networks(
    doomed, tenant_a, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name):
        cache.set("quote:1", "alpha's")
    media = Path(settings.MEDIA_ROOT) / doomed.schema_name
    assert (media / "designs" / "part.stl").exists()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("network_delete", doomed.slug, confirm=doomed.slug, interactive=False, stdout=out)

    assert '"schema_dropped": true' in out.getvalue()
    assert not schema_exists(doomed.schema_name)
    assert not Tenant.objects.filter(pk=doomed.pk).exists()
    assert not Domain.objects.filter(tenant_id=doomed.pk).exists()
    assert not media.exists()
    with schema_context(doomed.schema_name):
        assert cache.get("quote:1") is None and cache.get("throttle:1") is None
    with schema_context(tenant_a.schema_name):
        assert cache.get("quote:1") == "alpha's"
    assert schema_exists(tenant_a.schema_name)


def test_it_asks_for_the_address_again_and_a_wrong_answer_deletes_nothing(doomed, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "doomed")  # a near miss
    with pytest.raises(CommandError, match="Type the network's subdomain"):
        call_command("network_delete", doomed.slug, stdout=io.StringIO())
    assert schema_exists(doomed.schema_name)
    assert Tenant.objects.filter(pk=doomed.pk).exists()

    monkeypatch.setattr("builtins.input", lambda prompt: doomed.slug)
    call_command("network_delete", doomed.slug, stdout=io.StringIO())
    assert not schema_exists(doomed.schema_name)


def test_without_a_terminal_it_needs_the_address_on_the_command_line(doomed):
    with pytest.raises(CommandError, match="--confirm"):
        call_command("network_delete", doomed.slug, interactive=False, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No network"):
        call_command("network_delete", "nobody-here", confirm="nobody-here", interactive=False)
    assert schema_exists(doomed.schema_name)


def test_the_template_cannot_be_removed(django_db_setup):
    template = Tenant.objects.get(schema_name=settings.TENANT_BASE_SCHEMA)
    with pytest.raises(CommandError, match="cannot be deleted"):
        call_command("network_delete", template.slug, confirm=template.slug, interactive=False)
    assert schema_exists(template.schema_name)


def test_a_cache_that_cannot_be_reached_refuses_the_deletion_and_keeps_the_network(doomed):
    """Left behind, the deleted network's entries would be read by the next network given the same subdomain."""
    unreachable = {
        **settings.CACHES["default"],
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    }
    with override_settings(CACHES={"default": unreachable}), pytest.raises(redis.exceptions.ConnectionError):
        tenant_delete(tenant=doomed, confirm_slug=doomed.slug)
    assert schema_exists(doomed.schema_name)
    assert Tenant.objects.filter(pk=doomed.pk).exists()
