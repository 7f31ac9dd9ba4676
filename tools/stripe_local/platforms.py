"""Each API key is its own platform account: which platform a request (or a webhook endpoint) belongs to.

Cloud Factory gives every tenant its own Stripe platform account; locally every tenant talks to this
one server with its own key (``sk_test_local_<schema>``). The platform is the key without its
``sk_`` / ``pk_`` prefix, so a publishable key ``pk_test_local_alpha`` (sent by localstripe's JS in
the ``key`` form field) belongs to the same platform as ``sk_test_local_alpha``. Any key is accepted
and simply opens (or reopens) its own, initially empty, platform: no registration step.
"""

from aiohttp import web
from localstripe.server import get_api_key, get_post_data

from .context import on_platform

_KEY_PREFIXES = ("sk_", "pk_")


def platform_for_key(key) -> str | None:
    """``sk_test_x`` and ``pk_test_x`` -> ``test_x``; anything else (no key, ``rk_...``) -> None."""
    if not isinstance(key, str):
        return None
    for prefix in _KEY_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return None


async def _request_key(request: web.Request) -> str | None:
    # localstripe's auth check has run already: a malformed Authorization header never gets here.
    if request.headers.get("Authorization"):
        return get_api_key(request)
    if request.method == "POST":  # localstripe's JS flows send the publishable key in the body
        data = await get_post_data(request, remove_auth=False) or {}
        return data.get("key")
    return None


@web.middleware
async def platform_middleware(request: web.Request, handler):
    """API requests act on their key's platform; ``/_test``, ``/_config`` and the onboarding page act
    on no platform (they look objects up out-of-band and act for their owner, see ``acting_for``)."""
    if not request.path.startswith("/v1/"):
        return await handler(request)
    with on_platform(platform_for_key(await _request_key(request))):
        return await handler(request)
