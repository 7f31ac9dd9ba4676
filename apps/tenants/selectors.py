from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from apps.tenants.models import Tenant, TenantStatus


def tenant_current() -> Tenant | None:
    """The network whose schema the connection is set to (None in a schema without one). Under schema_context()
    django-tenants only knows the schema name (a FakeTenant), so the row is read then."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def tenant_list_active() -> QuerySet[Tenant]:
    return (
        Tenant.objects.filter(status=TenantStatus.ACTIVE)
        .exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
    )


def tenant_domain_url(tenant: Tenant, *, path: str = "/") -> str:
    domain = tenant.get_primary_domain()
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT not in (80, 443) else ""
    return f"http://{domain.domain}{port}{path}"


def tenant_find(query: str) -> Tenant | None:
    """The network a person names on the public site, by its subdomain or its exact name (any case); None for
    none, the template, or a name two networks share."""
    query = query.strip()
    if not query:
        return None
    networks = Tenant.objects.exclude(status=TenantStatus.TEMPLATE).exclude(
        schema_name=get_public_schema_name()
    )
    by_slug = networks.filter(slug=query.lower().removesuffix(f".{settings.PLATFORM_DOMAIN}")).first()
    if by_slug is not None:
        return by_slug
    named = list(networks.filter(name__iexact=query)[:2])
    return named[0] if len(named) == 1 else None
