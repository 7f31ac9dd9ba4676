from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from apps.payouts.webhooks.local_endpoints import local_webhook_endpoints_register
from apps.tenants.selectors import tenant_domain_url, tenant_list_active


class Command(BaseCommand):
    help = (
        "Registers every local-mode network's two webhook endpoints (account and Connect) with the local Stripe "
        "server, at loopback with the network's host name as the Host header."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="127.0.0.1",
            help="where the local Stripe server reaches the web server (default 127.0.0.1; port: PLATFORM_PORT)",
        )

    def handle(self, *args, **options):
        base_url = f"http://{options['address']}:{settings.PLATFORM_PORT}"
        for tenant in tenant_list_active():
            host = urlsplit(tenant_domain_url(tenant)).netloc  # demo.localhost:8000
            with schema_context(tenant.schema_name):
                registered = local_webhook_endpoints_register(base_url=base_url, host=host)
            for url in registered:
                self.stdout.write(f"Local Stripe webhooks of {tenant.slug} → {url} (Host: {host})")
