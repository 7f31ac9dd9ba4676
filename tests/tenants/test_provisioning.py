"""Provisioning clones the template schema; the result is indistinguishable from a fully migrated schema."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DataError, connection
from django.test import override_settings
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import User
from apps.tenants.models import Domain, Tenant
from apps.tenants.services import tenant_create, tenant_delete

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


def _tables(schema: str) -> set[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = %s",
            [schema],
        )
        return set(cursor.fetchall())


def _applied(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'select app, name from "{schema}".django_migrations')  # noqa: S608 - schema from our own row
        return set(cursor.fetchall())


def test_cloned_schema_matches_a_fully_migrated_one(tenant_a):
    """A clone has exactly the tables, columns and applied migrations of a schema built by running migrations."""
    migrated = Tenant.objects.create(schema_name="t_fully_migrated", name="Migrated", slug="fully-migrated")
    with override_settings(TENANT_BASE_SCHEMA=None, TENANT_CREATION_FAKES_MIGRATIONS=False):
        migrated.create_schema(verbosity=0)
    connection.set_schema_to_public()

    assert _tables(tenant_a.schema_name) == _tables("t_fully_migrated")
    assert _applied(tenant_a.schema_name) == _applied("t_fully_migrated")
    assert ("accounts", "0002_role_groups") in _applied(tenant_a.schema_name)


def test_provisioned_network_has_domain_and_owner(tenant_a):
    assert Domain.objects.get(tenant=tenant_a).domain == "alpha.localhost"
    with schema_context(tenant_a.schema_name):
        owner = User.objects.get(email="owner@alpha.test")
        assert owner.is_staff and owner.is_superuser
        assert owner.check_password(PASSWORD)


def test_failure_midway_leaves_no_row_and_no_schema():
    """The owner's e-mail is too long for the column: the schema was already cloned, and must be rolled back."""
    with pytest.raises(DataError):
        tenant_create(
            name="Broken",
            subdomain="broken",
            currency="EUR",
            admin_email="x" * 300 + "@e.test",
            admin_password=PASSWORD,
        )
    connection.set_schema_to_public()
    assert not Tenant.objects.filter(slug="broken").exists()
    assert not Domain.objects.filter(domain="broken.localhost").exists()
    assert not schema_exists("t_broken")


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [
        ("www", "reserved"),
        ("admin", "reserved"),
        ("Upper", "lower-case"),
        ("under_score", "hyphens"),
        ("-dash", "hyphens"),
        ("ab", "hyphens"),
        ("alpha", "already taken"),
    ],
)
def test_bad_subdomains_are_refused_and_nothing_is_created(tenant_a, subdomain, message):
    before = Tenant.objects.count()
    with pytest.raises(ValidationError) as error:
        tenant_create(
            name="X", subdomain=subdomain, currency="EUR", admin_email="a@b.test", admin_password=PASSWORD
        )
    assert message in " ".join(error.value.message_dict["subdomain"])
    assert Tenant.objects.count() == before


def test_unknown_currency_is_refused():
    with pytest.raises(ValidationError) as error:
        tenant_create(
            name="X", subdomain="money", currency="XYZ", admin_email="a@b.test", admin_password=PASSWORD
        )
    assert "currency" in error.value.message_dict


def test_a_pending_migration_reaches_the_template_and_every_tenant(tenant_a, tenant_b):
    """Roll back the newest accounts migration everywhere, then migrate_schemas: every schema gets it back."""
    target = ("accounts", "0002_role_groups")
    schemas = ["tenant_base", tenant_a.schema_name, tenant_b.schema_name]
    for schema in schemas:
        call_command("migrate_schemas", "accounts", "0001", schema_name=schema, verbosity=0)
        assert target not in _applied(schema)
    call_command("migrate_schemas", tenant=True, verbosity=0)
    for schema in schemas:
        assert target in _applied(schema)


def test_delete_requires_confirmation_and_drops_the_schema():
    tenant = tenant_create(
        name="Short Lived",
        subdomain="short-lived",
        currency="EUR",
        admin_email="o@s.test",
        admin_password=PASSWORD,
    )
    connection.set_schema_to_public()
    with pytest.raises(ValidationError):
        tenant_delete(tenant=tenant, confirm_slug="wrong")
    assert schema_exists("t_short_lived")
    tenant_delete(tenant=tenant, confirm_slug="short-lived")
    assert not schema_exists("t_short_lived")
    assert not Tenant.objects.filter(slug="short-lived").exists()
