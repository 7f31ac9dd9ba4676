"""The network a request is on: the tenant django-tenants resolved for its host, or None on the public site (and
before the tenant middleware ran). Branding, the header, the favicon and the error pages all ask here."""

from django_tenants.utils import get_public_schema_name


def request_network(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    return tenant
