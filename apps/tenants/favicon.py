"""Each network's favicon: its initial on its accent colour, drawn as SVG (networks upload no icon)."""

from django.http import HttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from apps.core.networks import request_network
from apps.core.templatetags.css import css_color

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="14" fill="{color}"/>'
    '<text x="32" y="44" text-anchor="middle" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
    ' font-size="36" font-weight="700" fill="#fff">{initial}</text></svg>'
)


def favicon_svg(name: str, accent_color: str) -> str:
    initial = next((char for char in name if char.isalnum()), "C").upper()
    return _SVG.format(color=css_color(accent_color), initial=escape(initial))


@require_GET
def favicon(request):
    network = request_network(request)
    svg = (
        favicon_svg(network.name, network.accent_color)
        if network is not None
        else favicon_svg("Cloud Factory", "")
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"  # a new brand colour shows within minutes
    return response
