from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.tenants.selectors import tenant_domain_url
from apps.tenants.services import tenant_create


class Command(BaseCommand):
    help = "Provisions a network, exactly as the public sign-up page does."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, **options):
        try:
            tenant = tenant_create(
                name=options["name"],
                subdomain=options["subdomain"],
                currency=options["currency"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Created {tenant.name} at {tenant_domain_url(tenant)}"))
