from apps.core.networks import request_network


def current_network(request):
    """The network a page belongs to, for branding (name, accent colour); None on the public site."""
    return {"network": request_network(request)}
