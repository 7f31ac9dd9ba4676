"""Provisioning benchmark: clone from the template schema versus running every migration."""

import json
import statistics
import time
import uuid

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import override_settings

from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_delete, tenant_template_ensure


class Command(BaseCommand):
    help = "Provisions --count networks by clone and by full migrations; prints medians as JSON (last line)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10)

    def handle(self, *args, count: int, **options):
        tenant_template_ensure()
        run = uuid.uuid4().hex[:6]
        clone_s, migrate_s, created = [], [], []
        try:
            for i in range(count):
                started = time.perf_counter()
                tenant = tenant_create(
                    name=f"Bench {i}",
                    subdomain=f"bench-{run}-c{i}",
                    currency="EUR",
                    admin_email=f"owner{i}@bench.test",
                    admin_password="bench-password-123",  # noqa: S106 - throwaway benchmark networks
                )
                clone_s.append(time.perf_counter() - started)
                created.append(tenant)
                self.stdout.write(f"clone   {i + 1}/{count}: {clone_s[-1]:.3f} s")
            for i in range(count):
                connection.set_schema_to_public()
                tenant = Tenant.objects.create(
                    schema_name=f"t_bench_{run}_m{i}", name=f"Bench m{i}", slug=f"bench-{run}-m{i}"
                )
                created.append(tenant)
                started = time.perf_counter()
                with override_settings(TENANT_BASE_SCHEMA=None, TENANT_CREATION_FAKES_MIGRATIONS=False):
                    tenant.create_schema(verbosity=0)
                migrate_s.append(time.perf_counter() - started)
                self.stdout.write(f"migrate {i + 1}/{count}: {migrate_s[-1]:.3f} s")
        finally:
            connection.set_schema_to_public()
            for tenant in created:
                tenant_delete(tenant=tenant, confirm_slug=tenant.slug)
        result = {
            "count": count,
            "clone_median_s": round(statistics.median(clone_s), 3),
            "clone_max_s": round(max(clone_s), 3),
            "migrate_median_s": round(statistics.median(migrate_s), 3),
            "speedup": round(statistics.median(migrate_s) / statistics.median(clone_s), 1),
        }
        self.stdout.write(json.dumps(result))
