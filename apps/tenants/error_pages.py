"""Error pages in the network's own colours and name, with a way home (Django's handler400/403/404/500).

400, 403 and 404 render in the site's layout (the header reads the signed-in person). The 500 page reads nothing
but what the request already holds — the network row django-tenants resolved before the view ran — and renders a
template of its own with no context processors: it must appear when the database is what failed.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from apps.core.networks import request_network
from apps.core.templatetags.css import css_color

_PAGES = {
    500: (
        "Something went wrong on our side",
        "Nothing you did caused it, and we have been told. Please try again in a minute.",
    ),
    400: ("We could not read that request", "Something in the address or the form was not as expected."),
    403: (
        "You may not open this page",
        "Your account does not give access here. Sign in as someone who may.",
    ),
    404: (
        "Page not found",
        "The address may be mistyped, or the page has moved or is no longer yours to see.",
    ),
}


def _bare_page(request, status: int) -> HttpResponse:
    """The page that needs nothing: no database, no signed-in user, no context processors."""
    title, text = _PAGES[status]
    network = request_network(request)
    context = {
        "status": status,
        "title": title,
        "text": text,
        "network_name": network.name if network is not None else "Cloud Factory",
        "accent": css_color(network.accent_color if network is not None else ""),
        "nonce": getattr(request, "csp_nonce", ""),
    }
    try:
        return HttpResponse(loader.get_template("error_bare.html").render(context), status=status)
    except Exception:
        return HttpResponse(text, status=status, content_type="text/plain")


def _error_page(request, status: int) -> HttpResponse:
    if not hasattr(
        request, "user"
    ):  # refused before the middleware ran through (a host that is no network's)
        return _bare_page(request, status)
    title, text = _PAGES[status]
    return render(request, "error.html", {"status": status, "title": title, "text": text}, status=status)


def bad_request(request, exception=None):
    return _error_page(request, 400)


def permission_denied(request, exception=None):
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404)


def server_error(request):
    return _bare_page(request, 500)
