"""Security headers for every response: a nonce-based Content-Security-Policy, Permissions-Policy, and the
Referrer-Policy / X-Content-Type-Options defaults in case SecurityMiddleware is configured off.

Pages load scripts and styles from our own static files; the few inline `<style>`/`<script>` elements carry
`nonce="{{ request.csp_nonce }}"`. No inline `style=` attributes or `on*=` handlers are allowed anywhere, and
htmx is told not to inject its indicator styles (`<meta name="htmx-config">` in base.html).

Two areas are served with a looser policy (inline scripts and styles allowed), because they are third-party
pages that use them and that we do not template ourselves: the Django admin (/admin/, on tenant hosts and on the
public site) and the Swagger UI (/api/docs/). Both still forbid framing, plugins and foreign origins. With
DEBUG on, Django's technical 404 and 500 pages get the looser policy too.

A view that needs more (the Stripe Payment Element) declares it with `@csp_extend(...)`; nothing else widens
the policy.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBadRequest

LOOSE_PREFIXES = ("/admin/", "/api/docs/")
CSP_HEADER = "Content-Security-Policy"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), usb=(), "
    'payment=(self "https://js.stripe.com")'
)
# What a page served by the Stripe Payment Element needs (https://docs.stripe.com/security/guide#content-security-policy).
STRIPE_JS = {
    "script-src": ["https://js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _form_action() -> list[str]:
    # Chrome applies form-action to the redirects that follow a form post: connecting payouts posts to our view,
    # which redirects to Stripe's hosted onboarding (the local Stripe server in development).
    return ["'self'", _origin(settings.STRIPE_LOCAL_URL), "https://connect.stripe.com"]


def strict_policy(nonce: str) -> dict[str, list[str]]:
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'", f"'nonce-{nonce}'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": _form_action(),
        "frame-ancestors": ["'none'"],
    }


def loose_policy() -> dict[str, list[str]]:
    """Django admin and Swagger UI: their own inline scripts and styles, nothing from elsewhere."""
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def render_policy(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


def csp_extend(**sources: list[str]) -> Callable:
    """Adds sources to directives of the strict policy for one view, e.g.
    `@csp_extend(**STRIPE_JS)` or `@csp_extend(img_src=["https://example.org"])`."""
    extra = {name.replace("_", "-"): list(values) for name, values in sources.items()}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.csp_extra = extra
            return response

        return wrapped

    return decorator


class SecurityHeadersMiddleware:
    """Gives every request a fresh CSP nonce (`request.csp_nonce`) and every response the policy that uses it.

    A response that already carries a Content-Security-Policy (e.g. a standalone SVG served with
    `default-src 'none'`) keeps its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if CSP_HEADER not in response:
            # DEBUG's technical 404/500 pages are Django's own, with inline CSS and JS.
            debug_page = settings.DEBUG and response.status_code in (404, 500)
            if request.path.startswith(LOOSE_PREFIXES) or debug_page:
                policy = loose_policy()
            else:
                policy = strict_policy(request.csp_nonce)
                for directive, values in getattr(response, "csp_extra", {}).items():
                    policy[directive] = [*policy.get(directive, policy["default-src"]), *values]
            response[CSP_HEADER] = render_policy(policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class NulCharacterGuardMiddleware:
    """Answers 400 to a request whose path or query string holds a NUL character.

    PostgreSQL refuses NUL in text, so such a value reaching a query (a search term, a filter) would be a 500.
    Forms and DRF's CharField already reject NUL in bodies; this covers the URL, which views often read
    directly. Found by the API fuzzer (tests/api_fuzz)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                "NUL characters are not allowed in URLs.", content_type="text/plain"
            )
        return self.get_response(request)
