"""Backups of one network, and the drill that proves they restore.

A network's backup is one tar file:
- `schema.dump`: `pg_dump --format=custom --schema=<its schema>` (every table of the network, nothing of another);
- `manifest.json`: its Tenant and Domain rows (they live in the public schema), the row count of every table and
  the ledger's balance per account and currency, as they were when the dump was taken;
- `media/…`: its uploaded files.

`network_restore` puts it into the current database (an empty one is fine: the public schema is migrated first),
under its own slug or a new one, and checks the restored schema against the manifest: the same row counts, the
same ledger balances. The whole database is backed up with `pg_dump` itself (`database_backup`); point-in-time
recovery in production is WAL archiving (docs/operations.md).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists

from apps.tenants.models import Domain, Tenant, TenantStatus

FORMAT_VERSION = 1
TENANT_FIELDS = ("name", "slug", "currency", "time_zone", "accent_color", "schema_name")
# Read by table name: the ledger belongs to a higher layer (apps.payouts), which this module may not import.
LEDGER_BALANCES_SQL = (
    "SELECT account_id, currency, sum(amount_minor) FROM {schema}.payouts_posting GROUP BY 1, 2 ORDER BY 1, 2"
)


class BackupError(Exception):
    pass


@dataclass
class RestoreReport:
    slug: str
    schema_name: str
    tables: int
    rows: int
    mismatched_counts: dict = field(default_factory=dict)
    mismatched_balances: list = field(default_factory=list)
    media_files: int = 0
    pages: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        pages_ok = all(status == 200 for status in self.pages.values())
        return not self.mismatched_counts and not self.mismatched_balances and pages_ok


def _pg_env() -> dict:
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        PGHOST=database["HOST"] or "",
        PGPORT=str(database["PORT"] or ""),
        PGUSER=database["USER"] or "",
        PGPASSWORD=database["PASSWORD"] or "",
        PGDATABASE=database["NAME"],
    )
    return env


def pg_tool(name: str) -> str:
    """`pg_dump` / `pg_restore` of the same major version as the server if installed, else the one on PATH."""
    major = connection.pg_version // 10000
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = str(versioned) if versioned.exists() else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (the PostgreSQL client tools are needed for backups).")
    return found


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, env=_pg_env(), capture_output=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            f"{Path(argv[0]).name} failed: {result.stderr.decode(errors='replace').strip()[:500]}"
        )
    return result


def _quoted(schema: str) -> str:
    return connection.ops.quote_name(schema)


def _table_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {_quoted(schema)}.{_quoted(table)}")  # noqa: S608 - catalog names
            counts[table] = cursor.fetchone()[0]
        return counts


def _ledger_balances(schema: str) -> list[list]:
    with connection.cursor() as cursor:
        cursor.execute(LEDGER_BALANCES_SQL.format(schema=_quoted(schema)))
        return [[account, currency, int(total)] for account, currency, total in cursor.fetchall()]


def _media_dir(schema: str) -> Path:
    return Path(settings.MEDIA_ROOT) / schema


def network_backup(*, tenant: Tenant, output: Path) -> dict:
    """Writes the network's backup to `output` and returns its manifest."""
    if tenant.status == TenantStatus.TEMPLATE or tenant.schema_name == "public":
        raise BackupError("Only a network can be backed up this way; back up the whole database instead.")
    schema = tenant.schema_name
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "schema.dump"
        # One snapshot for the dump and the manifest would need a shared transaction; instead the manifest is read
        # right after the dump, and the drill compares a network nobody writes to while it runs.
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={schema}", f"--file={dump}"])
        manifest = {
            "format": FORMAT_VERSION,
            "taken_at": timezone.now().isoformat(),
            "tenant": {name: getattr(tenant, name) for name in TENANT_FIELDS},
            "domains": list(tenant.domains.order_by("-is_primary", "domain").values("domain", "is_primary")),
            "tables": _table_counts(schema),
            "ledger_balances": _ledger_balances(schema),
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w") as archive:
            archive.add(dump, arcname="schema.dump")
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
            media = _media_dir(schema)
            if media.is_dir():
                archive.add(media, arcname="media")
    return manifest


def database_backup(*, output: Path) -> None:
    """The whole database (every network and the public schema), in pg_dump's custom format."""
    output.parent.mkdir(parents=True, exist_ok=True)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={output}"])


def _public_schema_ready() -> bool:
    return "tenants_tenant" in connection.introspection.table_names()


DRILL_PAGES = ("/", "/catalog/", "/accounts/login/")


def pages_answer(*, host: str) -> dict[str, int]:
    """The restored network's public pages, asked through the whole middleware stack as a browser would."""
    from django.test import Client

    client = Client(HTTP_HOST=host)
    return {path: client.get(path).status_code for path in DRILL_PAGES}


def network_restore(
    *, archive_path: Path, slug: str = "", domain: str = "", check_pages: bool = False
) -> RestoreReport:
    """Restores a network backup into the current database; refuses to overwrite anything that exists."""
    connection.set_schema_to_public()
    if not _public_schema_ready():
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive_path) as archive:
        archive.extractall(work, filter="data")
        manifest = json.loads((Path(work) / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        source = manifest["tenant"]
        schema = source["schema_name"]
        slug = slug or source["slug"]
        if Tenant.objects.filter(slug=slug).exists():
            raise BackupError(
                f"A network with the address {slug!r} exists here; restore under another --slug."
            )
        if Tenant.objects.filter(schema_name=schema).exists() or schema_exists(schema):
            raise BackupError(
                f"The schema {schema!r} exists in this database; restore into another database."
            )
        _run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_pg_env()['PGDATABASE']}",
                str(Path(work) / "schema.dump"),
            ]
        )
        with transaction.atomic():
            tenant = Tenant(**{**source, "slug": slug, "status": TenantStatus.ACTIVE})
            tenant.save()
            domains = manifest["domains"] if slug == source["slug"] and not domain else []
            for row in domains:
                Domain.objects.create(tenant=tenant, domain=row["domain"], is_primary=row["is_primary"])
            if not domains:
                Domain.objects.create(
                    tenant=tenant, domain=domain or f"{slug}.{settings.PLATFORM_DOMAIN}", is_primary=True
                )
        media_files = 0
        media = Path(work) / "media"
        if media.is_dir():
            shutil.copytree(media, _media_dir(schema), dirs_exist_ok=False)
            media_files = sum(1 for path in media.rglob("*") if path.is_file())
    counts = _table_counts(schema)
    wrong_counts = {
        table: {"backup": expected, "restored": counts.get(table)}
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    balances = _ledger_balances(schema)
    host = Domain.objects.filter(tenant__slug=slug, is_primary=True).values_list("domain", flat=True).first()
    return RestoreReport(
        slug=slug,
        schema_name=schema,
        tables=len(counts),
        rows=sum(counts.values()),
        mismatched_counts=wrong_counts,
        mismatched_balances=[]
        if balances == manifest["ledger_balances"]
        else [manifest["ledger_balances"], balances],
        media_files=media_files,
        pages=pages_answer(host=host) if check_pages else {},
    )
