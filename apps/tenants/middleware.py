from functools import cache

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import Http404, HttpResponseNotFound
from django.shortcuts import render
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from apps.tenants.models import Domain, Tenant, TenantStatus

API_PREFIX = "/api/"


@cache
def _tenant_for_host_statement() -> tuple[str, tuple[str, ...]]:
    """The host look-up's SQL and the attribute names of its columns, written once per process (a raw queryset
    costs ~0.2 ms CPU per request to set up and map; the statement itself is a primary-key join)."""
    quote = connection.ops.quote_name
    public = quote(get_public_schema_name())
    domains, tenants = quote(Domain._meta.db_table), quote(Tenant._meta.db_table)
    fields = Tenant._meta.concrete_fields
    if any(hasattr(field, "from_db_value") for field in fields):  # a raw row skips the conversion
        raise TypeError("a column with a from_db_value conversion: read it through the ORM")
    columns = ", ".join(f"tenant.{quote(field.column)}" for field in fields)
    # Quoted names from settings and models; the host is a parameter.
    sql = (
        f"SELECT {columns} FROM {public}.{domains} AS domain"  # noqa: S608
        f" JOIN {public}.{tenants} AS tenant ON tenant.id = domain.tenant_id WHERE domain.domain = %s"
    )
    return sql, tuple(field.attname for field in fields)


def tenant_for_host(hostname: str) -> Tenant | None:
    """The network whose domain `hostname` is, read from the public schema by name (schema-qualified): the look-up
    runs on whatever `search_path` the connection has, so resolving a host costs no `SET search_path` of its own."""
    sql, attnames = _tenant_for_host_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hostname])
        row = cursor.fetchone()
    return None if row is None else Tenant.from_db(connection.alias, attnames, row)


def connection_tenant_set(tenant) -> None:
    """Points the connection at `tenant`; when the connection already has that path SET (the previous request on
    a kept-alive connection was the same network's), it is not SET again.

    django-tenants forgets what it SET on close, rollback and savepoint rollback (PostgreSQL may have undone it)
    and on every `set_tenant()`; what it still remembers is what the session has, so keeping it is safe."""
    kept = connection.search_path_set_schemas
    connection.set_tenant(tenant)
    if kept is not None and kept == connection._get_cursor_search_paths():
        connection.search_path_set_schemas = kept


class TenantMiddleware(TenantMainMiddleware):
    """Host routing: the platform domain is the public site, `<slug>.<domain>` a network, anything else a 404.

    The template schema has no domain, so no request can ever reach it; a suspended network answers 503.
    A network's pages show times, and judge dates, in the network's own time zone; the public site and every
    API answer in UTC (stable for machines, and RFC 3339 even for a zone's historic odd offsets).

    Unlike django-tenants' own middleware, the host is looked up without first switching the connection to the
    public schema (one `SET search_path` fewer per request) and the network's path is SET only when the connection
    does not have it already: a kept-alive connection serving one network runs no `SET` at all.
    """

    def process_request(self, request):
        timezone.deactivate()  # the thread's previous request may have been another network's
        response = self._route(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.schema_name == get_public_schema_name():
            return None
        if not request.path.startswith(API_PREFIX):  # the API speaks UTC, whoever's network it is
            timezone.activate(tenant.zone)
        if tenant.status == TenantStatus.TEMPLATE:
            raise Http404("No network here.")
        if tenant.status == TenantStatus.SUSPENDED:
            return render(request, "tenants/suspended.html", {"tenant": tenant}, status=503)
        return None

    def _route(self, request):
        try:
            hostname = self.hostname_from_request(request)
            tenant = tenant_for_host(hostname)
        except DisallowedHost:
            connection.set_schema_to_public()
            return HttpResponseNotFound()
        except BaseException:
            connection.set_schema_to_public()  # nothing after this may run on the previous request's network
            raise
        if tenant is None:
            # Whatever answers an unknown host (a 404 page, the public site) runs on public, never on the path
            # the previous request of this connection left.
            connection.set_schema_to_public()
            return self.no_tenant_found(request, hostname)
        tenant.domain_url = hostname
        request.tenant = tenant
        connection_tenant_set(tenant)
        self.setup_url_routing(request)
        return None
