"""A network's time zone is one of the IANA zones: chosen from a list in the operator admin and checked on
provisioning. A zone that is no zone ("Mars/Olympus_Mons", typed freely before) made every page of the
network a 500; such rows are repaired by a migration, and a reader falls back to UTC."""

import importlib

import pytest
from django.apps import apps as app_registry
from django.core.exceptions import ValidationError

from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.tenants.test_operator_admin import operator_client  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

MARS = "Mars/Olympus_Mons"


def _change_form(tenant: Tenant, **changes) -> dict:
    return {
        "name": tenant.name,
        "currency": tenant.currency,
        "time_zone": tenant.time_zone,
        "accent_color": tenant.accent_color,
        "status": tenant.status,
        "domains-TOTAL_FORMS": "0",
        "domains-INITIAL_FORMS": "0",
        **changes,
    }


def test_the_operator_picks_a_zone_and_cannot_type_one(operator_client, tenant_b):  # noqa: F811
    url = f"/admin/tenants/tenant/{tenant_b.pk}/change/"
    page = operator_client.get(url).content.decode()
    assert '<select name="time_zone"' in page and '<option value="Asia/Tokyo"' in page
    refused = operator_client.post(url, _change_form(tenant_b, time_zone=MARS))
    assert refused.status_code == 200 and "time_zone" in refused.context["adminform"].form.errors
    assert Tenant.objects.get(pk=tenant_b.pk).time_zone == tenant_b.time_zone
    saved = operator_client.post(url, _change_form(tenant_b, time_zone="Asia/Tokyo"))
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert Tenant.objects.get(pk=tenant_b.pk).time_zone == "Asia/Tokyo"


def test_a_network_is_not_provisioned_with_a_zone_that_is_no_zone(tenant_a):
    with pytest.raises(ValidationError) as error:
        tenant_create(
            name="Red Planet",
            subdomain="red-planet",
            currency="EUR",
            admin_email="boss@mars.test",
            admin_password="a-Very-good-passphrase-7",
            time_zone=MARS,
        )
    assert "time_zone" in error.value.message_dict
    assert not Tenant.objects.filter(slug="red-planet").exists()


def test_a_stored_zone_that_is_no_zone_no_longer_breaks_every_page(client_a, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(time_zone=MARS)  # as the free-text field allowed
    assert client_a.get("/").status_code == 200
    assert client_a.get("/accounts/login/").status_code == 200


def test_the_migration_sets_zones_that_are_no_zones_to_utc(tenant_a, tenant_b):
    Tenant.objects.filter(pk=tenant_a.pk).update(time_zone=MARS)
    migration = importlib.import_module("apps.tenants.migrations.0002_time_zone_validated")
    migration.unknown_time_zones_to_utc(app_registry, None)
    assert Tenant.objects.get(pk=tenant_a.pk).time_zone == "UTC"
    assert Tenant.objects.get(pk=tenant_b.pk).time_zone == tenant_b.time_zone
