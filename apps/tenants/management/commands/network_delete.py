"""Removes a network for good: its schema (every table), its Tenant and Domain rows, its uploaded files and its
cache entries. Asks for the network's address again; with --confirm it must be given on the command line (scripts).

    python manage.py network_backup demo --output backups/demo.tar    # first, if its owner may want it back
    python manage.py network_delete demo                               # asks: type "demo" to confirm
    python manage.py network_delete demo --confirm demo --noinput
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_exists

from apps.tenants.models import Domain, Tenant
from apps.tenants.services import tenant_delete


class Command(BaseCommand):
    help = "Removes a network for good (schema, rows, files, cache). Asks for its address again."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The network's address (its subdomain).")
        parser.add_argument(
            "--confirm", default=None, help="The address again, instead of typing it when asked."
        )
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, slug: str, confirm: str | None, interactive: bool, **options):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No network with the address {slug!r}.")
        if confirm is None:
            if not interactive:
                raise CommandError(
                    "Refusing to delete without --confirm <address> when not asking (--noinput)."
                )
            domains = ", ".join(Domain.objects.filter(tenant=tenant).values_list("domain", flat=True))
            self.stdout.write(
                f"This removes the network {tenant.name!r} ({domains}) for good: schema {tenant.schema_name}, "
                f"its files and cache entries. There is no undo; take a network_backup first if in doubt."
            )
            confirm = input(f"Type the network's address ({slug}) to confirm: ").strip()
        schema = tenant.schema_name
        media = Path(settings.MEDIA_ROOT) / schema
        try:
            tenant_delete(tenant=tenant, confirm_slug=confirm)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        report = {
            "network": slug,
            "schema_dropped": not schema_exists(schema),
            "media_removed": not media.exists(),
        }
        self.stdout.write(json.dumps(report))
