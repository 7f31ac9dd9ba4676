from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from apps.payouts.stripe_client import local_webhook_register
from apps.tenants.selectors import tenant_domain_url, tenant_list_active


class Command(BaseCommand):
    help = "Registers every local-mode network's webhook endpoint with the local Stripe server."

    def handle(self, *args, **options):
        for tenant in tenant_list_active():
            url = tenant_domain_url(tenant, path="/stripe/webhook/")
            with schema_context(tenant.schema_name):
                registered = local_webhook_register(endpoint_id=tenant.schema_name, url=url)
            if registered:
                self.stdout.write(f"Local Stripe webhooks of {tenant.slug} → {url}")
