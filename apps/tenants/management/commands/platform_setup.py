from django.core.management.base import BaseCommand

from apps.tenants.services import tenant_public_ensure, tenant_template_ensure


class Command(BaseCommand):
    help = "Ensures the public site's row and the tenant template schema exist (idempotent; run after migrate_schemas)."

    def handle(self, *args, **options):
        tenant_public_ensure()
        template = tenant_template_ensure()
        self.stdout.write(f"Public site and template schema {template.schema_name!r} are ready.")
