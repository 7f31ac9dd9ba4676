"""The fleet's migrate (apps/tenants/schema_migrate.py, apps/tenants/migration_executor.py) on real schemas: a
schema behind gets its migrations and one that is current is left alone, the post_migrate work runs whenever
what it writes is not current (a migration that adds a model, a role table changed without a migration, a
receiver it does not know), and a schema that fails is named while the others are migrated by the pool."""

import re
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_migrate
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.accounts.selectors import role_permissions_current
from apps.tenants.models import Tenant
from apps.tenants.schema_migrate import MigrationRun
from apps.tenants.services import tenant_create, tenant_delete
from tests.conftest import _worker_env
from tests.tenants.test_schema_clone import _predicate_uncast

pytestmark = pytest.mark.django_db

PREVIEW = "uploads.0002_part_upload_preview_name"  # adds uploads_partupload.preview_name


def _run(app_label: str | None = None, migration_name: str | None = None) -> MigrationRun:
    options = {"app_label": app_label, "migration_name": migration_name, "verbosity": 0}
    return MigrationRun.prepare(database="default", options=options)


def _migrate(run: MigrationRun, schema: str):
    try:
        return run.migrate(schema)
    finally:
        connection.set_schema_to_public()


def _columns(schema: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            [schema, table],
        )
        return {name for (name,) in cursor.fetchall()}


def _applied(schema: str, migration: str) -> bool:
    app, name = migration.split(".")
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = %s AND name = %s", [app, name])
        return cursor.fetchone()[0] == 1


def test_a_schema_behind_gets_its_migration_and_a_current_one_costs_no_post_migrate_work(tenant_a, tenant_b):
    _migrate(_run("uploads", "0001"), tenant_a.schema_name)
    assert "preview_name" not in _columns(tenant_a.schema_name, "uploads_partupload")

    run = _run()
    behind = _migrate(run, tenant_a.schema_name)
    current = _migrate(run, tenant_b.schema_name)

    assert PREVIEW in behind.applied  # with any migration of another app that depends on it
    assert "preview_name" in _columns(tenant_a.schema_name, "uploads_partupload")
    assert current.applied == []
    assert not current.post_migrate_ran
    assert _applied(tenant_a.schema_name, PREVIEW)


def test_after_a_migration_that_adds_a_model_its_permissions_and_role_grants_are_written(tenant_a):
    schema = tenant_a.schema_name
    _migrate(_run("uploads", "zero"), schema)
    with schema_context(schema):
        # As in a schema from before the model: no content type, hence no permissions and no role grants.
        ContentType.objects.filter(app_label="uploads").delete()
        assert not role_permissions_current()

    outcome = _migrate(_run(), schema)

    assert {"uploads.0001_part_uploads", PREVIEW} <= set(outcome.applied)
    assert outcome.post_migrate_ran
    with schema_context(schema):
        assert Permission.objects.filter(
            content_type__app_label="uploads", codename="add_partupload"
        ).exists()
        staff = Group.objects.get(name=Role.STAFF.value)
        assert staff.permissions.filter(
            content_type__app_label="uploads", codename="view_partupload"
        ).exists()
        assert role_permissions_current()


def test_a_role_grant_that_is_not_current_is_written_though_nothing_is_applied(tenant_b):
    """What a change of the role table in code (no migration) looks like to a schema."""
    with schema_context(tenant_b.schema_name):
        staff = Group.objects.get(name=Role.STAFF.value)
        staff.permissions.remove(
            Permission.objects.get(content_type__app_label="uploads", codename="view_partupload")
        )

    outcome = _migrate(_run(), tenant_b.schema_name)

    assert outcome.applied == []
    assert outcome.post_migrate_ran
    with schema_context(tenant_b.schema_name):
        assert role_permissions_current()


def test_a_post_migrate_receiver_it_does_not_know_runs_in_every_schema(tenant_b):
    schemas = []

    def receiver(sender, **kwargs):
        schemas.append(connection.schema_name)

    post_migrate.connect(receiver, dispatch_uid="test_fleet_migrate")
    try:
        run = _run()
        outcome = _migrate(run, tenant_b.schema_name)
    finally:
        post_migrate.disconnect(dispatch_uid="test_fleet_migrate")

    assert not run.signals_checkable
    assert outcome.post_migrate_ran
    assert tenant_b.schema_name in schemas


def _schema_shape(schema: str) -> set[tuple]:
    """Every column, constraint and index of a schema as PostgreSQL prints them, the schema's name replaced."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
            [schema],
        )
        shape = {("column", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = %s::regnamespace",
            [schema],
        )
        shape |= {("constraint", *row) for row in cursor.fetchall()}
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s", [schema])
        # A copied partial index prints its predicate's casts differently (tests/tenants/test_schema_clone.py).
        shape |= {("index", name, _predicate_uncast(definition)) for name, definition in cursor.fetchall()}
    return {tuple(str(value).replace(schema, "SCHEMA") for value in row) for row in shape}


def test_migrations_applied_from_the_runs_transitions_leave_each_schema_as_djangos_migrate_left_the_template(
    tenant_a,
    tenant_b,
):
    """The second schema's migration runs on the state transitions the first computed; the template was migrated
    by Django's own command when the test database was set up."""
    newest = max(name for app, name in _run().loader.graph.leaf_nodes() if app == "catalog")
    previous = _run().loader.graph.node_map[("catalog", newest)].parents
    back = _run("catalog", next(node.key[1] for node in previous if node.key[0] == "catalog"))
    forward = _run()
    schemas = (tenant_a.schema_name, tenant_b.schema_name)
    for schema in schemas:
        assert f"-catalog.{newest}" in _migrate(back, schema).applied
    assert _schema_shape(schemas[0]) == _schema_shape(schemas[1]) != _schema_shape("tenant_base")
    for schema in schemas:
        assert f"catalog.{newest}" in _migrate(forward, schema).applied
    assert _schema_shape(schemas[0]) == _schema_shape(schemas[1]) == _schema_shape("tenant_base")


def _committed(work):
    """Runs `work` on a connection of its own (a thread's): what it writes is committed, for the migrate
    processes to see. Returns what it returned, raises what it raised."""
    result = {}

    def target():
        from django.db import connection as own

        try:
            result["value"] = work()
        except BaseException as error:  # raised in the test, not lost in the thread
            result["error"] = error
        finally:
            own.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _networks_create() -> list[Tenant]:
    networks = [
        tenant_create(
            name=f"Migrate {name}",
            subdomain=f"migrate-{name}",
            currency="EUR",
            admin_email=f"owner@{name}.test",
            admin_password="migrate-test-password-1",
        )
        for name in ("ok", "broken")
    ]
    back = _run("uploads", "0001")
    for network in networks:
        _migrate(back, network.schema_name)
    with schema_context(networks[1].schema_name), connection.cursor() as cursor:
        # The column the migration adds is there already: its migration fails in this schema.
        cursor.execute("ALTER TABLE uploads_partupload ADD COLUMN preview_name text")
    return networks


def _networks_delete(networks: list[Tenant]) -> None:
    for network in networks:
        tenant_delete(tenant=network, confirm_slug=network.slug)


def test_the_pool_migrates_every_schema_and_names_the_one_that_failed():
    assert getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2) >= 2
    ok, broken = _committed(_networks_create)
    try:
        argv = [sys.executable, "manage.py", "migrate_schemas", "--tenant", "--executor=multiprocessing"]
        completed = subprocess.run(
            [*argv, "--skip-checks"],
            env=_worker_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = completed.stdout + completed.stderr

        assert completed.returncode == 1, output
        failed = re.search(r"schemas failed to migrate: (.*)", output).group(1).split(", ")
        assert broken.schema_name in failed  # (a network another test left behind may be named too)
        assert ok.schema_name not in failed
        assert f"{broken.schema_name}] FAILED: " in output
        assert 'column "preview_name" of relation "uploads_partupload" already exists' in output
        assert f"{ok.schema_name}] {PREVIEW}" in output
        assert "preview_name" in _columns(ok.schema_name, "uploads_partupload")
        # Read on a connection of its own: a lock this test's transaction kept would hold up the networks' drop.
        assert _committed(lambda: [_applied(network.schema_name, PREVIEW) for network in (ok, broken)]) == [
            True,
            False,
        ]
    finally:
        _committed(lambda: _networks_delete([ok, broken]))
