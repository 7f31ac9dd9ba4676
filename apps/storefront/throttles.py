"""How often one client may ask for a price.

Every quote runs the matching engine over the network (tens of milliseconds of CP-SAT and a MatchingRun row), and
the configurator and `POST /api/v1/quotes/` are open to anonymous visitors, so a script could keep a network's
web workers busy and its run table growing. One counter per signed-in customer, else per client address, in the
network's own cache (keys carry the schema), shared by the configurator pages and the API.

DRF's SimpleRateThrottle is the standard for this; the pages call the same class. The rate is read per request
from settings.QUOTE_THROTTLE_RATE ("120/min"), so a test or the load benchmark can change it. If the cache is
unreachable the limit is not applied (logged): quotes stay available.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.throttle import client_address
from apps.matching.quoting import MatchingQuote, quote_configuration

logger = logging.getLogger(__name__)


class QuoteRateThrottle(SimpleRateThrottle):
    scope = "quotes"

    def get_rate(self) -> str | None:
        return settings.QUOTE_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        # The limit protects the solver; it must not take the storefront down with the cache. Without Redis,
        # quotes are served unlimited (and the outage logged) rather than every configurator page failing.
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("Quote limit not checked: the cache is unreachable", exc_info=True)
            return True

    def get_ident(self, request) -> str:
        return client_address(request)  # honours TRUSTED_PROXY_COUNT, like the sign-in throttle

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        ident = (
            f"user:{user.pk}"
            if user is not None and user.is_authenticated
            else f"addr:{self.get_ident(request)}"
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}


def quote_unless_limited(request, *, template, values, context=None) -> tuple[MatchingQuote | None, str]:
    """The pages' quote: (the quote, "") while this client is within the limit, else (None, when prices return).
    `context`: the page's shared quote context (quoting.quote_context), when it asks for more than one price.

    Raises apps.catalog.validation.InvalidConfiguration like quote_configuration."""
    if wait := quote_limit_wait(request):
        return None, wait
    return quote_configuration(template=template, values=values, tenant=request.tenant, context=context), ""


def quote_limit_wait(request) -> str:
    """Counts one price asked by this client: "" while within the limit, else when prices return, in words."""
    throttle = QuoteRateThrottle()
    if throttle.allow_request(request, None):
        return ""
    seconds = max(1, math.ceil(throttle.wait() or 1))
    unit = "second" if seconds == 1 else "seconds"
    return (
        "You have asked for a lot of prices in a short time. "
        f"The price and delivery date update again in {seconds} {unit}."
    )
