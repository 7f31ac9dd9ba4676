"""The restore drill, at small size: a network with a catalogue, an order, a ledger entry and an uploaded file is
backed up, restored into a fresh database by another process, and must come back with the same row counts, the
same ledger balances, its file, and pages that answer. A backup holds one network only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_context

from apps.demo.catalog import catalog_demo_seed
from apps.payouts.ledger.recipes import book_charge
from apps.tenants.backups import BackupError, network_backup, network_restore, pg_tool
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_delete
from tests.payouts.money_builders import make_order

pytestmark = pytest.mark.worker  # commits, and starts a process: outside the test transaction


def _admin_connection():
    database = settings.DATABASES["default"]
    return psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def drill_network(django_db_blocker):
    with django_db_blocker.unblock():
        slug = f"drill{uuid.uuid4().hex[:8]}"
        tenant = tenant_create(
            name="Drill Works",
            subdomain=slug,
            currency="EUR",
            admin_email=f"owner@{slug}.test",
            admin_password="drill-password-1",
        )
        with schema_context(tenant.schema_name):
            catalog_demo_seed()
            order = make_order(total_minor=14286)
            book_charge(
                order_id=order.pk,
                currency="EUR",
                charge_id=f"ch_{slug}",
                balance_transaction_id=f"txn_{slug}",
                amount_minor=14286,
                fee_minor=239,
            )
            default_storage.save("designs/drill.stl", ContentFile(b"solid drill\nendsolid drill\n"))
        yield tenant
        connection.set_schema_to_public()
        tenant_delete(tenant=Tenant.objects.get(pk=tenant.pk), confirm_slug=slug)


@pytest.fixture
def fresh_database(django_db_blocker):
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_network_restores_into_a_fresh_database_whole(
    drill_network, fresh_database, django_db_blocker, tmp_path
):
    archive = tmp_path / "drill.tar"
    with django_db_blocker.unblock():
        manifest = network_backup(tenant=drill_network, output=archive)
    assert manifest["tables"]["orders_order"] == 1
    assert manifest["tables"]["catalog_producttemplate"] > 0
    assert sorted(amount for _, _, amount in manifest["ledger_balances"]) == [-14286, 239, 14047]

    database = settings.DATABASES["default"]
    # Not one of pytest-xdist's workers: its media folder is exactly the one given here (no worker suffix).
    env = {
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{fresh_database}",
        "MEDIA_DIR": str(tmp_path / "restored-media"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "network_restore", str(archive), "--check-pages"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True
    assert report["mismatched_counts"] == {} and report["mismatched_balances"] == []
    assert report["rows"] == sum(manifest["tables"].values())
    assert report["pages"] == {"/": 200, "/catalog/": 200, "/accounts/login/": 200}
    assert report["media_files"] == 1
    restored_file = tmp_path / "restored-media" / drill_network.schema_name / "designs" / "drill.stl"
    assert restored_file.read_bytes() == b"solid drill\nendsolid drill\n"


def test_a_backup_holds_one_network_only(drill_network, tenant_a, django_db_blocker, tmp_path):
    archive = tmp_path / "drill.tar"
    with django_db_blocker.unblock():
        network_backup(tenant=drill_network, output=archive)
        dump = tmp_path / "schema.dump"
        dump.write_bytes(_member(archive, "schema.dump"))
        listing = subprocess.run(
            [pg_tool("pg_restore"), "--list", str(dump)], capture_output=True, check=True
        ).stdout.decode()
    assert drill_network.schema_name in listing
    assert tenant_a.schema_name not in listing
    assert " public " not in listing


def test_restoring_over_an_existing_network_is_refused(drill_network, django_db_blocker, tmp_path):
    archive = tmp_path / "drill.tar"
    with django_db_blocker.unblock():
        network_backup(tenant=drill_network, output=archive)
        with pytest.raises(BackupError, match="exists"):
            network_restore(archive_path=archive)
        with pytest.raises(BackupError, match="schema"):
            network_restore(archive_path=archive, slug=f"other{uuid.uuid4().hex[:6]}")


def _member(archive: Path, name: str) -> bytes:
    import tarfile

    with tarfile.open(archive) as tar:
        return tar.extractfile(name).read()


def test_the_scheduled_backup_dumps_the_whole_database_and_prunes_old_ones(
    fresh_database, django_db_blocker, tmp_path
):
    """scripts/backup.sh on a small database of its own: a pg_dump custom-format file pg_restore can read, and
    files past the retention removed (another file in the folder is left alone)."""
    with (
        _admin_connection() as admin,
        psycopg.connect(
            host=admin.info.host,
            port=admin.info.port,
            user=admin.info.user,
            dbname=fresh_database,
            autocommit=True,
        ) as database,
    ):
        database.execute("CREATE TABLE drill_rows (id int); INSERT INTO drill_rows VALUES (1), (2)")
    old = tmp_path / "cloudfactory-2020-01-01T0215Z.dump"
    old.write_bytes(b"old")
    os.utime(old, (0, 0))
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("keep")
    os.utime(unrelated, (0, 0))
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{fresh_database}",
        "PYTHON": sys.executable,
    }
    subprocess.run(
        [str(Path(settings.BASE_DIR) / "scripts" / "backup.sh"), str(tmp_path)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    [dump] = tmp_path.glob("cloudfactory-2*Z.dump")
    with django_db_blocker.unblock():
        pg_restore = pg_tool("pg_restore")
    listing = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, check=True)
    assert "TABLE public drill_rows" in listing.stdout.decode()
    assert not old.exists()
    assert unrelated.exists()
