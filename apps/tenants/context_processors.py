from django_tenants.utils import get_public_schema_name


def current_network(request):
    """The network a page belongs to, for branding (name, accent colour); None on the public site."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return {"network": None}
    return {"network": tenant}
