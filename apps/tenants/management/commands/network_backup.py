"""Backs up one network (its schema, its public rows and its files) into a tar file; or, with --all, the whole
database with pg_dump.

    python manage.py network_backup demo --output backups/demo.tar
    python manage.py network_backup --all --output backups/all.dump
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.tenants.backups import BackupError, database_backup, network_backup
from apps.tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Backs up one network into a tar file (schema dump, manifest, files), or the whole database (--all)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", default="", help="The network's address (its subdomain).")
        parser.add_argument("--all", action="store_true", help="The whole database instead (pg_dump -Fc).")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, slug: str, all: bool, output: Path, **options):
        try:
            if all:
                database_backup(output=output)
                self.stdout.write(json.dumps({"database": str(output), "bytes": output.stat().st_size}))
                return
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"No network with the address {slug!r}.")
            manifest = network_backup(tenant=tenant, output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        summary = {
            "network": slug,
            "file": str(output),
            "bytes": output.stat().st_size,
            "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()),
            "ledger_accounts": len(manifest["ledger_balances"]),
        }
        self.stdout.write(json.dumps(summary))
