"""How often one customer may ask for an analysis (an upload, new units, a repair).

Each analysis costs seconds of CPU on the "uploads" worker pool; a script uploading in a loop would queue hours of
work ahead of everyone else's files. One counter per customer in the network's own cache (keys carry the schema).
The rate is read per request from settings.UPLOAD_THROTTLE_RATE ("60/hour"). Reads are never limited; if the
cache is unreachable the limit is not applied (logged), as for quotes.
"""

from __future__ import annotations

import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


class AnalysisRateThrottle(UserRateThrottle):
    scope = "uploads"

    def get_rate(self) -> str | None:
        return settings.UPLOAD_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS or request.method == "DELETE":
            return True
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("Upload limit not checked: the cache is unreachable", exc_info=True)
            return True
