"""Every log line names the network it was written for (the schema of the current connection: set by the tenant
middleware for a request, by tenant-schemas-celery for a task), in plain text or JSON (`LOG_FORMAT`)."""

from __future__ import annotations

import logging

from django.db import connection


class NetworkFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.network = getattr(connection, "schema_name", "") or "-"
        return True
