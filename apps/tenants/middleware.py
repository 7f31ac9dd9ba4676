from django.http import Http404
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from apps.tenants.models import TenantStatus


class TenantMiddleware(TenantMainMiddleware):
    """Host routing: the platform domain is the public site, `<slug>.<domain>` a network, anything else a 404.

    The template schema has no domain, so no request can ever reach it; a suspended network answers 503.
    """

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.status == TenantStatus.TEMPLATE:
            raise Http404("No network here.")
        if tenant.status == TenantStatus.SUSPENDED:
            return render(request, "tenants/suspended.html", {"tenant": tenant}, status=503)
        return None
