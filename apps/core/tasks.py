"""The task base for work that belongs to one tenant."""

from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from apps.core.timezones import zone_or_utc


class PublicSchemaTaskError(RuntimeError):
    """A tenant task was enqueued or run without a tenant: it would read or write the wrong schema."""


class TenantOnlyTask(TenantTask):
    """Base for tasks that act on one tenant's data.

    The enqueuing schema travels in the message headers (tenant-schemas-celery). Enqueuing from the public
    schema, or finding the public schema at run time, is a programming error and raises.
    """

    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        if connection.schema_name == get_public_schema_name() and "_schema_name" not in (
            options.get("headers") or {}
        ):
            raise PublicSchemaTaskError(f"{self.name} must be enqueued inside a tenant's schema.")
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        if connection.schema_name == get_public_schema_name():
            raise PublicSchemaTaskError(f"{self.name} ran in the public schema.")
        # Dates a task judges or writes (lateness, e-mails) are the network's, as on its pages.
        time_zone = getattr(connection.tenant, "time_zone", "")
        with timezone.override(zone_or_utc(time_zone) if time_zone else None):
            return super().__call__(*args, **kwargs)
