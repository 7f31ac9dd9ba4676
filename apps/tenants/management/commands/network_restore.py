"""Restores a network backup (made by network_backup) into this database, then checks it against the backup's
manifest — row counts, ledger balances — and, with --check-pages, that its pages answer. JSON on the last line;
exit status 1 when anything differs.

    DATABASE_URL=postgres://…/fresh python manage.py network_restore backups/demo.tar --check-pages
"""

import json
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.tenants.backups import BackupError, network_restore


class Command(BaseCommand):
    help = "Restores a network backup into this database and checks it against the backup."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--slug", default="", help="Restore under another address (the old one is taken)."
        )
        parser.add_argument("--domain", default="", help="Its host name (default <slug>.<PLATFORM_DOMAIN>).")
        parser.add_argument("--check-pages", action="store_true", help="Ask its public pages once restored.")

    def handle(self, *args, archive: Path, slug: str, domain: str, check_pages: bool, **options):
        if not archive.is_file():
            raise CommandError(f"No such file: {archive}")
        try:
            report = network_restore(archive_path=archive, slug=slug, domain=domain, check_pages=check_pages)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps({**asdict(report), "ok": report.ok}))
        if not report.ok:
            raise SystemExit(1)
