"""The fast template copy (apps/tenants/cloning.py): the copy is the template, object for object, and only its own;
a template it cannot reproduce goes to the complete clone; simultaneous sign-ups each get their own schema."""

import difflib
import re
import subprocess
import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.backups import pg_tool
from apps.tenants.cloning import schema_clone, schema_copies_fast
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_delete

pytestmark = pytest.mark.django_db

TEMPLATE = "tenant_base"


def _schema_ddl(schema: str) -> str:
    """pg_dump's DDL of one schema with its own name replaced by SCHEMA (comments and settings dropped)."""
    database = connection.settings_dict
    env = {
        "PGHOST": database["HOST"] or "",
        "PGPORT": str(database["PORT"] or ""),
        "PGUSER": database["USER"] or "",
        "PGPASSWORD": database["PASSWORD"] or "",
        "PATH": "/usr/bin:/bin",
    }
    argv = [pg_tool("pg_dump"), "--schema-only", "--no-owner", f"--schema={schema}", database["NAME"]]
    dump = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    skipped = ("--", "SET ", "SELECT pg_catalog", "\\restrict", "\\unrestrict")
    lines = [_predicate_uncast(line) for line in dump.splitlines() if line and not line.startswith(skipped)]
    return re.sub(rf"\b{schema}\b", "SCHEMA", "\n".join(lines))


def _predicate_uncast(line: str) -> str:
    """A partial index's predicate without its casts and parentheses: PostgreSQL prints a predicate it re-parsed
    (from pg_get_indexdef, as pg_dump/restore does too) with its casts placed differently, e.g. `ANY ((ARRAY['a'::
    character varying])::text[])` as `ANY (ARRAY[('a'::character varying)::text])` — the same predicate."""
    head, where, predicate = line.partition(" WHERE ")
    if not where or not head.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
        return line
    return head + where + re.sub(r"::[a-z ]+(\[\])?|[()]", "", predicate)


def test_the_template_is_copied_by_the_fast_copy():
    assert schema_copies_fast(TEMPLATE)


def test_a_network_is_the_template_object_for_object_and_names_only_itself(tenant_a):
    """Tables, columns, defaults, identity sequences (names and owners), constraints, indexes, functions and
    triggers as pg_dump prints them: the same, and nothing in the copy points back at the template."""
    copy = _schema_ddl(tenant_a.schema_name)
    differences = list(
        difflib.unified_diff(_schema_ddl(TEMPLATE).splitlines(), copy.splitlines(), lineterm="")
    )
    assert not differences, "\n".join(differences)
    assert TEMPLATE not in copy
    assert "CREATE TRIGGER payouts_posting_append_only" in copy  # the ledger's guarantees came along


def test_a_network_continues_the_templates_sequences_and_keeps_its_rows_to_itself(tenant_a, tenant_b):
    """The template's rows (role groups) were copied with their ids; the copy's sequences continue after them,
    and a row written in one network is in no other schema."""
    with schema_context(tenant_a.schema_name):
        user = User.objects.create(email="only-in-alpha@alpha.test")
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM auth_group")
            groups_max = cursor.fetchone()[0]
            cursor.execute("INSERT INTO auth_group (name) VALUES ('fresh') RETURNING id")
            assert cursor.fetchone()[0] > groups_max
    for schema in (TEMPLATE, tenant_b.schema_name):
        with schema_context(schema):
            assert not User.objects.filter(email=user.email).exists()


def test_a_template_the_fast_copy_cannot_reproduce_goes_to_the_complete_clone():
    """A view is not something the fast copy builds: the schema is cloned by django-tenants instead, view and all."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE SCHEMA odd_source; CREATE TABLE odd_source.thing (id bigint PRIMARY KEY, name text);"
            "INSERT INTO odd_source.thing VALUES (1, 'one');"
            "CREATE VIEW odd_source.thing_names AS SELECT name FROM odd_source.thing"
        )
    assert not schema_copies_fast("odd_source")
    schema_clone("odd_source", "odd_copy")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM odd_copy.thing_names")
        assert cursor.fetchall() == [("one",)]


def _in_own_connection(work, *args) -> threading.Thread:
    """Runs work(*args) in a thread with its own connection, which commits (the test's own does not)."""

    def run():
        from django.db import connection as own_connection

        try:
            work(*args)
        finally:
            own_connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _sign_up(subdomain: str, results: dict, start: threading.Barrier) -> None:
    try:
        start.wait(timeout=30)
        results[subdomain] = tenant_create(
            name=subdomain.title(),
            subdomain=subdomain,
            currency="EUR",
            admin_email=f"owner@{subdomain}.test",
            admin_password="correct-horse-battery-9",
        )
    except BaseException as error:  # reported by the test, not lost in the thread
        results[subdomain] = error


def _read_users(schemas, users: dict) -> None:
    for schema in schemas:
        with schema_context(schema):
            users[schema] = list(User.objects.values_list("email", flat=True))


def _delete_networks(slugs) -> None:
    for tenant in Tenant.objects.filter(slug__in=slugs):
        tenant_delete(tenant=tenant, confirm_slug=tenant.slug)


def test_two_simultaneous_signups_each_get_their_own_complete_schema(tenant_a):
    """Two sign-ups copying the template at the same moment neither block each other for good nor share a schema."""
    subdomains = ("race-one", "race-two")
    results: dict = {}
    start = threading.Barrier(len(subdomains))
    for thread in [_in_own_connection(_sign_up, s, results, start) for s in subdomains]:
        thread.join(timeout=120)
    try:
        tenants = [results.get(s) for s in subdomains]
        assert all(isinstance(tenant, Tenant) for tenant in tenants), tenants
        assert len({tenant.schema_name for tenant in tenants}) == 2
        # Read in another connection: this test's transaction would hold its table locks against the clean-up.
        users: dict = {}
        _in_own_connection(_read_users, [tenant.schema_name for tenant in tenants], users).join(timeout=60)
        assert users == {tenant.schema_name: [f"owner@{tenant.slug}.test"] for tenant in tenants}
    finally:
        connection.set_schema_to_public()
        _in_own_connection(_delete_networks, subdomains).join(timeout=120)
