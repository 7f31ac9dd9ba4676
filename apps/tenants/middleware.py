from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from apps.tenants.models import TenantStatus

API_PREFIX = "/api/"


class TenantMiddleware(TenantMainMiddleware):
    """Host routing: the platform domain is the public site, `<slug>.<domain>` a network, anything else a 404.

    The template schema has no domain, so no request can ever reach it; a suspended network answers 503.
    A network's pages show times, and judge dates, in the network's own time zone; the public site and every
    API answer in UTC (stable for machines, and RFC 3339 even for a zone's historic odd offsets).
    """

    def process_request(self, request):
        timezone.deactivate()  # the thread's previous request may have been another network's
        response = super().process_request(request)
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
